/**
 * containerlab's link types on real Docker and the real kernel, with our own two labs
 * (test/fixtures/link-types): the far lab's nodes hold plain VTEPs (made by exec, remote = the
 * host's address on their bridge); the near lab has one link of each type: host (brief and
 * extended, MTU + MAC), mgmt-net, macvlan on a veth the test makes, dummy (emulated), vxlan
 * and vxlan-stitch to the far lab's nodes. Pings cross each; `ip -j link` checks types, MTUs
 * and MACs; after a docker restart of the near lab's nodes a deploy re-creates every one of those links;
 * a clash with a host interface that is not ours fails cleanly; destroy leaves the
 * host's interfaces, netns and containers as they were (judged on what our labs created, since
 * other labs may come and go on a shared machine).
 *
 * Run under the shared lock: flock /tmp/kindlab-docker.lock node --import tsx --test test/e2e/clab-links.test.ts
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';

const NEAR = 'kl-clinks-near';
const FAR = 'kl-clinks-far';
const PARENT = 'kl-clparent'; // the macvlan parent: a veth whose peer sits in the test's netns
const TEST_NS = 'kl-clinks-t';

interface IpLink {
  ifname: string;
  mtu: number;
  address: string;
  operstate: string;
  flags: string[];
  master?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

let dir = '';
let hostBefore: string[] = [];
let netnsBefore: string[] = [];
let ours: string[] = [];
const OUR_NAMES = /^(kl-cl|vx-|ve-|dm-)/;

const hostIfnames = async () => (JSON.parse((await execa('ip', ['-j', 'link', 'show'])).stdout) as IpLink[]).map((l) => l.ifname).sort();
const netnsNames = async () => (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]!).filter(Boolean).sort();

async function hostLink(name: string): Promise<IpLink> {
  return (JSON.parse((await execa('ip', ['-j', '-d', 'link', 'show', 'dev', name])).stdout) as IpLink[])[0]!;
}

async function nodeLink(lab: string, node: string, iface: string): Promise<IpLink> {
  const r = await execa('docker', ['exec', `clab-${lab}-${node}`, 'ip', '-j', '-d', 'link', 'show', 'dev', iface]);
  return (JSON.parse(r.stdout) as IpLink[])[0]!;
}

/** Pings from a node until one reply comes back (the first may wait for ARP through a tunnel). */
async function pings(node: string, to: string): Promise<void> {
  await until(`${node} → ${to}`, async () => {
    const r = await execa('docker', ['exec', `clab-${NEAR}-${node}`, 'ping', '-c', '1', '-W', '2', to], { reject: false });
    return r.exitCode === 0 ? true : undefined;
  }, 20_000, 500);
}

async function removeTestParent(): Promise<void> {
  await execa('ip', ['link', 'del', 'dev', PARENT], { reject: false });
  await execa('ip', ['netns', 'del', TEST_NS], { reject: false });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-clab-links-'));
  await cp(join(REPO, 'test/fixtures/link-types'), dir, { recursive: true });
  hostBefore = await hostIfnames();
  netnsBefore = await netnsNames();
  // The macvlan parent: never a real NIC. Its peer, with the address n2 pings, sits in a netns of ours.
  await execa('ip', ['netns', 'add', TEST_NS]);
  await execa('ip', ['link', 'add', PARENT, 'type', 'veth', 'peer', 'name', 'kl-clpeer', 'netns', TEST_NS]);
  await execa('ip', ['link', 'set', 'dev', PARENT, 'up']);
  await execa('ip', ['-n', TEST_NS, 'addr', 'add', '192.168.203.1/24', 'dev', 'kl-clpeer']);
  await execa('ip', ['-n', TEST_NS, 'link', 'set', 'dev', 'kl-clpeer', 'up']);
});

