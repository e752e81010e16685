/**
 * `lab apply` on a running lab ([N] in-place change): three linux nodes (h sharing b's netns).
 * The edited file adds node c with a link to b, removes h (and its link to a) and gives a one more
 * exec line. `--dry-run` prints exactly those changes and touches nothing; the apply then creates
 * and removes just those, while a and b keep their container IDs and start times; a second apply
 * has nothing to do, inspect shows no degraded node, and destroy still removes everything.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';
import { copyArticleLab } from './cluster-lab.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-apply');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function topology(edited: boolean): string {
  return `name: ${name}
mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }
topology:
  nodes:
    a:
      kind: linux
      image: kindlab/base
      exec:
      - ip addr add 10.0.1.1/24 dev eth1
${edited ? '      - ip addr add 10.9.9.9/32 dev lo\n' : ''}    b:
      kind: linux
      image: kindlab/base
      exec:
      - ip addr add 10.0.1.2/24 dev eth1
${edited ? '      - ip addr add 10.0.2.1/24 dev eth2\n' : ''}${
    edited
      ? `    c:
      kind: linux
      image: kindlab/base
      exec:
      - ip addr add 10.0.2.2/24 dev eth1
`
      : `    h:
      kind: linux
      image: kindlab/base
      network-mode: container:b
`
  }  links:
  - endpoints: ["a:eth1", "b:eth1"]
${edited ? '  - endpoints: ["b:eth2", "c:eth1"]\n' : '  - endpoints: ["a:eth2", "h:eth3"]\n'}`;
}

async function sh(node: string, cmd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return lab(['exec', '-t', join(dir, 'topo.yaml'), node, '--', 'sh', '-c', cmd]);
}

test('lab apply: --dry-run shows the changes, the apply makes only those, untouched containers keep running', async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-apply-'));
  const file = join(dir, 'topo.yaml');
  await writeFile(file, topology(false));
  const d = await lab(['deploy', '-t', file]);
  assert.equal(d.exitCode, 0, d.stderr);
  const before = await labContainers(name);
  assert.deepEqual([...before.keys()].sort(), ['a', 'b', 'h']);

  // the same file: nothing to do
  const none = await lab(['apply', '-t', file]);
  assert.equal(none.exitCode, 0, none.stderr);
  assert.match(none.stdout, /no changes/);

  await writeFile(file, topology(true));
  const dry = await lab(['apply', '-t', file, '--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const planLines = dry.stdout.split('\n').filter((l) => /^\s*(\+|-|~|-\/\+) /.test(l)).map((l) => l.trim());
  assert.deepEqual(planLines, [
    '+ node c',
    '~ node a (exec lines)',
    '+ exec: ip addr add 10.9.9.9/32 dev lo',
    '~ node b (exec lines)',
    '+ exec: ip addr add 10.0.2.1/24 dev eth2',
    '- node h',
    '+ link b:eth2 -- c:eth1',
    '- link a:eth2 -- h:eth3',
  ]);
  assert.match(dry.stdout, /Plan: 1 node to add, 2 nodes to change, 1 node to remove; 1 link to add, 1 link to remove\./);
  assert.deepEqual(await labContainers(name), before, 'a dry run changes nothing');

  const applied = await lab(['apply', '-t', file]);
  assert.equal(applied.exitCode, 0, `${applied.stdout}\n${applied.stderr}`);
  assert.match(applied.stdout, /changed in place/);
  const now = await labContainers(name);
  assert.deepEqual([...now.keys()].sort(), ['a', 'b', 'c']);
  // a and b were not restarted or re-made: same ID, same start time, running
  for (const n of ['a', 'b']) assert.equal(now.get(n), before.get(n), `${n} kept its container`);
  assert.match(now.get('c')!, / running$/);

  // the new link and the new exec lines work; the removed link is gone from both ends
  const ping = await sh('b', 'ping -c 2 -W 2 10.0.2.2');
  assert.equal(ping.exitCode, 0, ping.stdout + ping.stderr);
  const lo = await sh('a', 'ip -o addr show dev lo');
  assert.match(lo.stdout, /10\.9\.9\.9\/32/);
  const old = await sh('a', 'ip -o link show dev eth2');
  assert.notEqual(old.exitCode, 0, 'a:eth2 (the link to h) was deleted');
  assert.equal((await sh('b', 'ip -o link show dev eth3')).exitCode === 0, false, "h's end in b's namespace was deleted");
  const kept = await sh('a', 'ping -c 1 -W 2 10.0.1.2');
  assert.equal(kept.exitCode, 0, 'the untouched link a–b still carries traffic');

  // the recorded plan is the new one: nothing left to do, and the lab is healthy
  const again = await lab(['apply', '-t', file, '--dry-run']);
  assert.match(again.stdout, /no changes/);
  const ins = await lab(['inspect', '-t', file, '--format', 'json']);
  const states = (JSON.parse(ins.stdout) as { nodes: Array<{ name: string; state: string }> }).nodes.map((n) => `${n.name}=${n.state}`).sort();
  assert.deepEqual(states, ['a=running', 'b=running', 'c=running']);

  // back to the first file, through lab deploy this time: c goes, h (sharing b's netns) and its link to a come back
  await writeFile(file, topology(false));
  const redo = await lab(['deploy', '-t', file]);
  assert.equal(redo.exitCode, 0, `${redo.stdout}\n${redo.stderr}`);
  assert.match(redo.stdout, /changed in place/);
  assert.match(redo.stderr, /^ {2}\+ node h$/m);
  assert.match(redo.stderr, /^ {2}- node c$/m);
  const back = await labContainers(name);
  assert.deepEqual([...back.keys()].sort(), ['a', 'b', 'h']);
  for (const n of ['a', 'b']) assert.equal(back.get(n), before.get(n), `${n} kept its container through the deploy`);
  assert.equal((await sh('a', 'ip -o link show dev eth2')).exitCode, 0, 'the link a–h is back');
  assert.equal((await sh('b', 'ip -o link show dev eth3')).exitCode, 0, "h's end is in b's namespace");
  const same = await lab(['deploy', '-t', file]);
  assert.match(same.stdout, /already deployed/);

  const gone = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(gone.exitCode, 0, gone.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});

/**
 * [N] Done-when on the Cilium article lab (labs/cilium-bgp copied under a unique name): one edit
 * adds a worker (kind config entry worker4: rack2, node-ip 10.0.5.2, with server4 sharing its
 * netns) and a leaf (tor2, AS 65012, under router0), and removes a server (server3: worker3 is
 * wired to tor1 directly instead, its address as exec lines). `--dry-run` lists exactly those
 * changes; the apply keeps every other container (ID and start time), worker4 joins the running
 * cluster Ready with a pod CIDR router0 and tor2 learn, and verify passes. A second `lab apply`
 * takes worker4 out again: drained, its Node deleted, its CIDR gone from the routers, verify
 * green. (kind names workers by position, so removing a worker's entry while adding one would
 * rename, not remove: the Kubernetes removal is its own apply.)
 */
