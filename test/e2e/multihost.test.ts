/**
 * One lab across two Docker engines (issue 17), on real dockerd's: each engine runs in its own
 * network namespace, the two joined by a veth "underlay" (10.250.0.1 - 10.250.0.2), as two machines
 * would be. Three linux nodes, r1 and r2 on engine a, r3 on engine b; r2-r3 crosses the engines.
 * Checks: the cross link is a VXLAN interface in each node with the engines' underlay addresses as
 * local/remote (not a veth, which only works on one kernel), a ping crosses it and the underlay
 * veth's counters grow with it, the image reaches engine b by save|load from engine a, destroy
 * leaves nothing on either engine; engine b lost at destroy is reported and a cleaned; engine b
 * killed mid-deploy rolls the deploy back on a. Engine b runs in a mount namespace where the lab directory
 * is an empty tmpfs: r3's bind of it works only because the deploy copied it there through b (and destroy
 * --cleanup removes that copy). Then the Cilium article lab split over the two
 * engines (rack0 on a, rack1 and router0 on b): the mgmt segment is a VXLAN device on each engine's
 * bridge with the underlay addresses as local/remote, its cluster comes up across it, every check
 * of its verify passes (the traceroute over the router0–tor0 VXLAN link among them), and destroy
 * leaves nothing on either engine, VXLAN devices included. This machine reaches the engines'
 * underlay addresses over a veth each (the kubeconfig points at the control-plane's host).
 *
 * Run under the shared lock: flock /tmp/kindlab-docker.lock node --import tsx --test test/e2e/multihost.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { LAB_BIN, REPO, lab, until } from './helpers.js';
import { dockerOn, engine, loadInto, loseEngine, makeUnderlay, reachFromHost, regainEngine, removeEngine, startEngine, type TestEngine } from './engines.js';
import { parseDocument } from 'yaml';
import { checkNamed, copyArticleLab, verifyJson } from './cluster-lab.js';

const LAB = 'kl-mh';
const CIL = 'kl-mhc';
const TAG = 'klmh';
const A = engine('a', TAG, 0);
const B = engine('b', TAG, 1);
let dir = '';

/** A file outside the lab directory that this machine has and engine b's machine does not (hidden there). */
const outside = () => join(dir, 'outside');

function topology(extraR1 = '', extraR3Bind = ''): string {
  return `name: ${LAB}
hosts:
  a: { engine: "unix://${A.sock}", underlay: ${A.underlay} }
  b: { engine: "unix://${B.sock}", underlay: ${B.underlay} }
mgmt: { ipv4-subnet: 172.31.251.0/24 }
topology:
  defaults: { kind: linux, image: kindlab/base }
  nodes:
    r1: { host: a${extraR1} }
    r2:
      host: a
      exec: ["ip addr add 10.0.12.2/30 dev eth1", "ip addr add 10.0.23.1/30 dev eth2"]
    r3:
      host: b
      binds: ["lab-${LAB}:/lab:ro"${extraR3Bind}]
      exec: ["ip addr add 10.0.23.2/30 dev eth1"]
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r2:eth2", "r3:eth1"]
    - endpoints: ["r3:eth9", "host:klmh-h3"]
    # the special links of a node on engine b, made on b's machine: a macvlan on its underlay device (which
    # only b's machine has), a VXLAN whose socket is b's (to a VTEP the test puts in a's namespace), mgmt-net on b's bridge
    - endpoints: ["r3:eth3", "macvlan:${B.dev}"]
      ipv4: ["10.250.0.20/24", ""]
    - type: vxlan
      endpoint: { node: r3, interface: vx0, ipv4: 192.168.77.2/24 }
      remote: ${A.underlay}
      vni: 4242
      dst-port: 14899
      mtu: 1400
    - endpoints: ["r3:eth5", "mgmt-net:klmh-m3"]
verify:
  - ping: { from: r2, to: 10.0.23.2 }
`;
}

