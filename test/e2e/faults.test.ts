/**
 * `lab capture` and `lab fault` on a two-node linux lab (n1:eth1 -- n2:eth1, 10.9.0.1/24 -- 10.9.0.2/24),
 * through the real CLI: a capture records the ICMP of a ping; 30 % loss on n1:eth1 loses 20-40 % of 200
 * pings; link down breaks the ping and `lab fault clear` (from another process, by lab name) restores it;
 * pause/unpause and stop are recorded and cleared. The lab is destroyed at the end, also on failure.
 * Run under `flock /tmp/kindlab-docker.lock`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { LAB_BIN, NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName, writeLabFile } from './plan-helpers.js';

const name = uniqueLabName('kl-fault');
let dir = '';
let file = '';

before(async () => {
  ({ dir, file } = await writeLabFile(name, [
    'topology:',
    '  nodes:',
    '    n1: { kind: linux, image: kindlab/base:latest, exec: ["ip addr add 10.9.0.1/24 dev eth1"] }',
    '    n2: { kind: linux, image: kindlab/base:latest, exec: ["ip addr add 10.9.0.2/24 dev eth1"] }',
    '  links:',
    '    - endpoints: ["n1:eth1", "n2:eth1"]',
  ]));
  const r = await lab(['deploy', '-t', file]);
  assert.equal(r.exitCode, 0, r.stderr);
});

after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface FaultList {
  faults: Array<{ id: number; fault: { type: string } }>;
}

async function faultTypes(): Promise<string[]> {
  const r = await lab(['fault', 'list', '--name', name, '--format', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return (JSON.parse(r.stdout) as FaultList).faults.map((f) => f.fault.type);
}

async function ping(args: string[]): Promise<{ exitCode: number; stdout: string }> {
  return lab(['exec', '-t', file, 'n1', '--', 'ping', ...args, '10.9.0.2']);
}

async function dockerState(node: string): Promise<{ Running: boolean; Paused: boolean }> {
  const r = await execa('docker', ['inspect', '-f', '{{json .State}}', `clab-${name}-${node}`]);
  return JSON.parse(r.stdout) as { Running: boolean; Paused: boolean };
}

/** Our iptables rules in a node's netns (by the comment they carry). */
async function faultRules(node: string): Promise<string[]> {
  const pid = (await execa('docker', ['inspect', '-f', '{{.State.Pid}}', `clab-${name}-${node}`])).stdout.trim();
  const out = (await execa('nsenter', ['-t', pid, '-n', 'iptables', '-S'])).stdout + (await execa('nsenter', ['-t', pid, '-n', 'ip6tables', '-S'])).stdout;
  return out.split('\n').filter((l) => l.includes('kindlab-fault'));
}

test('lab capture n1:eth1 while n1 pings n2 records the ICMP echo requests and replies (tcpdump -r reads the pcap); Ctrl-C ends it with 0', async () => {
  const pcap = join(dir, 'icmp.pcap');
  const child = spawn('node', [LAB_BIN, 'capture', '-t', file, 'n1:eth1', '-w', pcap, '--timeout', '120s'], { cwd: REPO });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await until('tcpdump listening', async () => (/listening on eth1/.test(stderr) ? true : undefined), 20_000, 100);
  const p = await ping(['-c', '3', '-i', '0.2', '-W', '2']);
  assert.equal(p.exitCode, 0, p.stdout);
  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /packets captured/);
  const read = await execa('tcpdump', ['-r', pcap, '-n', 'icmp']);
  assert.match(read.stdout, /10\.9\.0\.1 > 10\.9\.0\.2: ICMP echo request/);
  assert.match(read.stdout, /10\.9\.0\.2 > 10\.9\.0\.1: ICMP echo reply/);
});

test('lab capture of an unknown node or interface fails naming it', async () => {
  const iface = await lab(['capture', '-t', file, 'n1:eth7', '-w', join(dir, 'x.pcap')]);
  assert.equal(iface.exitCode, 1);
  assert.match(iface.stderr, /node n1 has no interface "eth7"/);
  assert.match(iface.stderr, /its interfaces: .*eth1/);
  const node = await lab(['capture', '-t', file, 'n9:eth1', '-w', join(dir, 'x.pcap')]);
  assert.equal(node.exitCode, 1);
  assert.match(node.stderr, /has no node "n9"/);
});

