/**
 * Pods run their real images (issue 12): a small cluster lab (real Docker, real kubectl) runs a pod
 * whose image exists only as a locally built one (busybox-static httpd serving a token). Proven by
 * content only that image has (from another pod over the pod network, and by kubectl exec/logs in
 * it), then: deleting the pod, restarting its node container and destroying the lab leave no
 * container. An image that cannot be had falls back to the stand-in, said in status and an Event.
 * In the image: a liveness probe restarting the container (exec in it), env from valueFrom, logs
 * of the run before (-p), and `kubectl attach -it` to its own shell.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { KUBECTL } from './kubectl-helpers.js';
import { uniqueLabName } from './plan-helpers.js';
import { buildHttpdImage, writeSmallClusterLab } from './pod-images.js';

const name = uniqueLabName('kl-podimg');
const TOKEN = `only-in-image-${randomBytes(6).toString('hex')}`;
const IMAGE = `kindlab-e2e/httpd-static:${TOKEN.slice(-12)}`;
const WORKER = `${name}-worker`;
const CP = `${name}-control-plane`;
let dir = '';
let file = '';
let kubeconfig = '';

async function kubectl(args: string[], input?: string) {
  const r = await execa(KUBECTL, args, { env: { KUBECONFIG: kubeconfig }, reject: false, timeout: 60_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
async function dockerPs(filter: string): Promise<string[]> {
  return lines((await execa('docker', ['ps', '-a', '--filter', filter, '--format', '{{.Names}} {{.State}}'])).stdout);
}

const WEB = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-extra
data:
  extra.txt: "from the configmap"
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: ${WORKER}
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: ${IMAGE}
    imagePullPolicy: Never
    command: ["/bin/sh", "-c"]
    args: ["echo started-$GREETING; exec busybox httpd -f -p 8080 -h /www"]
    env:
    - name: GREETING
      value: hello-env
    ports:
    - containerPort: 8080
    readinessProbe:
      httpGet:
        port: 8080
        path: /
      periodSeconds: 1
    volumeMounts:
    - name: extra
      mountPath: /www/extra
    - name: scratch
      mountPath: /scratch
  volumes:
  - name: extra
    configMap:
      name: web-extra
  - name: scratch
    emptyDir: {}
`;
const CLIENT = `apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: ${CP}
  tolerations:
  - operator: Exists
  containers:
  - name: tools
    image: busybox
    command: ["sleep", "infinity"]
---
apiVersion: v1
kind: Pod
metadata:
  name: absent
spec:
  nodeName: ${WORKER}
  containers:
  - name: main
    image: kindlab-e2e/not-built-anywhere:1
    imagePullPolicy: Never
    command: ["sleep", "infinity"]
`;

/** Run 1 has no /tmp/alive (its exec liveness probe fails twice: killed); run 2 makes it. Env from the Downward API and a Secret. */
const PROBED = `apiVersion: v1
kind: Secret
metadata: {name: probed-sec}
stringData: {token: tok-123}
---
apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  nodeName: ${WORKER}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${IMAGE}
    imagePullPolicy: Never
    command: ["/bin/sh", "-c"]
    args: ["n=$(( $(cat /scratch/n 2>/dev/null || echo 0) + 1 )); echo $n > /scratch/n; echo run-$n-$(POD_NAME); if [ $n -ge 2 ]; then touch /tmp/alive; fi; exec busybox httpd -f -p 8080 -h /www"]
    env:
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: probed-sec, key: token}}
    livenessProbe:
      exec: {command: ["cat", "/tmp/alive"]}
      periodSeconds: 1
      failureThreshold: 2
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  volumes:
  - name: scratch
    emptyDir: {}
`;
const RTTY = `apiVersion: v1
kind: Pod
metadata:
  name: rtty
spec:
  nodeName: ${WORKER}
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: sh
    image: ${IMAGE}
    imagePullPolicy: Never
    command: ["/bin/sh"]
    stdin: true
    stdinOnce: true
    tty: true
`;

const podJson = async (pod: string) => JSON.parse(await ok('get', 'pod', pod, '-o', 'json')) as { metadata: { uid: string }; status: { phase: string; podIP?: string; message?: string; containerStatuses?: Array<{ ready: boolean; containerID?: string }> } };
async function webReady(): Promise<string> {
  return until('web Running and Ready', async () => {
    const p = await podJson('web');
    return p.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready) && p.status.podIP ? p.status.podIP : undefined;
  }, 60_000, 300);
}