after(async () => {
  await forceDestroy(NEAR);
  await forceDestroy(FAR);
  await removeTestParent();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the far lab (plain VTEPs in its nodes) deploys first: the near lab\'s tunnels need a route to it', async () => {
  const r = await lab(['deploy', '-t', join(dir, 'far.yaml')]);
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
});

test('the near lab deploys every containerlab link type', async () => {
  const r = await lab(['deploy', '-t', join(dir, 'near.yaml')]);
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  assert.match(r.stdout + r.stderr, /7 links/);
  // What the two labs created in the host: marked interfaces and their management bridges.
  const links = JSON.parse((await execa('ip', ['-j', 'link', 'show'])).stdout) as IpLink[];
  const bridges = await Promise.all([NEAR, FAR].map(async (l) => `br-${(await execa('docker', ['network', 'inspect', '-f', '{{.Id}}', `kindlab-${l}`])).stdout.trim().slice(0, 12)}`));
  ours = [...links.filter((l) => l.ifalias?.startsWith('kindlab:kl-clinks-')).map((l) => l.ifname), ...bridges].sort();
  assert.deepEqual(ours, [...bridges, 'kl-cl-m1e1', 'kl-cl-n1e1', 'kl-cl-n1e2', 've-n2_eth2', 'vx-n2_eth2'].sort());
});

test('host link (brief): the node pings the host end, which carries the lab mark', async () => {
  const h = await hostLink('kl-cl-n1e1');
  assert.equal(h.linkinfo?.info_kind, 'veth');
  assert.equal(h.mtu, 9500);
  assert.equal(h.ifalias, `kindlab:${NEAR}:n1:eth1--host:kl-cl-n1e1`);
  await pings('n1', '192.168.201.1');
});

test('host link (extended): MTU 1500 on both ends, the endpoint MAC on the node end', async () => {
  const n = await nodeLink(NEAR, 'n1', 'eth2');
  assert.equal(n.mtu, 1500);
  assert.equal(n.address, '02:00:00:21:00:02');
  assert.equal((await hostLink('kl-cl-n1e2')).mtu, 1500);
});

test('mgmt-net: the host end is a port of the lab\'s management bridge; a node without eth0 reaches another node over it', async () => {
  const id = (await execa('docker', ['network', 'inspect', '-f', '{{.Id}}', `kindlab-${NEAR}`])).stdout.trim();
  assert.equal((await hostLink('kl-cl-m1e1')).master, `br-${id.slice(0, 12)}`);
  await pings('m1', '10.213.1.11');
});

test('macvlan: a bridge-mode macvlan on the test\'s parent, reaching the parent\'s wire', async () => {
  const m = await nodeLink(NEAR, 'n2', 'eth1');
  assert.equal(m.linkinfo?.info_kind, 'macvlan');
  assert.equal(m.linkinfo?.info_data?.mode, 'bridge');
  await pings('n2', '192.168.203.1');
});

test('dummy: present in the node, up, with its MTU and address (a veth to the parking netns)', async () => {
  const d = await nodeLink(NEAR, 'n2', 'dummy0');
  assert.equal(d.mtu, 1400);
  assert.ok(d.flags.includes('UP') && d.flags.includes('LOWER_UP'), `flags ${d.flags.join(',')}`);
  assert.equal(d.operstate, 'UP');
  assert.ok((await netnsNames()).includes(`kindlab-${NEAR}-park`));
  const addr = await execa('docker', ['exec', `clab-${NEAR}-n2`, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'dummy0']);
  assert.match(addr.stdout, /192\.168\.204\.1\/32/);
});

test('vxlan: the VTEP in n1 (socket in the host) carries pings to the far lab\'s f1', async () => {
  const v = await nodeLink(NEAR, 'n1', 'vx0');
  assert.equal(v.linkinfo?.info_kind, 'vxlan');
  assert.equal(v.linkinfo?.info_data?.id, 100);
  assert.equal(v.linkinfo?.info_data?.port, 14801);
  assert.equal(v.linkinfo?.info_data?.remote, '10.213.2.11');
  assert.equal(v.mtu, 1400);
  assert.equal(v.address, '02:00:00:21:01:00');
  await pings('n1', '192.168.200.2');
});

test('vxlan-stitch: host VTEP + veth into n2, stitched by tc, carries pings to the far lab\'s f2', async () => {
  const vx = await hostLink('vx-n2_eth2');
  assert.equal(vx.linkinfo?.info_kind, 'vxlan');
  assert.equal(vx.linkinfo?.info_data?.id, 200);
  assert.equal(vx.linkinfo?.info_data?.port, 14802);
  assert.equal((await hostLink('ve-n2_eth2')).linkinfo?.info_kind, 'veth');
  const tc = await execa('tc', ['filter', 'show', 'dev', 've-n2_eth2', 'ingress']);
  assert.match(tc.stdout, /Redirect to device vx-n2_eth2/);
  await pings('n2', '192.168.202.2');
});

test('docker restart of n1, n2 and m1: a deploy re-creates every link type with its names, MTUs, MACs and addresses', async () => {
  await execa('docker', ['restart', '-t', '1', ...['n1', 'n2', 'm1'].map((n) => `clab-${NEAR}-${n}`)]);
  // the new namespaces hold none of the links, and their host ends died with the old ones
  const bare = await execa('docker', ['exec', `clab-${NEAR}-n1`, 'ip', '-o', 'link', 'show']);
  assert.doesNotMatch(bare.stdout, /\b(eth1|eth2|vx0)[@:]/);
  assert.ok(!(await hostIfnames()).includes('kl-cl-n1e1'));
  const r = await lab(['deploy', '-t', join(dir, 'near.yaml')]);
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  assert.match(r.stdout + r.stderr, /repaired: .*re-created 7 host\/macvlan\/dummy\/vxlan links/);
  // host (brief and extended), mgmt-net: the host ends are back with their MTU, mark and bridge
  assert.deepEqual([(await hostLink('kl-cl-n1e1')).mtu, (await hostLink('kl-cl-n1e1')).ifalias], [9500, `kindlab:${NEAR}:n1:eth1--host:kl-cl-n1e1`]);
  const e2 = await nodeLink(NEAR, 'n1', 'eth2');
  assert.deepEqual([e2.mtu, e2.address, (await hostLink('kl-cl-n1e2')).mtu], [1500, '02:00:00:21:00:02', 1500]);
  const id = (await execa('docker', ['network', 'inspect', '-f', '{{.Id}}', `kindlab-${NEAR}`])).stdout.trim();
  assert.equal((await hostLink('kl-cl-m1e1')).master, `br-${id.slice(0, 12)}`);
  // macvlan, dummy, vxlan in the node, vxlan-stitch in the host
  assert.equal((await nodeLink(NEAR, 'n2', 'eth1')).linkinfo?.info_data?.mode, 'bridge');
  const d = await nodeLink(NEAR, 'n2', 'dummy0');
  assert.deepEqual([d.mtu, d.operstate], [1400, 'UP']);
  assert.match((await execa('docker', ['exec', `clab-${NEAR}-n2`, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'dummy0'])).stdout, /192\.168\.204\.1\/32/);
  const v = await nodeLink(NEAR, 'n1', 'vx0');
  assert.deepEqual([v.linkinfo?.info_kind, v.linkinfo?.info_data?.id, v.mtu, v.address], ['vxlan', 100, 1400, '02:00:00:21:01:00']);
  assert.match((await execa('tc', ['filter', 'show', 'dev', 've-n2_eth2', 'ingress'])).stdout, /Redirect to device vx-n2_eth2/);
  // and each carries traffic again
  await pings('n1', '192.168.201.1');
  await pings('m1', '10.213.1.11');
  await pings('n2', '192.168.203.1');
  await pings('n1', '192.168.200.2');
  await pings('n2', '192.168.202.2');
  // a second deploy finds the lab whole
  const again = await lab(['deploy', '-t', join(dir, 'near.yaml')]);
  assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  assert.doesNotMatch(again.stdout + again.stderr, /repaired/);
});

test('topology-data.json lists every link in containerlab\'s shape (far ends on the host) and keeps link and endpoint vars', async () => {
  const data = JSON.parse(await readFile(join(dir, `lab-${NEAR}`, 'topology-data.json'), 'utf8')) as { links: Array<{ a: { node: string; interface: string; vars?: unknown }; z?: { node: string; interface: string }; vars?: unknown }> };
  assert.deepEqual(
    data.links.map((l) => `${l.a.node}:${l.a.interface} ${l.z ? `${l.z.node}:${l.z.interface}` : '(dummy)'}`),
    ['n1:eth1 host:kl-cl-n1e1', 'n1:eth2 host:kl-cl-n1e2', 'm1:eth1 mgmt-net:kl-cl-m1e1', 'n2:eth1 host:kl-clparent', 'n2:dummy0 (dummy)', 'n1:vx0 host:vxlan', 'n2:eth2 host:vx-n2_eth2'],
  );
  assert.deepEqual(data.links[0]!.vars, { purpose: 'host-ping' });
  assert.deepEqual(data.links[1]!.a.vars, { side: 'node' });
  assert.deepEqual([data.links[0]!.z?.node, data.links[0]!.z?.interface], ['host', 'kl-cl-n1e1']);
  assert.equal(data.links[4]!.z, undefined);
});

test('a host interface that is not ours stops the deploy; the rollback leaves it and the host as they were', async () => {
  const bad = 'kl-clinks-bad';
  const file = join(dir, 'bad.yaml');
  await writeFile(file, [
    `name: ${bad}`,
    `mgmt: {network: kindlab-${bad}, ipv4-subnet: 10.213.3.0/24}`,
    'topology:',
    '  nodes:',
    '    b1: {kind: linux, image: kindlab/base}',
    '  links:',
    '    - type: dummy',
    '      endpoint: {node: b1, interface: dummy0}',
    `    - endpoints: ["b1:eth1", "host:${PARENT}"]`,
  ].join('\n') + '\n');
  const before = await hostLink(PARENT);
  try {
    const r = await lab(['deploy', '-t', file]);
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`the host already has an interface ${PARENT} that this lab did not create`));
    const afterIt = await hostLink(PARENT);
    assert.deepEqual([afterIt.address, afterIt.mtu, afterIt.ifalias, afterIt.operstate], [before.address, before.mtu, before.ifalias, before.operstate]);
    assert.deepEqual(await leftovers(bad), NOTHING);
  } finally {
    await forceDestroy(bad);
  }
});

test('destroy leaves no interface, netns or container of either lab behind', async () => {
  for (const [name, file] of [[NEAR, 'near.yaml'], [FAR, 'far.yaml']] as const) {
    const r = await lab(['destroy', '-t', join(dir, file), '--cleanup']);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
    assert.deepEqual(await leftovers(name), NOTHING);
  }
  await removeTestParent();
  // Other people's labs may come and go on this machine meanwhile: judge only what ours created.
  const after = await hostIfnames();
  assert.deepEqual(ours.filter((n) => after.includes(n)), [], 'every host interface the labs created is gone');
  assert.deepEqual(after.filter((n) => !hostBefore.includes(n) && OUR_NAMES.test(n)), []);
  assert.deepEqual((await netnsNames()).filter((n) => !netnsBefore.includes(n) && (n.includes('kl-clinks') || n === TEST_NS)), []);
  const ps = await execa('docker', ['ps', '-a', '--format', '{{.Names}}']);
  assert.deepEqual(ps.stdout.split('\n').filter((n) => n.includes('kl-clinks')), []);
});