interface IpLink {
  ifname: string;
  mtu: number;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; remote?: string; port?: number } };
  stats64?: { rx: { packets: number }; tx: { packets: number } };
}

const container = (n: string) => `clab-${LAB}-${n}`;

/** The engines as a --hosts file (the hosts: section of the topology). */
function hostsFile(): string {
  return join(dir, 'hosts.yaml');
}

async function pingFrom(e: TestEngine, node: string, to: string, what: string): Promise<void> {
  await until(what, async () => {
    const r = await dockerOn(e, ['exec', container(node), 'ping', '-c', '1', '-W', '2', to]);
    return r.exitCode === 0 ? true : undefined;
  }, 20_000, 500);
}

async function linkIn(e: TestEngine, node: string, iface: string): Promise<IpLink> {
  const r = await dockerOn(e, ['exec', container(node), 'ip', '-j', '-d', 'link', 'show', 'dev', iface]);
  assert.equal(r.exitCode, 0, r.stderr);
  return (JSON.parse(r.stdout) as IpLink[])[0]!;
}

async function underlayPackets(e: TestEngine): Promise<number> {
  const r = await execa('ip', ['-n', e.netns, '-j', '-s', 'link', 'show', 'dev', e.dev]);
  const l = (JSON.parse(r.stdout) as IpLink[])[0]!;
  return l.stats64!.tx.packets + l.stats64!.rx.packets;
}

/** What of the lab each engine still holds (containers and networks by label). */
async function leftOn(e: TestEngine, name = LAB): Promise<string[]> {
  const ps = await dockerOn(e, ['ps', '-a', '--filter', `label=kindlab.lab=${name}`, '--format', '{{.Names}}']);
  const nets = await dockerOn(e, ['network', 'ls', '--filter', `label=kindlab.lab=${name}`, '--format', '{{.Name}}']);
  assert.equal(ps.exitCode, 0, ps.stderr);
  return [...ps.stdout.split('\n'), ...nets.stdout.split('\n')].filter(Boolean);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kl-mh-'));
  await writeFile(join(dir, 'topo.yaml'), topology());
  await writeFile(hostsFile(), `hosts:\n  a: { engine: "unix://${A.sock}", underlay: ${A.underlay} }\n  b: { engine: "unix://${B.sock}", underlay: ${B.underlay} }\n`);
  await makeUnderlay([A, B]);
  await reachFromHost([A, B]);
  // engine b does not see this machine's lab directory (an empty tmpfs over it): the deploy must copy it there
  await Promise.all([startEngine(A), startEngine(B, { hide: [join(dir, `lab-${LAB}`), outside()] })]);
  await mkdir(outside(), { recursive: true });
  await writeFile(join(outside(), 'data.txt'), 'only on this machine\n');
  // the far VTEP of r3's vxlan link, in engine a's namespace: it answers only a tunnel whose socket is b's
  for (const a of [['link', 'add', 'klmh-vx', 'type', 'vxlan', 'id', '4242', 'local', A.underlay, 'remote', B.underlay, 'dstport', '14899', 'dev', A.dev], ['addr', 'add', '192.168.77.1/24', 'dev', 'klmh-vx'], ['link', 'set', 'klmh-vx', 'mtu', '1400', 'up']]) {
    await execa('ip', ['-n', A.netns, ...a]);
  }
  // only engine a has the image: the deploy must bring it to b (save | load)
  await loadInto(A, ['kindlab/base:latest']);
});

after(async () => {
  await execa('node', [LAB_BIN, 'destroy', '--name', LAB, '--cleanup'], { reject: false, cwd: REPO });
  await execa('node', [LAB_BIN, 'destroy', '--name', CIL, '--cleanup'], { reject: false, cwd: REPO });
  for (const e of [A, B]) await removeEngine(e);
  await rm(dir, { recursive: true, force: true });
});