const cilName = uniqueLabName('kl-apply-cil');
let cilDir = '';
after(async () => {
  await forceDestroy(cilName);
  if (cilDir) await rm(cilDir, { recursive: true, force: true });
});

const TOR2_EXEC = [
  'ip link del eth0',
  'ip addr add 10.0.0.3/32 dev lo',
  'ip addr add 10.0.5.1/24 dev net1',
  'touch /etc/frr/vtysh.conf',
  "sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons",
  '/usr/lib/frr/frrinit.sh start',
  "vtysh -c 'conf t' -c 'frr defaults datacenter' -c 'router bgp 65012' -c ' bgp router-id 10.0.0.3' -c ' no bgp ebgp-requires-policy' -c ' neighbor ROUTERS peer-group' -c ' neighbor ROUTERS remote-as external' -c ' neighbor SERVERS peer-group' -c ' neighbor SERVERS remote-as internal' -c ' neighbor net0 interface peer-group ROUTERS' -c ' neighbor 10.0.5.2 peer-group SERVERS' -c ' address-family ipv4 unicast' -c '   redistribute connected' -c '  exit-address-family' -c '!'",
];
const ROUTER0_NET2 = "vtysh -c 'conf t' -c 'router bgp 65000' -c ' neighbor net2 interface peer-group ROUTERS'";
const ROUTER0_NO_NET2 = "vtysh -c 'conf t' -c 'router bgp 65000' -c ' no neighbor net2 interface'";
const RACK2_POLICY = `---
apiVersion: "cilium.io/v2alpha1"
kind: CiliumBGPPeeringPolicy
metadata:
  name: rack2
spec:
  nodeSelector:
    matchLabels:
      rack: rack2
  virtualRouters:
  - localASN: 65012
    exportPodCIDR: true
    neighbors:
    - peerAddress: "10.0.0.3/32"
      peerASN: 65012
`;
const WORKER4 = `
- role: worker
  kubeadmConfigPatches:
  - |
    kind: JoinConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-ip: 10.0.5.2
        node-labels: "rack=rack2"
`;

