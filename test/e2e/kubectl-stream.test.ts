/**
 * kubectl's streaming verbs as users type them, with the real kubectl v1.32 against a cluster lab
 * (the Cilium article's 4-node cluster, real Docker): exec with and without -it (through a
 * pseudo-terminal made by `script`), -c, the exit code, cp of a 10 MB file both ways, logs
 * (--tail, -f, -c, --previous), a clear Status for SPDY-only exec clients, and port-forward
 * (pod and svc, WebSocket-tunnelled SPDY and plain SPDY) fetching a page through 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { writeClusterLab } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';
const name = uniqueLabName('kl-kstream');
let dir = '';
let file = '';
let kubeconfig = '';

async function kubectl(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = await execa(KUBECTL, args, { env: { KUBECONFIG: kubeconfig, ...opts.env }, reject: false, timeout: 60_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What only the `web` pod serves: proves a page came through the forward from that pod. */
const TOKEN = `pf-${randomBytes(6).toString('hex')}`;
const WEB = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  nodeSelector:
    rack: rack1
  containers:
  - name: httpd
    image: busybox
    command: ["sh", "-c", "mkdir -p /tmp/${TOKEN} && echo 'served by web: ${TOKEN}' > /tmp/${TOKEN}/index.html && exec busybox httpd -f -p 80 -h /tmp/${TOKEN}"]
    ports:
    - containerPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: echo
