/**
 * Two peers at one address on different ports (Calico peerIP "ip:port", Cilium peerPort, MetalLB port) are two
 * sessions: our speaker against two BIRD 2 daemons, each passive and listening on its own non-179 port of
 * 127.0.0.2 with its own AS. Loopback only; BIRD runs as a child of the test and is killed at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createSpeaker, type BgpSpeaker } from '../../src/bgp/index.js';
import { waitFor } from '../lib/wait.js';

const PORT_A = 20000 + Math.floor(Math.random() * 20000);
const PORT_B = PORT_A + 1;
let dir: string;
const birds: ResultPromise[] = [];
let sp: BgpSpeaker;
const birdc = async (name: 'a' | 'b', cmd: string) => String((await execa('birdc', ['-s', path.join(dir, `${name}.ctl`), ...cmd.split(' ')], { reject: false })).stdout);
const byKey = (k: string) => sp.neighborStatus().find((n) => n.name === k);

/** One BIRD per port (one BIRD keeps one protocol per neighbor address); `a` sends one route, `b` none. */
async function startBird(name: 'a' | 'b', port: number, asn: number, exp: string): Promise<void> {
  await writeFile(path.join(dir, `${name}.conf`), `router id 10.255.0.9;
protocol device {}
protocol static s4 { ipv4; route 10.201.0.0/24 blackhole; }
protocol bgp ${name} {
  local 127.0.0.2 port ${port} as ${asn};
  neighbor 127.0.0.1 as 65000;
  passive on;
  multihop;
  hold time 9;
  ipv4 { import all; export ${exp}; next hop address 192.0.2.9; };
}
`);
  birds.push(execa('/usr/sbin/bird', ['-f', '-c', path.join(dir, `${name}.conf`), '-s', path.join(dir, `${name}.ctl`), '-P', path.join(dir, `${name}.pid`)], { reject: false }));
  await waitFor(`bird ${name} control socket`, async () => (await birdc(name, 'show status')).includes('Daemon is up'), 15_000, 200);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kl-ports-'));
  await startBird('a', PORT_A, 65010, 'where net = 10.201.0.0/24');
  await startBird('b', PORT_B, 65011, 'none');
  const nb = (port: number, asn: number) => ({ peerAddress: '127.0.0.2', port, peerAsn: asn, localAddress: '127.0.0.1', connectRetryTime: 1, idleHoldTime: 1, holdTime: 9, keepaliveTime: 3 });
  sp = createSpeaker({ asn: 65000, routerId: '10.255.0.1', neighbors: [nb(PORT_A, 65010), nb(PORT_B, 65011)] });
  sp.originate('10.202.0.0/24');
  await sp.start();
});

after(async () => {
  await sp?.stop();
  for (const b of birds) b.kill('SIGKILL');
  await Promise.allSettled(birds);
  await rm(dir, { recursive: true, force: true });
});

test('same address, two ports: two Established sessions, each with its own AS and its own routes', async () => {
  const [ka, kb] = [`127.0.0.2:${PORT_A}`, `127.0.0.2:${PORT_B}`];
  await waitFor('both sessions Established on our side and in BIRD', async () =>
    byKey(ka)?.state === 'Established' && byKey(kb)?.state === 'Established'
    && /Established/.test(await birdc('a', 'show protocols a')) && /Established/.test(await birdc('b', 'show protocols b')), 20_000, 200);
  assert.deepEqual([byKey(ka)!.asn, byKey(kb)!.asn, byKey(ka)!.port, byKey(kb)!.port], [65010, 65011, PORT_A, PORT_B]);
  assert.equal(byKey(ka)!.remote?.port, PORT_A);
  assert.equal(byKey(kb)!.remote?.port, PORT_B);
  await waitFor('route from a only', async () => byKey(ka)!.received === 1, 10_000, 100);
  assert.equal(byKey(kb)!.received, 0);
  // Each BIRD got our route over its own session.
  await waitFor('BIRD a and b have 10.202.0.0/24', async () => (await birdc('a', 'show route protocol a')).includes('10.202.0.0/24') && (await birdc('b', 'show route protocol b')).includes('10.202.0.0/24'), 10_000, 200);

  // Removing the port-B neighbor leaves the port-A session alone.
  assert.equal(sp.removeNeighbor(kb), true);
  await waitFor('b down in BIRD', async () => !/Established/.test(await birdc('b', 'show protocols b')), 10_000, 200);
  assert.equal(byKey(ka)!.state, 'Established');
  assert.match(await birdc('a', 'show protocols a'), /Established/);
});