const TOR1_NET2 = 'ip addr replace 10.0.4.1/24 dev net2';
const WORKER3_EXEC = ['ip addr add 10.0.4.2/24 dev net0', 'ip route replace default via 10.0.4.1'];

/**
 * The article lab's files edited: server3 out, its part taken by worker3 itself (its own net0 on
 * the link to tor1, its address and route as exec lines; tor1 re-addresses its new net2); with
 * `join4`, worker4 + server4 + tor2 in (router0 peering with tor2; the rack2 policy).
 */
async function editArticleLab(dir: string, original: { topo: string; cluster: string; policies: string }, join4: boolean): Promise<void> {
  const doc = parseDocument(original.topo);
  const nodes = doc.getIn(['topology', 'nodes']) as YAMLMap;
  const links = doc.getIn(['topology', 'links']) as YAMLSeq;
  nodes.delete('server3');
  nodes.set('worker3', doc.createNode({ kind: 'k8s-node', exec: WORKER3_EXEC }));
  (doc.getIn(['topology', 'nodes', 'tor1', 'exec']) as YAMLSeq).add(TOR1_NET2);
  links.items = links.items.filter((l) => !JSON.stringify((l as YAMLMap).toJSON()).includes('server3'));
  links.add(doc.createNode({ endpoints: ['tor1:net2', 'worker3:net0'] }));
  if (join4) {
    nodes.set('tor2', doc.createNode({ kind: 'linux', image: 'frrouting/frr:v8.2.2', labels: { app: 'frr' }, exec: TOR2_EXEC }));
    nodes.set('server4', doc.createNode({ kind: 'linux', image: 'nicolaka/netshoot:latest', 'network-mode': 'container:worker4', exec: ['ip addr add 10.0.5.2/24 dev net0', 'ip route replace default via 10.0.5.1'] }));
    links.add(doc.createNode({ endpoints: ['router0:net2', 'tor2:net0'] }));
    links.add(doc.createNode({ endpoints: ['tor2:net1', 'server4:net0'] }));
  }
  // exec lines are not undone: with tor2 gone, router0 drops its neighbour by a line of its own
  (doc.getIn(['topology', 'nodes', 'router0', 'exec']) as YAMLSeq).add(ROUTER0_NET2);
  if (!join4) (doc.getIn(['topology', 'nodes', 'router0', 'exec']) as YAMLSeq).add(ROUTER0_NO_NET2);
  // the article's "12 routes" on router0 no longer holds with tor2
  const checks = doc.getIn(['verify', 'checks']) as YAMLSeq;
  checks.items = checks.items.filter((c) => !/"routes":12/.test(JSON.stringify((c as YAMLMap).toJSON())));
  await writeFile(join(dir, 'topo.yaml'), doc.toString());
  await writeFile(join(dir, 'cluster.yaml'), join4 ? original.cluster.trimEnd() + '\n' + WORKER4 : original.cluster);
  await writeFile(join(dir, 'cilium-bgp-peering-policies.yaml'), original.policies.trimEnd() + '\n' + RACK2_POLICY);
}

