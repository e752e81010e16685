/**
 * Calico BGPPeer localASNumber and ttlSecurity on the agent's speaker, against BIRD 2 as calico-node configures it
 * (`local as N`, `ttl security on; multihop 1`): one session speaks a per-peer local AS different from the speaker's
 * and sends with TTL 255, so BIRD's GTSM check lets it in; a second BIRD without GTSM (it sends TTL 64) never gets a
 * session with our IP_MINTTL 255 socket. Loopback only; the BIRDs run as children of the test and are killed at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

async function startBird(name: 'a' | 'b', port: number, asn: number, ourAsn: number, ttl: string): Promise<void> {
  await writeFile(path.join(dir, `${name}.conf`), `router id 10.255.0.9;
protocol device {}
protocol bgp ${name} {
  local 127.0.0.2 port ${port} as ${asn};
  neighbor 127.0.0.1 as ${ourAsn};
  passive on;
  ${ttl}
  hold time 9;
  ipv4 { import all; export none; };
}
`);
  birds.push(execa('/usr/sbin/bird', ['-f', '-c', path.join(dir, `${name}.conf`), '-s', path.join(dir, `${name}.ctl`), '-P', path.join(dir, `${name}.pid`)], { reject: false }));
  await waitFor(`bird ${name} control socket`, async () => (await birdc(name, 'show status')).includes('Daemon is up'), 15_000, 200);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kl-gtsm-'));
  // a expects our per-peer local AS 65100 and GTSM with one hop; b expects the speaker's AS 65000 and no GTSM.
  await startBird('a', PORT_A, 65010, 65100, 'ttl security on;\n  multihop 1;');
  await startBird('b', PORT_B, 65011, 65000, 'multihop;');
  const nb = (port: number, asn: number) => ({ peerAddress: '127.0.0.2', port, peerAsn: asn, localAddress: '127.0.0.1', connectRetryTime: 1, idleHoldTime: 1, holdTime: 9, keepaliveTime: 3, ttl: 255, minTtl: 255 });
  sp = createSpeaker({ asn: 65000, routerId: '10.255.0.1', neighbors: [{ ...nb(PORT_A, 65010), localAsn: 65100 }, nb(PORT_B, 65011)] });
  sp.originate('10.202.0.0/24');
  await sp.start();
});

after(async () => {
  await sp?.stop();
  for (const b of birds) b.kill('SIGKILL');
  await Promise.allSettled(birds);
  await rm(dir, { recursive: true, force: true });
});

test('per-peer local AS with GTSM: Established with BIRD `local as` + `ttl security on`, our route carries the per-peer AS; a peer sending TTL 64 is kept out', async () => {
  const [ka, kb] = [`127.0.0.2:${PORT_A}`, `127.0.0.2:${PORT_B}`];
  await waitFor('a Established on our side and in BIRD', async () => byKey(ka)?.state === 'Established' && /Established/.test(await birdc('a', 'show protocols a')), 20_000, 200);
  // The AS path BIRD a sees is the per-peer local AS, not the speaker's 65000.
  await waitFor('BIRD a has our route', async () => (await birdc('a', 'show route protocol a all')).includes('10.202.0.0/24'), 10_000, 200);
  assert.match(await birdc('a', 'show route protocol a all'), /BGP\.as_path: 65100\s*$/m);
  // b: several connect attempts (connect retry 1 s) while a came up and sent its route; none may pass our minimum TTL.
  await sleep(3000);
  assert.notEqual(byKey(kb)?.state, 'Established');
  assert.doesNotMatch(await birdc('b', 'show protocols b'), /Established/);
});