test('a lab over two engines: VXLAN across them on the underlay, veth within one; destroy clears both', async () => {
  const d = await lab(['deploy', '-t', join(dir, 'topo.yaml')]);
  assert.equal(d.exitCode, 0, d.stderr + d.stdout);
  assert.match(d.stdout, /deployed: 3 containers, 6 links on 2 hosts/);
  assert.match(d.stdout, /r2:eth2 \(a 10\.250\.0\.1\) <-> r3:eth1 \(b 10\.250\.0\.2\): VXLAN VNI \d+, MTU 1450 \(lowered from 9500: underlay MTU 1500 - 50\)/);
  assert.deepEqual((await leftOn(A)).filter((n) => n.startsWith('clab-')).sort(), [container('r1'), container('r2')]);
  assert.deepEqual((await leftOn(B)).filter((n) => n.startsWith('clab-')).sort(), [container('r3')]);
  // the helpers that built the tunnels are gone
  assert.deepEqual((await leftOn(B)).filter((n) => n.endsWith('-vtep')), []);

  const near = await linkIn(A, 'r2', 'eth2');
  const far = await linkIn(B, 'r3', 'eth1');
  for (const [l, local, remote] of [[near, A.underlay, B.underlay], [far, B.underlay, A.underlay]] as const) {
    assert.equal(l.linkinfo?.info_kind, 'vxlan');
    assert.equal(l.linkinfo?.info_data?.local, local);
    assert.equal(l.linkinfo?.info_data?.remote, remote);
    assert.equal(l.linkinfo?.info_data?.port, 4789);
    assert.equal(l.mtu, 1450);
  }
  assert.equal(near.linkinfo?.info_data?.id, far.linkinfo?.info_data?.id);
  // the link within engine a stays a veth
  assert.equal((await linkIn(A, 'r1', 'eth1')).linkinfo?.info_kind, 'veth');

  const before = await underlayPackets(A);
  await until('r2 → r3 over the VXLAN link', async () => {
    const r = await dockerOn(A, ['exec', container('r2'), 'ping', '-c', '1', '-W', '2', '10.0.23.2']);
    return r.exitCode === 0 ? true : undefined;
  }, 20_000, 500);
  const p = await dockerOn(A, ['exec', container('r2'), 'ping', '-c', '10', '-i', '0.2', '-W', '2', '10.0.23.2']);
  assert.equal(p.exitCode, 0, p.stdout);
  // 10 requests out and 10 replies in, encapsulated on the underlay
  assert.ok((await underlayPackets(A)) - before >= 20, 'the lab traffic crosses the underlay veth');

  // r3 binds the lab directory: engine b's machine got its copy through b (its view was an empty tmpfs), a shares ours
  const labDir = join(dir, `lab-${LAB}`);
  const seen = await dockerOn(B, ['exec', container('r3'), 'cat', '/lab/hosts.json']);
  assert.equal(seen.exitCode, 0, seen.stderr);
  assert.match(seen.stdout, /"underlay": "10\.250\.0\.2"/);
  const dockerdB = (await readFile(join(B.root, 'd.pid'), 'utf8')).trim();
  const onB = (argv: string[]) => execa('nsenter', ['-t', dockerdB, '-m', ...argv], { reject: false });
  assert.equal((await onB(['findmnt', '-n', '-o', 'FSTYPE', '--mountpoint', labDir])).stdout.trim(), 'tmpfs');
  assert.equal((await onB(['test', '-e', join(labDir, '.kindlab-copy')])).exitCode, 0, 'the copy on b is marked');
  await assert.rejects(readFile(join(labDir, '.kindlab-copy')), 'the mark is not in this machine\'s lab directory');

  // r3's host link: its host end is on engine b's machine (b's namespace here), made through b's helper, not on this one
  const hostEnd = await execa('ip', ['-n', B.netns, '-j', 'link', 'show', 'dev', 'klmh-h3'], { reject: false });
  assert.equal(hostEnd.exitCode, 0, hostEnd.stderr);
  assert.match((JSON.parse(hostEnd.stdout) as Array<{ ifalias?: string }>)[0]?.ifalias ?? '', /^kindlab:kl-mh:r3:eth9--host:klmh-h3$/);
  assert.notEqual((await execa('ip', ['link', 'show', 'dev', 'klmh-h3'], { reject: false })).exitCode, 0, 'no host end on this machine');
  assert.equal((await linkIn(B, 'r3', 'eth9')).linkinfo?.info_kind, 'veth');

  // the other special links of r3, made on engine b's machine through its helper
  const mv = await linkIn(B, 'r3', 'eth3');
  assert.equal(mv.linkinfo?.info_kind, 'macvlan');
  await pingFrom(B, 'r3', A.underlay, 'r3 → engine a over the macvlan on b\'s underlay device');
  const vx = await linkIn(B, 'r3', 'vx0');
  assert.deepEqual([vx.linkinfo?.info_kind, vx.linkinfo?.info_data?.id, vx.linkinfo?.info_data?.remote, vx.mtu], ['vxlan', 4242, A.underlay, 1400]);
  await pingFrom(B, 'r3', '192.168.77.1', 'r3 → the VTEP in a\'s namespace over its vxlan link');
  const mgmtId = (await dockerOn(B, ['network', 'inspect', '-f', '{{.Id}}', `kindlab-${LAB}`])).stdout.trim();
  const m3 = await execa('ip', ['-n', B.netns, '-j', 'link', 'show', 'dev', 'klmh-m3'], { reject: false });
  assert.equal(m3.exitCode, 0, `the mgmt-net host end is on b's machine: ${m3.stderr}`);
  assert.equal((JSON.parse(m3.stdout) as Array<{ master?: string }>)[0]?.master, `br-${mgmtId.slice(0, 12)}`, 'a port of b\'s mgmt bridge');
  assert.notEqual((await execa('ip', ['link', 'show', 'dev', 'klmh-m3'], { reject: false })).exitCode, 0, 'no mgmt-net host end on this machine');

  // lab capture of r3 (engine b): tcpdump in a capture helper on b's machine, the pcap streamed here; Ctrl-C ends it
  const pcap = join(dir, 'r3.pcap');
  const cap = spawn('node', [LAB_BIN, 'capture', '-t', join(dir, 'topo.yaml'), 'r3:eth1', '-w', pcap, '--timeout', '120s'], { cwd: REPO });
  let capErr = '';
  cap.stderr.on('data', (c: Buffer) => (capErr += c.toString()));
  const capped = new Promise<number | null>((resolve) => cap.on('close', (code) => resolve(code)));
  await until('tcpdump listening on b', async () => (/listening on eth1/.test(capErr) ? true : undefined), 30_000, 100);
  assert.ok((await leftOn(B)).includes(`kindlab-${LAB}-b-capture-${cap.pid}`), 'the capture runs in a helper of its own on b');
  const cp = await dockerOn(A, ['exec', container('r2'), 'ping', '-c', '3', '-i', '0.2', '-W', '2', '10.0.23.2']);
  assert.equal(cp.exitCode, 0, cp.stdout);
  cap.kill('SIGINT');
  assert.equal(await capped, 0, capErr);
  assert.match(capErr, /packets captured/);
  const read = await execa('tcpdump', ['-r', pcap, '-n', 'icmp']);
  assert.match(read.stdout, /10\.0\.23\.1 > 10\.0\.23\.2: ICMP echo request/);
  assert.match(read.stdout, /10\.0\.23\.2 > 10\.0\.23\.1: ICMP echo reply/);
  assert.deepEqual((await leftOn(B)).filter((n) => n.includes('-capture-')), [], 'the capture helper is gone');
  const noIface = await lab(['capture', '-t', join(dir, 'topo.yaml'), 'r3:eth7', '-w', join(dir, 'x.pcap')]);
  assert.equal(noIface.exitCode, 1);
  assert.match(noIface.stderr, /node r3 \(host b\) has no interface "eth7"/);

  // inspect --all finds the lab on both engines (this machine's record of it names them: hosts.json); a machine
  // without that record finds it with --hosts FILE, not without
  const all = await lab(['inspect', '--all', '--format', 'json']);
  assert.equal(all.exitCode, 0, all.stderr);
  const ours = (JSON.parse(all.stdout) as Array<{ lab: string; nodes: Array<{ name: string; state: string }> }>).find((l) => l.lab === LAB);
  assert.deepEqual(ours?.nodes.map((n) => `${n.name}:${n.state}`).sort(), ['r1:running', 'r2:running', 'r3:running']);
  const bare = { KINDLAB_HOME: await mkdtemp(join(tmpdir(), 'kl-mh-home-')) };
  try {
    const none = await lab(['inspect', '--name', LAB, '--format', 'json'], { env: bare });
    assert.deepEqual((JSON.parse(none.stdout) as { nodes: unknown[] }).nodes, [], 'no record: this machine\'s engine has none of it');
    const found = await lab(['inspect', '--name', LAB, '--hosts', hostsFile(), '--format', 'json'], { env: bare });
    assert.equal(found.exitCode, 0, found.stderr);
    assert.deepEqual((JSON.parse(found.stdout) as { nodes: Array<{ name: string }> }).nodes.map((n) => n.name).sort(), ['r1', 'r2', 'r3']);
  } finally {
    await rm(bare.KINDLAB_HOME, { recursive: true, force: true });
  }

  // inspect and exec find each node on its engine
  const i = await lab(['inspect', '--name', LAB, '--format', 'json']);
  assert.equal(i.exitCode, 0, i.stderr);
  const nodes = (JSON.parse(i.stdout) as { nodes: Array<{ name: string; state: string }> }).nodes;
  assert.deepEqual(nodes.map((n) => `${n.name}:${n.state}`).sort(), ['r1:running', 'r2:running', 'r3:running']);
  const e = await lab(['exec', '--name', LAB, 'r3', '--', 'ip', '-br', 'addr', 'show', 'dev', 'eth1']);
  assert.equal(e.exitCode, 0, e.stderr);
  assert.match(e.stdout, /10\.0\.23\.2\/30/);
  // verify --impact: the cross-engine link failed at both ends (each engine's helper) breaks the ping; cleared, it passes
  const im = await lab(['verify', '-t', join(dir, 'topo.yaml'), '--impact', '--elements', 'r2-r3']);
  assert.equal(im.exitCode, 0, im.stderr + im.stdout);
  assert.match(im.stdout, /link r2:eth2 — r3:eth1: 1 of 1 checks fail; detect [^,]+, recover \d/);
  for (const en of [A, B]) assert.deepEqual((await leftOn(en)).filter((n) => n.endsWith('-vtep')), [], `engine ${en.name}: the impact run's helper is gone`);

  const x = await lab(['destroy', '-t', join(dir, 'topo.yaml'), '--cleanup']);
  assert.equal(x.exitCode, 0, x.stderr + x.stdout);
  assert.match(x.stdout, new RegExp(`^  lab dir copies: b:${labDir}$`, 'm'));
  assert.notEqual((await execa('ip', ['-n', B.netns, 'link', 'show', 'dev', 'klmh-h3'], { reject: false })).exitCode, 0, 'destroy removed the host end on b');
  assert.notEqual((await execa('ip', ['-n', B.netns, 'link', 'show', 'dev', 'klmh-m3'], { reject: false })).exitCode, 0, 'and the mgmt-net end');
  assert.deepEqual(await leftOn(A), []);
  assert.deepEqual(await leftOn(B), []);
});