async function kubectl(file: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const kc = await lab(['kubeconfig', '-t', file]);
  const r = await execa('kubectl', ['--kubeconfig', kc.stdout.trim(), ...args], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Container ID, start time and state of each of a lab's node containers, by node. */
async function labContainers(labName: string): Promise<Map<string, string>> {
  const ps = await execa('docker', ['ps', '-a', '--filter', `label=kindlab.lab=${labName}`, '--filter', 'label=kindlab.node', '--format', '{{.Names}}']);
  const names = ps.stdout.split('\n').filter(Boolean);
  if (!names.length) return new Map();
  const r = await execa('docker', ['inspect', '-f', '{{index .Config.Labels "kindlab.node"}} {{.Id}} {{.State.StartedAt}} {{.State.Status}}', ...names]);
  return new Map(r.stdout.split('\n').map((l) => {
    const [node, ...rest] = l.split(' ');
    return [node!, rest.join(' ')];
  }));
}

async function bgpRoutes(file: string, router: string): Promise<string> {
  return (await lab(['exec', '-t', file, router, '--', 'vtysh', '-c', 'show ip route bgp'])).stdout;
}

test('lab apply on the Cilium article lab: a worker and a leaf join, a server goes; nothing else restarts; verify passes; undone again', async (t) => {
  const copy = await copyArticleLab(cilName, 'kindlab-apply-cil-');
  cilDir = copy.dir;
  const file = copy.file;
  const original = {
    topo: await readFile(file, 'utf8'),
    cluster: await readFile(join(cilDir, 'cluster.yaml'), 'utf8'),
    policies: await readFile(join(cilDir, 'cilium-bgp-peering-policies.yaml'), 'utf8'),
  };
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
  const before = await labContainers(cilName);
  assert.equal(before.size, 11);

  await editArticleLab(cilDir, original, true);
  const dry = await lab(['apply', '-t', file, '--dry-run']);
  assert.equal(dry.exitCode, 0, `${dry.stdout}\n${dry.stderr}`);
  const planLines = dry.stdout.split('\n').filter((l) => /^\s*(\+|-|~|-\/\+) /.test(l)).map((l) => l.trim());
  assert.deepEqual(planLines, [
    `+ node worker4 (Kubernetes node ${cilName}-worker4: joins the running cluster)`,
    '+ node tor2',
    '+ node server4',
    '~ node worker3 (exec lines)',
    `+ exec: ${WORKER3_EXEC[0]}`,
    `+ exec: ${WORKER3_EXEC[1]}`,
    '~ node router0 (exec lines)',
    `+ exec: ${ROUTER0_NET2}`,
    '~ node tor1 (exec lines)',
    `+ exec: ${TOR1_NET2}`,
    '- node server3',
    '+ link tor1:net2 -- worker3:net0',
    '+ link router0:net2 -- tor2:net0',
    '+ link server4:net0 -- tor2:net1',
    '- link server3:net0 -- tor1:net2',
    // the rack2 policy was added to the policies file: its contents changed
    `~ manifest ${join(cilDir, 'cilium-bgp-peering-policies.yaml')} changed: re-apply`,
    '~ cluster objects (the manifests applied again, for the joining nodes)',
  ]);
  assert.match(dry.stdout, /Plan: 3 nodes to add, 3 nodes to change, 1 node to remove; 3 links to add, 1 link to remove\./);
  assert.deepEqual(await labContainers(cilName), before, 'a dry run changes nothing');

  const applied = await lab(['apply', '-t', file]);
  assert.equal(applied.exitCode, 0, `${applied.stdout}\n${applied.stderr}`);
  const now = await labContainers(cilName);
  assert.deepEqual([...now.keys()].sort(), [...before.keys(), 'worker4', 'server4', 'tor2'].filter((n) => n !== 'server3').sort());
  for (const [n, v] of before) if (n !== 'server3') assert.equal(now.get(n), v, `${n} kept its container and start time`);

  const node = `${cilName}-worker4`;
  const get = await kubectl(file, ['get', 'node', node, '-o', 'json']);
  assert.equal(get.exitCode, 0, get.stderr);
  const obj = JSON.parse(get.stdout) as { spec: { podCIDR: string }; metadata: { labels: Record<string, string> }; status: { conditions: Array<{ type: string; status: string }> } };
  assert.equal(obj.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(obj.metadata.labels['rack'], 'rack2');
  const cidr = obj.spec.podCIDR;
  assert.equal(cidr, '10.1.4.0/24');
  const learnt = await until('router0 and tor2 to learn worker4\'s pod CIDR', async () => {
    const [r0, t2] = [await bgpRoutes(file, 'router0'), await bgpRoutes(file, 'tor2')];
    return r0.includes(cidr) && t2.includes(cidr) ? r0 : undefined;
  }, 60_000, 1000);
  assert.match(learnt, /B>\* 10\.1\.4\.0\/24/);
  const v = await lab(['verify', '-t', file, '--wait', '90s']);
  assert.equal(v.exitCode, 0, `${v.stdout}\n${v.stderr}`);

  // worker4 (with server4 and tor2) taken out again with lab apply: it leaves the cluster (drained, Node deleted), its CIDR leaves the routers
  await editArticleLab(cilDir, original, false);
  const undo = await lab(['apply', '-t', file]);
  assert.equal(undo.exitCode, 0, `${undo.stdout}\n${undo.stderr}`);
  assert.match(undo.stdout, new RegExp(`^ {2}- node worker4 \\(Kubernetes node ${cilName}-worker4: drained, its Node deleted\\)$`, 'm'));
  const back = await labContainers(cilName);
  assert.deepEqual([...back.keys()].sort(), [...before.keys()].filter((n) => n !== 'server3').sort());
  for (const [n, v0] of before) if (n !== 'server3') assert.equal(back.get(n), v0, `${n} kept its container through the undo`);
  const gone = await kubectl(file, ['get', 'node', node]);
  assert.notEqual(gone.exitCode, 0, 'the Node is deleted');
  assert.match(gone.stderr, /not found/);
  const r0 = await until('router0 to drop worker4\'s pod CIDR', async () => {
    const out = await bgpRoutes(file, 'router0');
    return out.includes(cidr) ? undefined : out;
  }, 30_000, 500);
  assert.match(r0, /10\.1\.3\.0\/24/, "rack1's worker3 (wired directly) is still routed");
  const v2 = await lab(['verify', '-t', file, '--wait', '90s']);
  assert.equal(v2.exitCode, 0, `${v2.stdout}\n${v2.stderr}`);

  // one edit removes rack1's first worker (worker2, with server2) and adds another (rack3) at the end of the
  // kind config; kind's place-derived names move (worker3 is now the second entry: worker2), the
  // running Nodes do not; and a manifest's contents change
  const nodeJson = async (n: string) => JSON.parse((await kubectl(file, ['get', 'node', n, '-o', 'json'])).stdout) as typeof obj;
  const swapStart = Date.now();
  const keptCidr = (await nodeJson(`${cilName}-worker3`)).spec.podCIDR;
  const beforeSwap = await containerStates(cilName);
  await swapWorker(cilDir);
  const policies = join(cilDir, 'cilium-bgp-peering-policies.yaml');
  const swapDry = await lab(['apply', '-t', file, '--dry-run']);
  assert.equal(swapDry.exitCode, 0, `${swapDry.stdout}\n${swapDry.stderr}`);
  assert.deepEqual(swapDry.stdout.split('\n').filter((l) => /^\s*(\+|-|~|-\/\+) /.test(l)).map((l) => l.trim()), [
    `+ node worker3 (Kubernetes node ${cilName}-worker4: joins the running cluster)`,
    `- node worker2 (Kubernetes node ${cilName}-worker2: drained, its Node deleted)`,
    '- node server2',
    '- link server2:net0 -- tor1:net1',
    `~ manifest ${policies} changed: re-apply`,
    '~ cluster objects (the manifests applied again, for the joining nodes)',
  ]);
  assert.match(swapDry.stdout, new RegExp(`^ {4}node worker2 \\(was worker3\\) runs on as Kubernetes node ${cilName}-worker3, untouched$`, 'm'));
  const swapped = await lab(['apply', '-t', file]);
  assert.equal(swapped.exitCode, 0, `${swapped.stdout}\n${swapped.stderr}`);
  const afterSwap = await containerStates(cilName);
  const goneNames = [`${cilName}-worker2`, `clab-${cilName}-server2`];
  for (const [c, v0] of beforeSwap) if (!goneNames.includes(c)) assert.equal(afterSwap.get(c), v0, `${c} kept its container and start time`);
  for (const c of goneNames) assert.equal(afterSwap.has(c), false, `${c} removed`);
  const fresh = await nodeJson(`${cilName}-worker4`);
  assert.equal(fresh.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(fresh.metadata.labels['rack'], 'rack3');
  assert.equal((await nodeJson(`${cilName}-worker3`)).spec.podCIDR, keptCidr, 'the kept worker keeps its Node and pod CIDR');
  assert.match((await kubectl(file, ['get', 'node', `${cilName}-worker2`])).stderr, /not found/);
  const pol = JSON.parse((await kubectl(file, ['get', 'ciliumbgppeeringpolicy', 'rack0', '-o', 'json'])).stdout) as { metadata: { labels?: Record<string, string> } };
  assert.equal(pol.metadata.labels?.['kindlab-test'], 'edited', 'the changed manifest was applied');
  // the topology's worker2 is the kept node (its exec lines' address), in every later command
  assert.match((await lab(['exec', '-t', file, 'worker2', '--', 'ip', '-o', 'addr', 'show', 'dev', 'net0'])).stdout, /10\.0\.4\.2\/24/);
  assert.match((await lab(['apply', '-t', file, '--dry-run'])).stdout, /no changes/);
  t.diagnostic(`worker swap + manifest change step: ${((Date.now() - swapStart) / 1000).toFixed(1)} s`);

  const destroyed = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(destroyed.exitCode, 0, destroyed.stderr);
  assert.deepEqual(await leftovers(cilName), NOTHING);
});

/**
 * rack1's first worker (the kind config's third entry, worker2, with server2 and its link) taken out
 * and a rack3 worker added at the end; the topology's names for the worker after it follow its new
 * place (worker3 → worker2). The rack0 policy gains a label.
 */
async function swapWorker(dir: string): Promise<void> {
  const topo = join(dir, 'topo.yaml');
  const doc = parseDocument(await readFile(topo, 'utf8'));
  const nodes = doc.getIn(['topology', 'nodes']) as YAMLMap;
  const links = doc.getIn(['topology', 'links']) as YAMLSeq;
  nodes.delete('server2');
  nodes.set('worker2', nodes.get('worker3'));
  nodes.delete('worker3');
  links.items = links.items.filter((l) => !JSON.stringify((l as YAMLMap).toJSON()).includes('server2'));
  links.items = links.items.map((l) => (JSON.stringify((l as YAMLMap).toJSON()).includes('worker3:net0') ? doc.createNode({ endpoints: ['tor1:net2', 'worker2:net0'] }) : l));
  const checks = doc.getIn(['verify', 'checks']) as YAMLSeq;
  checks.items = checks.items.filter((c) => !/server2|worker2|worker3|10\.0\.3\.2|10\.0\.4\.2|10\.1\.2|nettool/.test(JSON.stringify((c as YAMLMap).toJSON())));
  await writeFile(topo, doc.toString());
  const cluster = parseDocument(await readFile(join(dir, 'cluster.yaml'), 'utf8'));
  const kindNodes = cluster.get('nodes') as YAMLSeq;
  kindNodes.items.splice(2, 1);
  kindNodes.add(cluster.createNode({ role: 'worker', labels: { rack: 'rack3' } }));
  await writeFile(join(dir, 'cluster.yaml'), cluster.toString());
  const pol = join(dir, 'cilium-bgp-peering-policies.yaml');
  await writeFile(pol, (await readFile(pol, 'utf8')).replace('  name: rack0\n', '  name: rack0\n  labels:\n    kindlab-test: edited\n'));
}

/** Container ID, start time and state of each of a lab's node containers, by container name. */
async function containerStates(labName: string): Promise<Map<string, string>> {
  const ps = await execa('docker', ['ps', '-a', '--filter', `label=kindlab.lab=${labName}`, '--filter', 'label=kindlab.node', '--format', '{{.Names}}']);
  const names = ps.stdout.split('\n').filter(Boolean);
  const r = await execa('docker', ['inspect', '-f', '{{.Name}} {{.Id}} {{.State.StartedAt}} {{.State.Status}}', ...names]);
  return new Map(r.stdout.split('\n').map((l) => {
    const [n, ...rest] = l.split(' ');
    return [n!.replace(/^\//, ''), rest.join(' ')];
  }));
}