test('30 % loss on n1:eth1 loses 20-40 % of 200 pings; clear removes the rules', async () => {
  const set = await lab(['fault', '-t', file, 'link', 'n1:eth1', 'loss', '30']);
  assert.equal(set.exitCode, 0, set.stderr);
  assert.deepEqual(await faultTypes(), ['link-loss']);
  assert.equal((await faultRules('n1')).length, 4);
  const p = await ping(['-c', '200', '-i', '0.01', '-W', '1', '-q']);
  const m = /(\d+) packets transmitted, (\d+) received/.exec(p.stdout);
  assert.ok(m, p.stdout);
  const lossPct = (100 * (Number(m[1]) - Number(m[2]))) / Number(m[1]);
  assert.ok(lossPct >= 20 && lossPct <= 40, `loss ${lossPct} % (${p.stdout})`);
  const clear = await lab(['fault', '-t', file, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  assert.match(clear.stdout, /restored: link n1:eth1 loss 30%/);
  assert.deepEqual(await faultRules('n1'), []);
  assert.deepEqual(await faultTypes(), []);
});

test('link down makes the ping fail; lab fault clear by lab name (another process) brings it back', async () => {
  const down = await lab(['fault', '-t', file, 'link', 'n1:eth1', 'n2:eth1', 'down']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.notEqual((await ping(['-c', '2', '-W', '1'])).exitCode, 0);
  assert.deepEqual(await faultTypes(), ['link-down']);
  const clear = await lab(['fault', '--name', name, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  assert.match(clear.stdout, /restored: link n1:eth1 n2:eth1 down/);
  const p = await ping(['-c', '3', '-W', '2']);
  assert.equal(p.exitCode, 0, p.stdout);
  assert.deepEqual(await faultTypes(), []);
});

test('link errors name the interface or the mismatched ends', async () => {
  const r = await lab(['fault', '-t', file, 'link', 'n1:eth3', 'down']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /node n1 has no lab link on interface "eth3"/);
  const c = await lab(['fault', '-t', file, 'link', 'n1:eth1', 'corrupt', '5']);
  assert.equal(c.exitCode, 1);
  assert.match(c.stderr, /corruption cannot be emulated/);
  assert.deepEqual(await faultTypes(), []);
});

test('flap --count 1: down then up, the link is up after and nothing stays recorded', async () => {
  const r = await lab(['fault', '-t', file, 'link', 'n1:eth1', 'flap', '--period', '300ms', '--count', '1']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^down \(1\/1\)\nup \(1\/1\)\n/);
  const link = await execa('docker', ['exec', `clab-${name}-n1`, 'ip', '-br', 'link', 'show', 'eth1']);
  assert.match(link.stdout, /\bUP\b/);
  assert.deepEqual(await faultTypes(), []);
});

/** Starts `lab fault link n1:eth1 flap` with no count; resolves once it has taken the link down. */
async function startFlap(): Promise<{ child: ReturnType<typeof spawn>; out: () => string; exited: Promise<number | null> }> {
  const child = spawn('node', [LAB_BIN, 'fault', '-t', file, 'link', 'n1:eth1', 'flap', '--period', '500ms'], { cwd: REPO });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await until('the flap took the link down', async () => (/^down \(1\)$/m.test(out) ? true : undefined), 30_000, 100);
  return { child, out: () => out, exited };
}

async function eth1Up(): Promise<boolean> {
  const link = await execa('docker', ['exec', `clab-${name}-n1`, 'ip', '-br', 'link', 'show', 'eth1']);
  return /\bUP\b/.test(link.stdout);
}

test('a running flap is stopped by lab fault clear from another process, which leaves the link up', async () => {
  const flap = await startFlap();
  assert.deepEqual(await faultTypes(), ['link-flap']);
  const clear = await lab(['fault', '--name', name, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  assert.equal(await flap.exited, 0, flap.out());
  assert.match(flap.out(), /flap \d+ ended; the link is up/);
  assert.ok(await eth1Up());
  assert.deepEqual(await faultTypes(), []);
});

test('a flap killed hard stays recorded, is listed as gone, and clear brings the link up', async () => {
  const flap = await startFlap();
  flap.child.kill('SIGKILL');
  await flap.exited;
  const list = await lab(['fault', 'list', '-t', file]);
  assert.match(list.stdout, /flap every 500 ms .*its process is gone/);
  const clear = await lab(['fault', '-t', file, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  assert.ok(await eth1Up());
  assert.deepEqual(await faultTypes(), []);
});

test('node pause is recorded and cleared (unpaused)', async () => {
  const r = await lab(['fault', '-t', file, 'node', 'n2', 'pause']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((await dockerState('n2')).Paused, true);
  // pause freezes the node's processes, not its kernel: n2 still answers pings (a BGP daemon would go silent)
  assert.deepEqual(await faultTypes(), ['node-pause']);
  const list = await lab(['fault', 'list', '-t', file]);
  assert.match(list.stdout, /node n2 paused/);
  const clear = await lab(['fault', '-t', file, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  assert.equal((await dockerState('n2')).Paused, false);
  assert.deepEqual(await faultTypes(), []);
});

test('node stop is recorded; clear starts the container again', async () => {
  const r = await lab(['fault', '-t', file, 'node', 'n2', 'stop']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((await dockerState('n2')).Running, false);
  assert.deepEqual(await faultTypes(), ['node-stop']);
  const clear = await lab(['fault', '-t', file, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  assert.equal((await dockerState('n2')).Running, true);
  assert.deepEqual(await faultTypes(), []);
});

test('destroy leaves nothing behind', async () => {
  const r = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});

/** Two FRR routers in eBGP over r1:eth1 -- r2:eth1 (10.8.0.0/30), each announcing its connected routes. */
function frrNode(me: 1 | 2): string[] {
  const peer = me === 1 ? 2 : 1;
  return [
    `    r${me}:`,
    '      kind: linux',
    '      image: frrouting/frr:v8.2.2',
    '      exec:',
    `      - ip addr add 10.8.0.${me}/30 dev eth1`,
    `      - ip addr add 10.8.${me}.1/24 dev lo`,
    '      - touch /etc/frr/vtysh.conf',
    "      - sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons",
    '      - /usr/lib/frr/frrinit.sh start',
    `      - vtysh -c 'conf t' -c 'router bgp 6500${me}' -c 'no bgp ebgp-requires-policy' -c 'neighbor 10.8.0.${peer} remote-as 6500${peer}' -c 'address-family ipv4 unicast' -c 'redistribute connected' -c 'exit-address-family'`,
  ];
}

interface PeerSummary {
  ipv4Unicast?: { peers?: Record<string, { state?: string; pfxRcd?: number }> };
}

test('bonus: lab capture of r1:eth1 records the BGP OPEN and UPDATE of a session that lab fault bgp r1 reset restarted', async () => {
  const bgpName = uniqueLabName('kl-fltbgp');
  const { dir: bgpDir, file: bgpFile } = await writeLabFile(bgpName, [
    'topology:',
    '  nodes:',
    ...frrNode(1),
    ...frrNode(2),
    '  links:',
    '    - endpoints: ["r1:eth1", "r2:eth1"]',
  ]);
  try {
    const up = await lab(['deploy', '-t', bgpFile]);
    assert.equal(up.exitCode, 0, up.stderr);
    const established = () =>
      until('r1 Established with r2, its routes received', async () => {
        const r = await lab(['exec', '-t', bgpFile, 'r1', '--', 'vtysh', '-c', 'show bgp summary json']);
        const peer = r.exitCode === 0 ? (JSON.parse(r.stdout) as PeerSummary).ipv4Unicast?.peers?.['10.8.0.2'] : undefined;
        return peer?.state === 'Established' && (peer.pfxRcd ?? 0) > 0 ? peer : undefined;
      }, 90_000, 500);
    await established();

    const pcap = join(dir, 'bgp.pcap');
    const child = spawn('node', [LAB_BIN, 'capture', '-t', bgpFile, 'r1:eth1', '-w', pcap, '--timeout', '180s'], { cwd: REPO });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await until('tcpdump listening', async () => (/listening on eth1/.test(stderr) ? true : undefined), 20_000, 100);

    const reset = await lab(['fault', '-t', bgpFile, 'bgp', 'r1', 'reset']);
    assert.equal(reset.exitCode, 0, reset.stderr);
    assert.match(reset.stdout, /bgp r1 reset all peers/);
    // the pcap is written packet by packet (-U): read it while the capture runs, until the new session's messages are in
    const decoded = () => execa('tcpdump', ['-r', pcap, '-n', '-v', 'tcp port 179'], { reject: false }).then((r) => r.stdout);
    await until('OPEN and UPDATE in the pcap', async () => {
      const text = await decoded();
      return /Open Message/.test(text) && /Update Message/.test(text) ? true : undefined;
    }, 90_000, 500);
    await established();
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    const text = await decoded();
    assert.match(text, /Open Message/);
    assert.match(text, /Update Message/);
    const list = await lab(['fault', 'list', '-t', bgpFile]);
    assert.match(list.stdout, /bgp r1 reset all peers \(event\)/);
    const clear = await lab(['fault', '-t', bgpFile, 'clear']);
    assert.equal(clear.exitCode, 0, clear.stderr);
    assert.match(clear.stdout, /cleared 1 fault/);
  } finally {
    await forceDestroy(bgpName);
    await rm(bgpDir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(bgpName), NOTHING);
});
