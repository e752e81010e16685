/**
 * Two clusters in one lab, containerlab's k8s-kind form: two `k8s-kind` nodes (one single-node kind
 * cluster each) and an FRR router on one segment (a bridge node). The deploy brings both clusters
 * up, each with its own API server, kubeconfig (<labDir>/<cluster>/kubeconfig), management address
 * and pod CIDR (kind's default moved apart for the second cluster: 10.244.0.0/24 and
 * 10.245.0.0/24); each cluster's agent (kube-router dialect, flags from the topology's bgp:)
 * peers with the router, which learns both pod CIDRs. kubectl works against each kubeconfig and
 * sees only its own cluster. The topology-level bgp: puts the clusters in AS 65001; the second
 * cluster's k8s-kind node has its own bgp: (AS 65002), so the router sees both ASNs, and a pod of one
 * pings a pod of the other (and verify derives those pings both ways). lab kubeconfig --cluster, lab exec into either cluster's pod, verify's
 * derived checks and the graph know both clusters. Destroy removes both. Run under the docker lock.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';
const name = uniqueLabName('kl-2c');
const id = name.slice(-6);
const A = `ka${id}`;
const B = `kb${id}`;
let dir = '';
let file = '';

// kind's own form of a node address: kubeadm's node-ip (the agent peers and advertises from it)
const KIND = (nodeIP: string) => `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  kubeadmConfigPatches:
  - |
    kind: InitConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-ip: ${nodeIP}
`;
const FRR = [
  'ip addr add 10.0.0.1/24 dev net0',
  'touch /etc/frr/vtysh.conf',
  "sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons",
  '/usr/lib/frr/frrinit.sh start',
  "vtysh -c 'conf t' -c 'router bgp 65000' -c ' no bgp ebgp-requires-policy' -c ' neighbor 10.0.0.2 remote-as 65001' -c ' neighbor 10.0.0.3 remote-as 65002'",
];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-two-clusters-'));
  await writeFile(join(dir, 'a.yaml'), KIND('10.0.0.2'));
  await writeFile(join(dir, 'b.yaml'), KIND('10.0.0.3'));
  // the agents' flags are the topology's (one bgp: for every cluster, AS 65001), but B's node has its own (AS 65002)
  const node = (ip: string) => ({ kind: 'k8s-node', exec: [`ip addr add ${ip}/24 dev net0`] });
  const topo = {
    name,
    mgmt: { network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) },
    bgp: { dialect: 'kube-router', flags: ['--peer-router-ips=10.0.0.1', '--peer-router-asns=65000', '--cluster-asn=65001'] },
    topology: {
      nodes: {
        lan: { kind: 'bridge', image: 'kindlab/base:latest' },
        router: { kind: 'linux', image: 'frrouting/frr:v8.2.2', cmd: 'bash', exec: FRR },
        [A]: { kind: 'k8s-kind', 'startup-config': 'a.yaml' },
        [B]: { kind: 'k8s-kind', 'startup-config': 'b.yaml', bgp: { flags: ['--peer-router-ips=10.0.0.1', '--peer-router-asns=65000', '--cluster-asn=65002'] } },
        [`${A}-control-plane`]: node('10.0.0.2'),
        [`${B}-control-plane`]: node('10.0.0.3'),
      },
      links: [
        { endpoints: ['lan:p0', 'router:net0'] },
        { endpoints: ['lan:p1', `${A}-control-plane:net0`] },
        { endpoints: ['lan:p2', `${B}-control-plane:net0`] },
      ],
    },
  };
  file = join(dir, 'topo.yaml');
  await writeFile(file, stringify(topo));
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
});

after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const kubectl = async (cluster: string, args: string[]) => {
  const r = await execa(KUBECTL, args, { env: { KUBECONFIG: join(dir, `lab-${name}`, cluster, 'kubeconfig') }, reject: false, timeout: 30_000 });
  assert.equal(r.exitCode, 0, `kubectl (${cluster}) ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('two clusters: each its own API server and kubeconfig, its own node, mgmt address and pod CIDR', async () => {
  const seen: Record<string, { podCIDR: string; address: string }> = {};
  for (const c of [A, B]) {
    const nodes = JSON.parse(await kubectl(c, ['get', 'nodes', '-o', 'json'])) as { items: Array<{ metadata: { name: string }; spec: { podCIDR: string }; status: { conditions: Array<{ type: string; status: string }> } }> };
    assert.deepEqual(nodes.items.map((n) => n.metadata.name), [`${c}-control-plane`], `cluster ${c} sees only its own node`);
    const n = nodes.items[0]!;
    assert.equal(n.status.conditions.find((x) => x.type === 'Ready')?.status, 'True');
    const server = (await kubectl(c, ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
    seen[c] = { podCIDR: n.spec.podCIDR, address: server };
  }
  assert.equal(seen[A]!.podCIDR, '10.244.0.0/24');
  assert.equal(seen[B]!.podCIDR, '10.245.0.0/24');
  assert.notEqual(seen[A]!.address, seen[B]!.address, 'two API servers, two published ports');
  const ctx = await kubectl(B, ['config', 'current-context']);
  assert.match(ctx, new RegExp(`kind-${B}`));
  const inspect = await execa('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', `${A}-control-plane`, `${B}-control-plane`]);
  const [ma, mb] = inspect.stdout.trim().split('\n');
  assert.notEqual(ma, mb);
});

test('the router learns each cluster\'s pod CIDR from that cluster\'s agent', async () => {
  const routes = await until('both pod CIDRs on the router', async () => {
    const r = await lab(['exec', '-t', file, 'router', '--', 'vtysh', '-c', 'show ip route bgp']);
    return /10\.244\.0\.0\/24 .*via 10\.0\.0\.2/.test(r.stdout) && /10\.245\.0\.0\/24 .*via 10\.0\.0\.3/.test(r.stdout) ? r.stdout : undefined;
  }, 60_000, 1000);
  assert.match(routes, /B>\* 10\.244\.0\.0\/24 \[20\/0\] via 10\.0\.0\.2/);
  assert.match(routes, /B>\* 10\.245\.0\.0\/24 \[20\/0\] via 10\.0\.0\.3/);
});

test('a pod of one cluster reaches a pod of the other through the router\'s routes', async () => {
  const pod = `apiVersion: v1
kind: Pod
metadata: { name: nettool }
spec: { containers: [{ name: nettool, image: cr7258/nettool:v1 }] }
`;
  const ips: Record<string, string> = {};
  for (const c of [A, B]) {
    const r = await execa(KUBECTL, ['apply', '-f', '-'], { input: pod, env: { KUBECONFIG: join(dir, `lab-${name}`, c, 'kubeconfig') }, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
  }
  for (const c of [A, B]) {
    ips[c] = await until(`pod nettool Running in ${c}`, async () => {
      const p = JSON.parse(await kubectl(c, ['get', 'pod', 'nettool', '-o', 'json'])) as { status: { phase?: string; podIP?: string } };
      return p.status.phase === 'Running' && p.status.podIP ? p.status.podIP : undefined;
    }, 60_000, 500);
  }
  assert.match(ips[A]!, /^10\.244\.0\.\d+$/);
  assert.match(ips[B]!, /^10\.245\.0\.\d+$/);
  const ping = await until('ping from cluster A\'s pod to cluster B\'s', async () => {
    const r = await execa(KUBECTL, ['exec', 'nettool', '--', 'ping', '-c', '3', '-W', '2', ips[B]!], { env: { KUBECONFIG: join(dir, `lab-${name}`, A, 'kubeconfig') }, reject: false, timeout: 30_000 });
    return r.exitCode === 0 ? r.stdout : undefined;
  }, 60_000, 1000);
  assert.match(ping, /3 packets transmitted, 3 (packets )?received/);
});

test('the router sees each cluster in its own AS: 65001 from the topology-level bgp:, 65002 from the k8s-kind node\'s own', async () => {
  const peers = await until('both sessions Established', async () => {
    const r = await lab(['exec', '-t', file, 'router', '--', 'vtysh', '-c', 'show bgp summary json']);
    const p = (JSON.parse(r.stdout) as { ipv4Unicast?: { peers?: Record<string, { remoteAs: number; state: string }> } }).ipv4Unicast?.peers ?? {};
    return p['10.0.0.2']?.state === 'Established' && p['10.0.0.3']?.state === 'Established' ? p : undefined;
  }, 60_000, 1000);
  assert.equal(peers['10.0.0.2']!.remoteAs, 65001);
  assert.equal(peers['10.0.0.3']!.remoteAs, 65002);
  const path = await lab(['exec', '-t', file, 'router', '--', 'vtysh', '-c', 'show ip bgp 10.245.0.0/24']);
  assert.match(path.stdout, /^\s+65002\s*$/m, path.stdout);
});

test('lab kubeconfig: --cluster picks a cluster (kind\'s name or kubectl\'s kind-NAME); none: the first, naming both; unknown: the known ones listed', async () => {
  const b = await lab(['kubeconfig', '-t', file, '--cluster', B]);
  assert.equal(b.exitCode, 0, b.stderr);
  assert.equal(b.stdout.trim(), join(dir, `lab-${name}`, B, 'kubeconfig'));
  assert.equal((await lab(['kubeconfig', '--name', name, '--cluster', `kind-${B}`])).stdout.trim(), join(dir, `lab-${name}`, B, 'kubeconfig'), 'by lab name and context name');
  const first = await lab(['kubeconfig', '-t', file]);
  assert.equal(first.stdout.trim(), join(dir, `lab-${name}`, A, 'kubeconfig'));
  assert.match(first.stderr, new RegExp(`2 clusters \\(${A}, ${B}\\)`));
  const bad = await lab(['kubeconfig', '-t', file, '--cluster', 'nope']);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, new RegExp(`no cluster "nope" \\(its clusters: ${A}, ${B}\\)`));
});

test('lab exec into a pod of either cluster: --cluster, CLUSTER/pod/NAME, -n; a pod in both clusters must be named with its cluster', async () => {
  const addr = async (args: string[]) => {
    const r = await lab(['exec', '-t', file, ...args, '--', 'ip', '-4', '-o', 'addr']);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(await addr(['--cluster', B, 'pod/nettool']), /inet 10\.245\.0\.\d+\//);
  assert.match(await addr([`${B}/pod/default/nettool`]), /inet 10\.245\.0\.\d+\//);
  assert.match(await addr(['--cluster', A, '-n', 'default', 'pod/nettool']), /inet 10\.244\.0\.\d+\//);
  const both = await lab(['exec', '-t', file, 'pod/nettool', '--', 'true']);
  assert.notEqual(both.exitCode, 0);
  assert.match(both.stderr, new RegExp(`pod default/nettool is in clusters ${A} and ${B}`));
  const unknown = await lab(['exec', '-t', file, '--cluster', 'nope', 'pod/nettool', '--', 'true']);
  assert.match(unknown.stderr, new RegExp(`no cluster "nope" \\(its clusters: ${A}, ${B}\\)`));
});

test('verify derives both clusters\' checks, pods pinging across the clusters both ways; the graph draws each cluster\'s nodes in a box of its own', async () => {
  const v = await lab(['verify', '-t', file, '--wait', '30s', '--format', 'json']);
  const report = JSON.parse(v.stdout) as { checks: Array<{ name: string; passed: boolean }> };
  assert.equal(v.exitCode, 0, report.checks.filter((c) => !c.passed).map((c) => c.name).join('\n'));
  const names = report.checks.map((c) => c.name);
  assert.ok(names.includes(`router has pod CIDR 10.244.0.0/24 of ${A}-control-plane`), names.join('\n'));
  assert.ok(names.includes(`router has pod CIDR 10.245.0.0/24 of ${B}-control-plane`), names.join('\n'));
  // the router joins the clusters: a pod of each pings the other's (both ways), and both passed (exit code 0 above)
  assert.ok(names.includes(`${A}/pod/default/nettool → ${B}/pod/default/nettool`), names.join('\n'));
  assert.ok(names.includes(`${B}/pod/default/nettool → ${A}/pod/default/nettool`), names.join('\n'));
  const g = await lab(['graph', '-t', file, '--static']);
  assert.equal(g.exitCode, 0, g.stderr);
  for (const c of [A, B]) assert.match(g.stdout, new RegExp(`subgraph cluster_\\w+\\["cluster ${c}"\\]`));
});

test('destroy removes both clusters', async () => {
  const down = await lab(['destroy', '-t', file]);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
  const ps = await execa('docker', ['ps', '-a', '--format', '{{.Names}}']);
  assert.ok(!ps.stdout.split('\n').some((n) => n.startsWith(A) || n.startsWith(B)), ps.stdout);
});