test('engine b lost at destroy: a is cleaned and b reported; destroy again once b is back finishes it', async () => {
  const d = await lab(['deploy', '-t', join(dir, 'topo.yaml')]);
  assert.equal(d.exitCode, 0, d.stderr + d.stdout);
  await loseEngine(B);
  const x = await lab(['destroy', '--name', LAB, '--cleanup']);
  assert.equal(x.exitCode, 1, x.stdout + x.stderr);
  assert.match(x.stdout, /NOT REMOVED: host b is unreachable/);
  assert.deepEqual(await leftOn(A), []);
  await regainEngine(B);
  assert.ok((await leftOn(B)).includes(container('r3')), 'engine b still holds its node');
  // a machine without this lab's record (a home of its own) finds b's part with --hosts FILE
  const home = await mkdtemp(join(tmpdir(), 'kl-mh-home-'));
  try {
    const again = await lab(['destroy', '--name', LAB, '--hosts', hostsFile(), '--cleanup'], { env: { KINDLAB_HOME: home } });
    assert.equal(again.exitCode, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`^  containers: ${container('r3')}$`, 'm'));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  // this machine's record goes with a destroy that finds nothing left
  assert.match((await lab(['destroy', '--name', LAB, '--cleanup'])).stdout, /nothing to remove/);
  assert.deepEqual(await leftOn(B), []);
  assert.deepEqual(await leftOn(A), []);
});