spec:
  containers:
  - name: echo
    image: busybox
    command: ["socat", "TCP-LISTEN:9000,fork,reuseaddr", "EXEC:cat"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 8080
    targetPort: 80
`;

/** GET http://127.0.0.1:PORT/ on a fresh connection. */
function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** `kubectl port-forward ARGS` in the background, once it says it listens. */
async function portForward(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; out: () => string; stop: () => Promise<void> }> {
  const child = spawn(KUBECTL, ['port-forward', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, ...env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  try {
    await until(`kubectl port-forward ${args.join(' ')} listening`, async () => {
      if (child.exitCode !== null) throw new Error(`kubectl exited ${child.exitCode}: ${out}`);
      return /Forwarding from 127\.0\.0\.1:\d+ ->/.test(out) ? true : undefined;
    }, 20_000, 100);
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, out: () => out, stop };
}

const TWO = `apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  nodeSelector:
    rack: rack1
  containers:
  - name: logger
    image: busybox
    command: ["sh", "-c", "i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.3; done"]
  - name: side
    image: busybox
    command: ["sleep", "3600"]
`;

before(async () => {
  assert.ok(existsSync(join(REPO, 'dist/cluster/node/main.js')), 'run npm run build first (the node containers run dist/)');
  ({ dir, file } = await writeClusterLab(name));
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
  kubeconfig = (await lab(['kubeconfig', '-t', file])).stdout.trim();
  const r = await kubectl(['apply', '-f', '-'], { input: `${TWO}---\n${WEB}` });
  assert.equal(r.code, 0, r.stderr);
  await until('pods Running', async () => {
    const j = JSON.parse(await ok('get', 'pods', '-o', 'json')) as { items: Array<{ status: { phase: string; containerStatuses?: Array<{ ready: boolean }> } }> };
    return j.items.length === 5 && j.items.every((p) => p.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready)) ? true : undefined;
  }, 60_000, 500);
});
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl streaming verbs', { concurrency: false }, () => {
  it('exec: stdout and stderr apart, the exit code, inside the pod netns', async () => {
    const r = await kubectl(['exec', 'nettool-1', '--', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'to-out');
    assert.match(r.stderr, /^to-err$/m);
    assert.match(r.stderr, /command terminated with exit code 3/);
    const ip = (await ok('get', 'pod', 'nettool-1', '-o', 'jsonpath={.status.podIP}')).trim();
    assert.match(await ok('exec', 'nettool-1', '--', 'ip', '-4', 'addr', 'show', 'dev', 'eth0'), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
    const ip2 = (await ok('get', 'pod', 'nettool-2', '-o', 'jsonpath={.status.podIP}')).trim();
    assert.match(await ok('exec', 'nettool-1', '--', 'ping', '-c', '1', '-W', '2', ip2), /1 received/);
  });

  it('exec -i: stdin reaches the command and its end ends it', async () => {
    const r = await kubectl(['exec', '-i', 'nettool-2', '--', 'sh', '-c', 'wc -c; echo done'], { input: 'x'.repeat(100_000) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').map((l) => l.trim()), ['100000', 'done']);
  });

  it('exec -it through a pseudo-terminal: a tty in the pod with the terminal size kubectl sends', async () => {
    const inner = `stty rows 33 cols 101; ${KUBECTL} exec -it nettool-1 -- sh -c 'sleep 1; tty; stty size; echo typed:; read x; echo got-$x'`;
    const r = await execa('script', ['-qfec', inner, '/dev/null'], { env: { KUBECONFIG: kubeconfig }, input: 'hello\n', reject: false, timeout: 60_000 });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    assert.match(r.stdout, /^33 101\r?$/m);
    assert.match(r.stdout, /got-hello/);
  });

  it('exec -c picks the container; a wrong one is refused by name', async () => {
    assert.equal((await ok('exec', 'two', '-c', 'side', '--', 'echo', 'side-ok')).trim(), 'side-ok');
    const bad = await kubectl(['exec', 'two', '-c', 'nope', '--', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod two/);
  });

  it('cp of a 10 MB file both ways, checksums equal', async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const local = join(dir, 'big.bin');
    writeFileSync(local, data);
    const up = await kubectl(['cp', local, 'default/nettool-1:/tmp/big.bin']);
    assert.equal(up.code, 0, up.stderr);
    const inPod = (await ok('exec', 'nettool-1', '--', 'sha256sum', '/tmp/big.bin')).split(/\s+/)[0];
    assert.equal(inPod, sha(data));
    const back = join(dir, 'back.bin');
    const down = await kubectl(['cp', 'default/nettool-1:/tmp/big.bin', back]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha(readFileSync(back)), sha(data));
    await ok('exec', 'nettool-1', '--', 'rm', '-f', '/tmp/big.bin');
  });

  it('logs -c --tail, logs -f sees new lines, --previous without a restart is refused', async () => {
    const tail = (await ok('logs', 'two', '-c', 'logger', '--tail=2')).trim().split('\n');
    assert.equal(tail.length, 2);
    assert.ok(tail.every((l) => /^line-\d+$/.test(l)), tail.join('|'));
    const last = Number(tail[1]!.slice(5));
    const f = spawn(KUBECTL, ['logs', '-f', 'two', '-c', 'logger', '--tail=1'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    let out = '';
    f.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until('logs -f shows newer lines', async () => {
        const ns = [...out.matchAll(/line-(\d+)/g)].map((m) => Number(m[1]));
        return ns.filter((n) => n > last + 2).length >= 2 ? true : undefined;
      }, 15_000, 200);
    } finally {
      f.kill();
    }
    const prev = await kubectl(['logs', 'two', '-c', 'logger', '--previous']);
    assert.notEqual(prev.code, 0);
    assert.match(prev.stderr, /previous terminated container "logger" in pod "two" not found/);
  });

  it('SPDY-only exec clients get a clear Status', async () => {
    const spdy = await kubectl(['exec', 'nettool-1', '--', 'true'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
    assert.notEqual(spdy.code, 0);
    assert.match(spdy.stderr, /WebSocket only/);
  });

  it('port-forward pod/web 18080:80 (SPDY tunnelled in WebSocket): pages fetched through 127.0.0.1, one connection after another', async () => {
    const pf = await portForward(['pod/web', '18080:80', '-v=4']);
    try {
      // the WebSocket tunnel itself answered: no fallback to plain SPDY
      assert.match(pf.out(), /negotiated protocol: portforward\.k8s\.io/);
      assert.doesNotMatch(pf.out(), /fallback/i);
      const first = await until('a page through the forward', () => get(18080).then((r) => (r.status === 200 ? r : undefined)), 20_000, 300);
      assert.equal(first.body, `served by web: ${TOKEN}\n`);
      for (let i = 0; i < 3; i++) assert.deepEqual(await get(18080), first);
      assert.match(pf.out(), /Handling connection for 18080/);
      assert.doesNotMatch(pf.out(), /^E\d{4} /m, 'no error logged by kubectl');
    } finally {
      await pf.stop();
    }
  });

  it('port-forward over plain SPDY (the fallback) and to svc/web', async () => {
    const spdy = await portForward(['pod/web', '18081:80', '-v=4'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    try {
      assert.doesNotMatch(spdy.out(), /WebSocket/);
      assert.equal((await until('a page over SPDY', () => get(18081).then((r) => (r.status === 200 ? r : undefined)), 20_000, 300)).body, `served by web: ${TOKEN}\n`);
    } finally {
      await spdy.stop();
    }
    const svc = await portForward(['svc/web', '18082:8080']);
    try {
      assert.equal((await get(18082)).body, `served by web: ${TOKEN}\n`);
      assert.match(svc.out(), /Forwarding from 127\.0\.0\.1:18082 -> 80/);
    } finally {
      await svc.stop();
    }
  });

  it('port-forward carries 10 MB both ways on one connection (an echo server in the pod), checksums equal', async () => {
    const pf = await portForward(['pod/echo', '18084:9000']);
    try {
      const data = randomBytes(10 * 1024 * 1024);
      const back = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let n = 0;
        const s = net.connect(18084, '127.0.0.1');
        s.setTimeout(30_000, () => s.destroy(new Error(`timed out after ${n} bytes`)));
        s.on('data', (d: Buffer) => {
          chunks.push(d);
          n += d.length;
          if (n >= data.length) {
            s.destroy();
            resolve(Buffer.concat(chunks));
          }
        });
        s.on('error', reject);
        s.on('close', () => n < data.length && reject(new Error(`closed after ${n} bytes`)));
        s.write(data);
      });
      assert.equal(sha(back), sha(data));
    } finally {
      await pf.stop();
    }
  });

  it('port-forward to a port nothing listens on: the error stream names the pod and the refusal', async () => {
    const pf = await portForward(['pod/web', '18083:81']);
    try {
      await assert.rejects(get(18083));
      await until('the forwarding error', async () => (/error forwarding port 81 to pod web_default, uid [0-9a-f-]+: .*Connection refused/i.test(pf.out()) ? true : undefined), 10_000, 200);
    } finally {
      await pf.stop();
    }
  });

  it('events: describe pod tells the story (Scheduled, Pulled, Created, Started); BackOff for a crashing pod; Killing on delete', async () => {
    const d = await ok('describe', 'pod', 'nettool-1');
    const events = d.slice(d.indexOf('Events:'));
    for (const re of [/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/nettool-1 to /, /Normal\s+Pulled\s+.*kubelet\s+Container image "cr7258\/nettool:v1" already present on machine/, /Normal\s+Created\s+.*Created container nettool-1/, /Normal\s+Started\s+.*Started container nettool-1/])
      assert.match(events, re);
    assert.equal((await kubectl(['run', 'crash', '--image=busybox', '--restart=Always', '--command', '--', 'sh', '-c', 'exit 1'])).code, 0);
    await until('BackOff event for crash', async () => {
      const r = await ok('get', 'events', '--field-selector', 'involvedObject.name=crash', '-o', 'custom-columns=T:.type,R:.reason,M:.message', '--no-headers');
      return /Warning\s+BackOff\s+Back-off restarting failed container crash in pod crash_default/.test(r) ? r : undefined;
    }, 30_000, 500);
    await ok('delete', 'pod', 'two', '--wait=true');
    const killing = await ok('get', 'events', '--field-selector', 'involvedObject.name=two,reason=Killing', '-o', 'custom-columns=M:.message', '--no-headers');
    assert.deepEqual(killing.trim().split('\n').sort(), ['Stopping container logger', 'Stopping container side']);
    assert.match(await ok('get', 'events'), /Normal\s+Scheduled\s+pod\/two\s+Successfully assigned default\/two to /);
  });

  it('destroy leaves nothing', async () => {
    const d = await lab(['destroy', '-t', file, '--cleanup']);
    assert.equal(d.exitCode, 0, d.stderr);
    assert.deepEqual(await leftovers(name), NOTHING);
  });
});