before(async () => {
  assert.ok(existsSync(join(REPO, 'dist/cluster/node/main.js')), 'run npm run build first (the node containers run dist/)');
  await buildHttpdImage(IMAGE, TOKEN);
  ({ dir, file } = await writeSmallClusterLab(name));
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
  kubeconfig = (await lab(['kubeconfig', '-t', file])).stdout.trim();
  const r = await kubectl(['apply', '-f', '-'], `${WEB}---\n${CLIENT}`);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await forceDestroy(name);
  await execa('docker', ['rmi', '-f', IMAGE], { reject: false });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pods run their real images', { concurrency: false }, () => {
  it('the image runs for real: its content over the pod network, exec and logs in it, its volumes', async () => {
    const ip = await webReady();
    const web = await podJson('web');
    assert.match(web.status.containerStatuses![0]!.containerID ?? '', /^docker:\/\/[0-9a-f]{64}$/);
    await until('client Running', async () => ((await podJson('client')).status.phase === 'Running' ? true : undefined), 60_000, 300);
    // From another pod on the other node, through the pod network: only this image serves the token.
    assert.equal((await ok('exec', 'client', '--', 'curl', '-s', '--max-time', '5', `http://${ip}:8080/`)).trim(), TOKEN);
    // kubectl exec runs in the image (busybox's cat; the node image has no /www).
    assert.equal((await ok('exec', 'web', '--', 'cat', '/www/index.html')).trim(), TOKEN);
    assert.equal((await ok('exec', 'web', '--', 'cat', '/www/extra/extra.txt')).trim(), 'from the configmap');
    assert.equal((await ok('exec', 'web', '--', 'sh', '-c', 'echo x > /scratch/f && cat /scratch/f')).trim(), 'x');
    const ex = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo to-err >&2; exit 4']);
    assert.equal(ex.code, 4, ex.stderr);
    assert.match(ex.stderr, /^to-err$/m);
    assert.equal((await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'wc -c'], 'y'.repeat(5000))).stdout.trim(), '5000');
    // -it: a terminal made by the engine, with the size kubectl sends.
    const inner = `stty rows 31 cols 97; ${KUBECTL} exec -it web -- sh -c 'sleep 1; busybox tty; busybox stty size; read x; echo got-$x'`;
    const tty = await execa('script', ['-qfec', inner, '/dev/null'], { env: { KUBECONFIG: kubeconfig }, input: 'hi\n', reject: false, timeout: 60_000 });
    assert.equal(tty.exitCode, 0, `${tty.stdout}\n${tty.stderr}`);
    assert.match(tty.stdout, /\/dev\/pts\/\d+/);
    assert.match(tty.stdout, /^31 97\r?$/m);
    assert.match(tty.stdout, /got-hi/);
    // The pod's address is in the container's own network namespace.
    assert.match(await ok('exec', 'web', '--', 'cat', '/proc/net/fib_trie'), new RegExp(ip.replace(/\./g, '\\.')));
    assert.match(await ok('logs', 'web'), /^started-hello-env$/m);
    // kubectl cp both ways (tar in the image, through exec).
    await ok('cp', 'web:/www/index.html', join(dir, 'copied.html'));
    assert.equal(readFileSync(join(dir, 'copied.html'), 'utf8').trim(), TOKEN);
    writeFileSync(join(dir, 'up.txt'), 'uploaded\n');
    await ok('cp', join(dir, 'up.txt'), 'web:/scratch/up.txt');
    assert.equal((await ok('exec', 'web', '--', 'cat', '/scratch/up.txt')).trim(), 'uploaded');
    // Two containers on the engine for the pod (sandbox + httpd), labelled with the lab, hidden from inspect.
    assert.equal((await dockerPs(`label=io.kubernetes.pod.uid=${web.metadata.uid}`)).length, 2);
    assert.equal((await dockerPs(`label=kindlab.lab=${name}`)).filter((l) => l.startsWith('k8s_')).length, 2);
    const inspect = JSON.parse((await lab(['inspect', '--name', name, '--format', 'json'])).stdout) as { nodes: Array<{ container: string }> };
    assert.ok(!inspect.nodes.some((n) => n.container.startsWith('k8s_')), 'pod containers hidden by default');
    const all = JSON.parse((await lab(['inspect', '--name', name, '--pods', '--format', 'json'])).stdout) as { nodes: Array<{ container: string; podOf?: string }> };
    assert.equal(all.nodes.filter((n) => n.podOf === WORKER).length, 2);
    // Pod containers are not nodes: deploying the lab again finds it complete.
    const again = await lab(['deploy', '-t', file]);
    assert.equal(again.exitCode, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(`${again.stdout}${again.stderr}`, /already deployed/);
  });

  it('an image that cannot be had runs the stand-in, said in the status message and an Event', async () => {
    const p = await until('absent Running', async () => {
      const j = await podJson('absent');
      return j.status.phase === 'Running' ? j : undefined;
    }, 60_000, 300);
    assert.match(p.status.message ?? '', /container main runs a stand-in: image "kindlab-e2e\/not-built-anywhere:1" is not present with pull policy of Never/);
    const ev = await until('StandIn event', async () => {
      const out = await ok('get', 'events', '--field-selector', 'involvedObject.name=absent', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}');
      return out.includes('StandIn') ? out : undefined;
    }, 20_000, 500);
    assert.match(ev, /StandIn/);
  });

  it('in the image: a liveness probe (exec in the container) restarts it; env from valueFrom; logs -p; attach -it to its shell', async () => {
    assert.equal((await kubectl(['apply', '-f', '-'], `${PROBED}---\n${RTTY}`)).code, 0);
    type Cs = { ready: boolean; restartCount: number; state: Record<string, unknown>; lastState?: { terminated?: { exitCode: number } } };
    const c = await until('probed restarted once, running', async () => {
      const p = JSON.parse(await ok('get', 'pod', 'probed', '-o', 'json')) as { status: { containerStatuses?: Cs[] } };
      const x = p.status.containerStatuses?.[0];
      return x && x.restartCount >= 1 && x.ready && x.state['running'] ? x : undefined;
    }, 60_000, 500);
    assert.equal(c.restartCount, 1);
    assert.ok(c.lastState?.terminated, JSON.stringify(c));
    const ev = await ok('get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'custom-columns=R:.reason,M:.message', '--no-headers');
    assert.match(ev, /Unhealthy\s+Liveness probe failed: cat: can't open '\/tmp\/alive': No such file or directory/);
    assert.match(ev, /Killing\s+Container app failed liveness probe, will be restarted/);
    assert.equal((await ok('logs', 'probed', '-p')).trim(), 'run-1-probed');
    assert.equal((await ok('logs', 'probed')).trim(), 'run-2-probed');
    const ip = (await podJson('probed')).status.podIP;
    assert.equal((await ok('exec', 'probed', '--', 'sh', '-c', 'echo $POD_NAME $POD_IP $TOKEN')).trim(), `probed ${ip} tok-123`);

    await until('rtty Running', async () => ((await podJson('rtty')).status.phase === 'Running' ? true : undefined), 60_000, 300);
    const r = await execa('script', ['-qfec', `${KUBECTL} attach -it rtty -c sh`, '/dev/null'], { env: { KUBECONFIG: kubeconfig }, input: 'echo attached-$((6*7)) $(busybox tty)\nexit 3\n', reject: false, timeout: 60_000 });
    assert.match(`${r.stdout}${r.stderr}`, /attached-42 \/dev\/pts\/\d+/);
    const done = await until('rtty Failed after its shell exited 3', async () => {
      const p = await podJson('rtty');
      return p.status.phase === 'Failed' ? p : undefined;
    }, 30_000, 300);
    assert.equal(JSON.stringify(done.status.containerStatuses?.[0]).includes('"exitCode":3'), true);
    await ok('delete', 'pod', 'probed', 'rtty', '--wait=false');
  });

  it('deleting the pod removes its containers', async () => {
    const uid = (await podJson('web')).metadata.uid;
    await ok('delete', 'pod', 'web', '--wait=true');
    await until('web containers gone', async () => ((await dockerPs(`label=io.kubernetes.pod.uid=${uid}`)).length === 0 ? true : undefined), 30_000, 300);
  });

  it('restarting the node container leaves no orphan: the pod runs again in exactly its two containers', async () => {
    const r = await kubectl(['apply', '-f', '-'], WEB);
    assert.equal(r.code, 0, r.stderr);
    await webReady();
    const uid = (await podJson('web')).metadata.uid;
    const before = await dockerPs(`label=io.kubernetes.pod.uid=${uid}`);
    const ids = lines((await execa('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=io.kubernetes.pod.uid=${uid}`])).stdout);
    assert.equal(before.length, 2);
    const re = await lab(['node', 'restart', '-t', file, 'worker']);
    assert.equal(re.exitCode, 0, `${re.stdout}\n${re.stderr}`);
    const ip = await until('web served again after the node restart', async () => {
      const p = await podJson('web');
      const now = lines((await execa('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=io.kubernetes.pod.uid=${uid}`])).stdout);
      return p.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready) && now.length === 2 && now.every((id) => !ids.includes(id)) ? p.status.podIP : undefined;
    }, 90_000, 500);
    assert.ok(ip);
    // the other nodes' routes to the restarted node's pods come back with its repair, a moment after the pod is Ready
    const served = await until('the client reaches web again', async () => {
      const r = await kubectl(['exec', 'client', '--', 'curl', '-s', '--max-time', '5', `http://${ip}:8080/`]);
      return r.code === 0 ? r.stdout.trim() : undefined;
    }, 30_000, 500);
    assert.equal(served, TOKEN);
    const states = await dockerPs(`label=kindlab.pod-of=${WORKER}`);
    assert.ok(states.every((l) => l.endsWith(' running')), states.join('\n'));
  });

  it('destroying the lab leaves no container with its label', async () => {
    const d = await lab(['destroy', '-t', file, '--cleanup']);
    assert.equal(d.exitCode, 0, `${d.stdout}\n${d.stderr}`);
    assert.deepEqual(await dockerPs(`label=kindlab.lab=${name}`), []);
    assert.deepEqual(await leftovers(name), NOTHING);
  });
});