test('a bind source outside the lab directory that engine b\'s machine lacks: the deploy stops naming it and rolls back', async () => {
  const src = join(outside(), 'data.txt');
  await writeFile(join(dir, 'bind.yaml'), topology('', `, "${src}:/data.txt:ro"`));
  // a lab directory removed here (an earlier destroy --cleanup) took engine b's empty tmpfs over it along (a mount in
  // another namespace goes with its directory): hide it from b again, else b shares it and nothing is checked
  const labDir = join(dir, `lab-${LAB}`);
  await mkdir(labDir, { recursive: true });
  const dockerdB = (await readFile(join(B.root, 'd.pid'), 'utf8')).trim();
  await execa('nsenter', ['-t', dockerdB, '-m', 'sh', '-c', 'findmnt -n --mountpoint "$1" >/dev/null || mount -t tmpfs kl-hidden "$1"', 'sh', labDir]);
  const r = await lab(['deploy', '--force', '-t', join(dir, 'bind.yaml')]);
  assert.notEqual(r.exitCode, 0, r.stdout);
  assert.match(r.stderr, new RegExp(`node r3: bind ${src}:/data\\.txt:ro: ${src} does not exist on host b`));
  assert.deepEqual(await leftOn(A), []);
  assert.deepEqual(await leftOn(B), []);
  assert.equal((await lab(['destroy', '--name', LAB, '--cleanup'])).exitCode, 0, 'the record of the failed deploy goes');
});

