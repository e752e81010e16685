/**
 * The embedded cluster in a lab, through the real CLI, Docker and /usr/bin/kubectl: a 4-node
 * cluster (the Cilium article's cluster.yaml) comes up with deterministic pod CIDRs and the
 * article's INTERNAL-IPs, the API is published on 127.0.0.1 only, manifests are applied, the API
 * state survives a control-plane restart, and destroy leaves nothing (containers, networks,
 * veths, iptables rules). With the node daemon built: pods Running in their node's CIDR,
 * `lab exec pod/…`, pod-to-pod across nodes, ClusterIP from a pod, NodePort from another node.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { NODE_IPS, POD_CIDRS, SHORT, writeClusterLab } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';
const HAS_NODE_DAEMON = existsSync(join(REPO, 'dist/cluster/node/main.js'));
const NEEDS_DAEMON = HAS_NODE_DAEMON ? false : 'the node daemon (dist/cluster/node/main.js) is not built yet';

const name = uniqueLabName('kl-k8s');
const containers = SHORT.map((s) => `${name}-${s}`);
let dir = '';
let file = '';
let kubeconfig = '';

async function kubectl(...args: string[]): Promise<string> {
  const r = await execa(KUBECTL, args, { env: { KUBECONFIG: kubeconfig }, reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function dockerUserRules(): Promise<string[]> {
  const r = await execa('iptables', ['-w', '5', '-S', 'DOCKER-USER'], { reject: false });
  return r.stdout.split('\n').filter((l) => l.includes(`kindlab:${name}:api`));
}

before(async () => {
  assert.ok(existsSync(join(REPO, 'dist/cluster/apiserver/main.js')), 'run npm run build first (the node containers run dist/)');
  ({ dir, file } = await writeClusterLab(name));
});
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cluster lab', { concurrency: false }, () => {
  it('deploys; lab kubeconfig prints the path and the content', async () => {
    const up = await lab(['deploy', '-t', file]);
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    const k = await lab(['kubeconfig', '-t', file]);
    assert.equal(k.exitCode, 0, k.stderr);
    kubeconfig = k.stdout.trim();
    assert.equal(kubeconfig, join(dir, `lab-${name}`, 'kubeconfig'));
    const c = await lab(['kubeconfig', '-t', file, '--content']);
    assert.match(c.stdout, /server: https:\/\/127\.0\.0\.1:\d+/);
    assert.match(c.stdout, new RegExp(`current-context: kind-${name}`));
  });

  it('kubectl get nodes -o wide: 4 Ready nodes with the article\'s INTERNAL-IPs; pod CIDRs by index', async () => {
    const out = await kubectl('get', 'nodes', '-o', 'wide');
    const rows = out.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[5]]), containers.map((c, i) => [c, 'Ready', NODE_IPS[i]]));
    assert.equal(rows[0]![2], 'control-plane');
    const cidrs = await kubectl('get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}{"\\n"}{end}');
    assert.deepEqual(cidrs.trim().split('\n'), containers.map((c, i) => `${c}=${POD_CIDRS[i]}`));
    const racks = await kubectl('get', 'nodes', '-L', 'rack', '--no-headers', '-o', 'custom-columns=N:.metadata.name,R:.metadata.labels.rack');
    assert.deepEqual(racks.trim().split('\n').map((l) => l.split(/\s+/)[1]), ['rack0', 'rack0', 'rack1', 'rack1']);
  });

  it('the API is published on 127.0.0.1 only, its network fenced by DOCKER-USER rules', async () => {
    const port = await execa('docker', ['port', containers[0]!, '6443/tcp']);
    assert.match(port.stdout.trim(), /^127\.0\.0\.1:\d+$/);
    assert.equal((await execa('docker', ['port', containers[1]!])).stdout.trim(), '', 'workers publish nothing');
    const rules = await dockerUserRules();
    assert.equal(rules.length, 2, rules.join('\n'));
    assert.ok(rules.every((r) => / -j DROP$/.test(r)));
    const net = await execa('docker', ['network', 'inspect', `kindlab-${name}-api`, '-f', '{{index .Options "com.docker.network.bridge.enable_ip_masquerade"}}']);
    assert.equal(net.stdout.trim(), 'false');
    const mgmt = await execa('docker', ['network', 'inspect', `kindlab-${name}`, '-f', '{{.Internal}}']);
    assert.equal(mgmt.stdout.trim(), 'true', 'the management network stays internal');
  });

  it('the API port is fenced (defect 7): a worker gets 401, the bridge container and the host through the mgmt network a reset', async () => {
    const ip = (await execa('docker', ['inspect', '-f', `{{(index .NetworkSettings.Networks "kindlab-${name}").IPAddress}}`, containers[0]!])).stdout.trim();
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    const probe = `curl -sk -m 5 -o /dev/null -w '%{http_code}' https://${ip}:6443/api; echo " rc=$?"`;
    const fromWorker = await lab(['exec', '-t', file, 'worker', '--', 'sh', '-c', probe]);
    assert.match(fromWorker.stdout, /^401 rc=0/, `${fromWorker.stdout}\n${fromWorker.stderr}`);
    // sw is a lab container on the mgmt network but no cluster node: connection reset (curl 7 or 56), no HTTP answer
    const fromSw = await lab(['exec', '-t', file, 'sw', '--', 'sh', '-c', probe]);
    assert.match(fromSw.stdout, /^000 rc=(7|35|56)/, `${fromSw.stdout}\n${fromSw.stderr}`);
    const fromHost = await execa('sh', ['-c', probe], { reject: false });
    assert.match(fromHost.stdout, /^000 rc=(7|35|56)/, fromHost.stdout);
    // the host's way in, the published port, still answers
    const port = (await execa('docker', ['port', containers[0]!, '6443/tcp'])).stdout.trim();
    const published = await execa('sh', ['-c', `curl -sk -m 5 -o /dev/null -w '%{http_code}' https://${port}/api`], { reject: false });
    assert.equal(published.stdout, '401');
  });

  it('manifests applied: nettool pods scheduled by their rack nodeSelector', async () => {
    const out = await kubectl('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{"\\n"}{end}');
    const where = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=')));
    assert.ok([containers[1]].includes(where['nettool-1']), `nettool-1 on ${where['nettool-1']} (rack0 worker; the control-plane is tainted)`);
    assert.ok([containers[2], containers[3]].includes(where['nettool-2']), `nettool-2 on ${where['nettool-2']} (rack1)`);
  });

  it('pods Running with an IP from their node\'s pod CIDR; lab exec pod/nettool-1 -- ip addr', { skip: NEEDS_DAEMON }, async () => {
    const pods = await until('nettool pods Running', async () => {
      const j = JSON.parse(await kubectl('get', 'pods', '-o', 'json')) as { items: Array<{ metadata: { name: string }; spec: { nodeName: string }; status: { phase: string; podIP?: string } }> };
      return j.items.length === 2 && j.items.every((p) => p.status.phase === 'Running' && p.status.podIP) ? j.items : undefined;
    }, 30_000);
    for (const p of pods) {
      const idx = containers.indexOf(p.spec.nodeName);
      assert.ok(p.status.podIP!.startsWith(POD_CIDRS[idx]!.replace('0/24', '')), `${p.metadata.name} ${p.status.podIP} in ${POD_CIDRS[idx]}`);
    }
    const ip1 = pods.find((p) => p.metadata.name === 'nettool-1')!.status.podIP!;
    const ex = await lab(['exec', '-t', file, 'pod/nettool-1', '--', 'ip', '-4', 'addr', 'show', 'dev', 'eth0']);
    assert.equal(ex.exitCode, 0, ex.stderr);
    assert.match(ex.stdout, new RegExp(`inet ${ip1.replace(/\./g, '\\.')}/24`));
    const ns = await lab(['exec', '-t', file, 'pod/default/nettool-1', '--', 'hostname', '-I']);
    assert.equal(ns.exitCode, 0, ns.stderr);
  });

  it('pod to pod across nodes on the shared L2 segment', { skip: NEEDS_DAEMON }, async () => {
    const ip2 = (await kubectl('get', 'pod', 'nettool-2', '-o', 'jsonpath={.status.podIP}')).trim();
    const ping = await lab(['exec', '-t', file, 'pod/nettool-1', '--', 'ping', '-c', '2', '-W', '2', ip2]);
    assert.equal(ping.exitCode, 0, `${ping.stdout}\n${ping.stderr}`);
    assert.match(ping.stdout, /2 received/);
  });

  it('ClusterIP from a pod returns nginx\'s page; NodePort answers from another node', { skip: NEEDS_DAEMON }, async () => {
    await kubectl('create', 'deployment', 'nginx', '--image=nginx', '--replicas=1');
    await kubectl('expose', 'deployment', 'nginx', '--port=80');
    const ip = (await kubectl('get', 'svc', 'nginx', '-o', 'template', '--template={{.spec.clusterIP}}')).trim();
    const page = await until('nginx behind its ClusterIP', async () => {
      const r = await lab(['exec', '-t', file, 'pod/nettool-1', '--', 'curl', '-s', '-m', '3', `http://${ip}/`]);
      return r.exitCode === 0 && /Welcome to nginx/.test(r.stdout) ? r.stdout : undefined;
    }, 30_000, 500);
    assert.match(page, /<title>Welcome to nginx!<\/title>/);
    await kubectl('patch', 'svc', 'nginx', '-p', '{"spec":{"type":"NodePort"}}');
    const nodePort = (await kubectl('get', 'svc', 'nginx', '-o', 'jsonpath={.spec.ports[0].nodePort}')).trim();
    const nginxNode = (await kubectl('get', 'pods', '-l', 'app=nginx', '-o', 'jsonpath={.items[0].spec.nodeName}')).trim();
    const other = containers.find((c) => c !== nginxNode && c !== containers[0])!;
    const target = NODE_IPS[containers.indexOf(other)]!;
    const np = await until(`NodePort ${target}:${nodePort}`, async () => {
      const r = await execa('docker', ['exec', containers.find((c) => c !== other)!, 'curl', '-s', '-m', '3', `http://${target}:${nodePort}/`], { reject: false });
      return /Welcome to nginx/.test(r.stdout) ? r.stdout : undefined;
    }, 30_000, 500);
    assert.match(np, /Welcome to nginx/);
  });

  it('lab fault agent: kill and restart are recorded with the node daemon\'s next agent run; stop holds it down until clear', async () => {
    // the agent runs inside the node daemon's process (one Node.js process per node); its control socket says which run
    const status = async () => {
      const r = await execa('docker', ['exec', containers[1]!, 'curl', '-s', '--unix-socket', '/run/kindlab/agent-host.sock', 'http://agent/status'], { reject: false });
      return r.exitCode === 0 ? (JSON.parse(r.stdout) as { running: boolean; run: number; pid: number }) : undefined;
    };
    const agentRun = async () => {
      const s = await status();
      return s?.running ? String(s.run) : '';
    };
    const first = await until('the agent on worker', async () => (await agentRun()) || undefined, 15_000);
    const daemonPid = (await execa('docker', ['exec', containers[1]!, 'pgrep', '-f', 'dist/cluster/node/main\\.js'])).stdout.trim();
    assert.equal(String((await status())!.pid), daemonPid, 'the agent runs in the node daemon');
    assert.equal((await execa('docker', ['exec', containers[1]!, 'pgrep', '-f', '(agent/cli|bin/lab-agent)\\.js k8s'], { reject: false })).stdout.trim(), '', 'no separate agent process');
    const kill = await lab(['fault', '-t', file, 'agent', 'worker', 'kill']);
    assert.equal(kill.exitCode, 0, `${kill.stdout}\n${kill.stderr}`);
    const m = /agent worker killed \(SIGKILL\) run (\d+); its node daemon started run (\d+) (\d+) ms later/.exec(kill.stdout);
    assert.ok(m, kill.stdout);
    assert.equal(m[1], first);
    assert.equal(m[2], await agentRun(), 'the new agent runs');
    // the host's own log line in the agent's log: the run was killed, the next one started 1 s later
    const log = await execa('docker', ['exec', containers[1]!, 'cat', '/var/lib/kindlab/node/logs/agent.log']);
    assert.match(log.stdout, /agent exited \(restarted in 1 s while agent.enabled exists\)","how":"kill","run":\d+/);
    const restart = await lab(['fault', '-t', file, 'agent', 'worker', 'restart']);
    assert.match(restart.stdout, /agent worker restarted \(SIGTERM\) run \d+; its node daemon started run \d+/, restart.stderr);
    const router = await lab(['fault', '-t', file, 'agent', 'sw', 'kill']);
    assert.notEqual(router.exitCode, 0);
    assert.match(router.stderr, /only k8s-node nodes run the kindlab BGP agent/);
    const stop = await lab(['fault', '-t', file, 'agent', 'worker', 'stop']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    await until('no agent on worker', async () => ((await agentRun()) ? undefined : true), 10_000);
    const list = await lab(['fault', '-t', file, 'list']);
    assert.match(list.stdout, /agent worker killed/);
    assert.match(list.stdout, /agent worker stopped/);
    const clear = await lab(['fault', '-t', file, 'clear']);
    assert.equal(clear.exitCode, 0, clear.stderr);
    assert.match(clear.stdout, /restored: agent worker stopped/);
    assert.ok(await until('the agent back on worker', async () => (await agentRun()) || undefined, 15_000));
  });

  it('the API state survives a restart of the control-plane container (same port, same objects)', async () => {
    const before = (await execa('docker', ['port', containers[0]!, '6443/tcp'])).stdout.trim();
    const uid = (await kubectl('get', 'pod', 'nettool-1', '-o', 'jsonpath={.metadata.uid}')).trim();
    await execa('docker', ['restart', '-t', '1', containers[0]!]);
    assert.equal((await execa('docker', ['port', containers[0]!, '6443/tcp'])).stdout.trim(), before);
    const again = await until('the API back after the restart', async () => (await kubectl('get', 'pod', 'nettool-1', '-o', 'jsonpath={.metadata.uid}')).trim() || undefined, 30_000);
    assert.equal(again, uid);
    // the fence comes back with the container (boot.sh sets it at every start)
    const fence = await execa('docker', ['exec', containers[0]!, 'iptables', '-S', 'KL-API-FENCE']);
    assert.match(fence.stdout, /-j REJECT --reject-with tcp-reset/);
  });

  it('lab export logs: every node\'s logs and state, the API server and node daemon logs, no key or token', async () => {
    const out = join(tmpdir(), `kindlab-export-${name}`);
    try {
      const r = await lab(['export', 'logs', '-t', file, out]);
      assert.equal(r.exitCode, 0, r.stderr);
      const files = (await readdir(out, { recursive: true })).map(String);
      assert.ok(files.includes(join('lab-dir', 'cluster', 'apiserver.log')), files.join(' '));
      assert.ok(files.some((f) => /^lab-dir\/[^/]+\/logs\/node\.log$/.test(f)), 'a node daemon log');
      assert.ok(files.some((f) => /^nodes\/[^/]+\/ip-route\.txt$/.test(f)));
      assert.deepEqual(files.filter((f) => /ca\.key|token|kubeconfig|\bstore\b|pki/.test(f)), [], 'no secret exported');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('destroy leaves nothing: containers, networks, veths, netns, iptables rules, the API bridge', async () => {
    const bridge = (await execa('docker', ['network', 'inspect', `kindlab-${name}-api`, '-f', '{{index .Options "com.docker.network.bridge.name"}}'])).stdout.trim();
    const down = await lab(['destroy', '-t', file]);
    assert.equal(down.exitCode, 0, down.stderr);
    assert.match(down.stdout, /2 iptables DOCKER-USER rules/);
    assert.deepEqual(await leftovers(name), NOTHING);
    assert.deepEqual(await dockerUserRules(), []);
    const link = await execa('ip', ['link', 'show', 'dev', bridge], { reject: false });
    assert.notEqual(link.exitCode, 0, `bridge ${bridge} still exists`);
  });
});