test('engine b lost mid-deploy: the deploy fails and rolls back on a', async () => {
  // r1 sleeps in its exec step: engine b dies while the deploy still needs it
  await writeFile(join(dir, 'slow.yaml'), topology(', exec: ["sleep 4"]'));
  const run = execa('node', [LAB_BIN, 'deploy', '-t', join(dir, 'slow.yaml')], { reject: false, cwd: REPO, env: { CI: '1' } });
  await until('r1 on engine a', async () => ((await leftOn(A)).includes(container('r1')) ? true : undefined), 60_000, 100);
  await loseEngine(B);
  const r = await run;
  await regainEngine(B);
  assert.notEqual(r.exitCode, 0, r.stdout);
  assert.match(r.stderr, /unreachable: host b/);
  assert.deepEqual(await leftOn(A), []);
});

/** The lab's interfaces (mgmt VXLAN) in an engine's own namespace: name, alias and VXLAN data. */
async function vxlansOn(e: TestEngine): Promise<Array<IpLink & { ifalias?: string }>> {
  const r = await execa('ip', ['-n', e.netns, '-j', '-d', 'link', 'show', 'type', 'vxlan']);
  return JSON.parse(r.stdout || '[]') as Array<IpLink & { ifalias?: string }>;
}

test('the Cilium article lab over two engines: rack0 on a, rack1 and router0 on b; verify passes across them; destroy clears both', async () => {
  const copy = await copyArticleLab(CIL, 'kl-mhc-');
  try {
    const doc = parseDocument(await readFile(copy.file, 'utf8'));
    doc.set('hosts', doc.createNode({ a: { engine: `unix://${A.sock}`, underlay: A.underlay }, b: { engine: `unix://${B.sock}`, underlay: B.underlay } }));
    // each server names its kind node's rack; the kind nodes follow the servers sharing their netns
    for (const [n, h] of [['tor0', 'a'], ['server0', 'a'], ['server1', 'a'], ['router0', 'b'], ['tor1', 'b'], ['server2', 'b'], ['server3', 'b']]) doc.setIn(['topology', 'nodes', n, 'host'], h);
    await writeFile(copy.file, doc.toString());

    const d = await lab(['deploy', '-t', copy.file]);
    assert.equal(d.exitCode, 0, d.stderr + d.stdout);
    assert.match(d.stdout, /management network kindlab-kl-mhc \(\S+\) on hosts a 10\.250\.0\.1, b 10\.250\.0\.2: VXLAN VNI \d+, MTU 1450/);
    assert.match(d.stdout, /router0:net0 \(b 10\.250\.0\.2\) <-> tor0:net0 \(a 10\.250\.0\.1\): VXLAN VNI \d+/);
    const nodesOn = async (e: TestEngine) => {
      const ps = await dockerOn(e, ['ps', '--filter', `label=kindlab.lab=${CIL}`, '--format', '{{.Names}}']);
      const all = ['control-plane', 'worker', 'worker2', 'worker3', 'tor0', 'tor1', 'router0', 'server0', 'server1', 'server2', 'server3'];
      return all.filter((n) => ps.stdout.split('\n').some((c) => c.endsWith(`-${n}`))).sort();
    };
    assert.deepEqual(await nodesOn(A), ['control-plane', 'server0', 'server1', 'tor0', 'worker']);
    assert.deepEqual(await nodesOn(B), ['router0', 'server2', 'server3', 'tor1', 'worker2', 'worker3']);

    // the management segment: one VXLAN device per engine on its mgmt bridge, local/remote the underlay addresses
    for (const [e, local, remote] of [[A, A.underlay, B.underlay], [B, B.underlay, A.underlay]] as const) {
      const mg = (await vxlansOn(e)).filter((l) => l.ifalias === `kindlab:${CIL}:mgmt-vxlan`);
      assert.equal(mg.length, 1, `engine ${e.name}: one mgmt VXLAN`);
      assert.equal(mg[0]!.linkinfo?.info_data?.local, local);
      assert.equal(mg[0]!.linkinfo?.info_data?.remote, remote);
    }
    // router0 (b) – tor0 (a) is a VXLAN link; tor1 – router0 (both b) a veth
    const r0 = await lab(['exec', '-t', copy.file, 'router0', '--', 'ip', '-j', '-d', 'link', 'show']);
    assert.equal(r0.exitCode, 0, r0.stderr);
    const kinds = Object.fromEntries((JSON.parse(r0.stdout) as IpLink[]).map((l) => [l.ifname, l.linkinfo?.info_kind]));
    assert.equal(kinds['net0'], 'vxlan');
    assert.equal(kinds['net1'], 'veth');

    // the article's checks, the traceroute crossing router0–tor0 among them
    const { exitCode, report } = await verifyJson(copy.file, ['--wait', '120s']);
    assert.deepEqual(report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
    assert.equal(exitCode, 0);
    assert.equal(report.checks.filter((c) => !c.derived).length, 20, 'the 18 checks and 2 kubectl lines of the lab');
    assert.match(checkNamed(report.checks, 'pod/nettool-1 → pod/nettool-2 via worker, tor0, router0, tor1, worker2').detail, /^worker \(10\.1\.1\.1\) → tor0 \(10\.0\.2\.1\) → router0 \(10\.0\.0\.0\) → tor1 \(10\.0\.0\.2\) → worker2 \(10\.0\.3\.2\) → pod\/nettool-2/);
    const i = await lab(['inspect', '-t', copy.file, '--format', 'json']);
    assert.equal(i.exitCode, 0, i.stderr);
    assert.equal((JSON.parse(i.stdout) as { nodes: Array<{ state: string }> }).nodes.filter((n) => n.state !== 'running').length, 0);

    // graph: each node's host from where its container runs, BGP state read on each node's engine
    const g = await lab(['graph', '-t', copy.file, '--format', 'mermaid']);
    assert.equal(g.exitCode, 0, g.stderr);
    assert.match(g.stdout, /<b>tor0<\/b><br\/><small>host a 10\.250\.0\.1<\/small>/);
    assert.match(g.stdout, /<b>router0<\/b><br\/><small>host b 10\.250\.0\.2<\/small>/);
    assert.match(g.stdout, /linkStyle \d+ stroke:#1a7f37/, 'established sessions drawn');
    // save: each router's config read on its engine, written into the lab directory here
    const s = await lab(['save', '-t', copy.file]);
    assert.equal(s.exitCode, 0, s.stderr);
    for (const [n, h] of [['tor0', 'a'], ['router0', 'b'], ['tor1', 'b']]) {
      const line = s.stdout.split('\n').find((l) => l.startsWith(`${n} (host ${h}): saved `));
      assert.ok(line, `${n} saved on host ${h}: ${s.stdout}`);
      assert.match(await readFile(line.split(': saved ')[1]!, 'utf8'), /router bgp/);
    }
    // fault: the cross-engine link down at both ends (each engine's helper), then cleared
    const operstate = async (node: string) => {
      const r = await lab(['exec', '-t', copy.file, node, '--', 'ip', '-j', 'link', 'show', 'dev', 'net0']);
      assert.equal(r.exitCode, 0, r.stderr);
      return (JSON.parse(r.stdout) as Array<{ flags: string[] }>)[0]!.flags.includes('UP');
    };
    const down = await lab(['fault', 'link', '-t', copy.file, 'router0:net0', 'tor0:net0', 'down']);
    assert.equal(down.exitCode, 0, down.stderr + down.stdout);
    assert.deepEqual([await operstate('router0'), await operstate('tor0')], [false, false]);
    const cl = await lab(['fault', 'clear', '-t', copy.file]);
    assert.equal(cl.exitCode, 0, cl.stderr + cl.stdout);
    assert.deepEqual([await operstate('router0'), await operstate('tor0')], [true, true]);
    for (const e of [A, B]) assert.deepEqual((await leftOn(e, CIL)).filter((n) => n.endsWith('-vtep')), [], `engine ${e.name}: the fault's helper is gone`);
    // node stop/start on engine b through its Docker API
    const state = async () => (await dockerOn(B, ['inspect', '-f', '{{.State.Status}}', `clab-${CIL}-tor1`])).stdout.trim();
    assert.equal((await lab(['fault', 'node', '-t', copy.file, 'tor1', 'stop'])).exitCode, 0);
    assert.equal(await state(), 'exited');
    assert.equal((await lab(['fault', 'node', '-t', copy.file, 'tor1', 'start'])).exitCode, 0);
    assert.equal(await state(), 'running');

    const x = await lab(['destroy', '-t', copy.file, '--cleanup']);
    assert.equal(x.exitCode, 0, x.stderr + x.stdout);
    for (const e of [A, B]) {
      assert.deepEqual(await leftOn(e, CIL), [], `engine ${e.name}`);
      assert.deepEqual((await vxlansOn(e)).filter((l) => l.ifalias?.startsWith(`kindlab:${CIL}:`)).map((l) => l.ifname), [], `engine ${e.name}: no VXLAN device of the lab left`);
    }
  } finally {
    await rm(copy.dir, { recursive: true, force: true });
  }
});
