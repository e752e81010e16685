/**
 * Bounded fuzz test: random and mutated valid messages through the framer, every decoder and the RIB.
 * Only BgpWireError may be thrown, and the RIB never throws. Seed: BGP_FUZZ_SEED (printed every run);
 * iterations: BGP_FUZZ_ITERATIONS (default 20000).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageFramer } from './framer.js';
import { BgpWireError } from './errors.js';
import { decodeOpen, encodeOpen } from './open.js';
import { decodeNotification, encodeNotification } from './notification.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.js';
import { decodeUpdate, encodeUpdate } from './update.js';
import { emptyCapabilities } from './capabilities.js';
import { Rib } from '../rib/rib.js';
import { rng as mulberry32 } from '../../../test/lib/rng.js';


const seeds: Buffer[] = [
  encodeOpen({ version: 4, asn: 4200000001, holdTime: 90, routerId: '10.0.0.1', capabilities: { ...emptyCapabilities(), multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, fourOctetAsn: 4200000001, gracefulRestart: { restarting: false, notification: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }, extendedNextHop: [{ afi: 1, safi: 1, nextHopAfi: 2 }] } }),
  encodeNotification({ code: 6, subcode: 2, data: Buffer.from('\x03bye') }),
  encodeRouteRefresh({ afi: 2, safi: 1, subtype: 1 }),
  encodeUpdate({ withdrawn: ['10.9.0.0/16'], nlri: ['10.1.0.0/24', '10.2.0.0/23'], attributes: { origin: 0, asPath: [{ type: 2, asns: [65001, 70000] }, { type: 1, asns: [1, 2] }], nextHop: '10.0.0.1', med: 3, localPref: 100, communities: [1, 2], largeCommunities: [[1, 2, 3]], aggregator: { asn: 65001, address: '1.1.1.1' }, atomicAggregate: true, originatorId: '1.1.1.1', clusterList: ['2.2.2.2'] } }, { fourOctetAs: true }),
  encodeUpdate({ withdrawn: [], nlri: [], attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocal: 'fe80::1', nlri: ['2001:db8:1::/48', '2001:db8:2::/64'] }, mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:3::/48'] } } }, { fourOctetAs: true }),
  encodeUpdate({ withdrawn: [], nlri: ['10.3.0.0/24'], attributes: { origin: 1, asPath: [{ type: 2, asns: [65001, 23456] }], nextHop: '10.0.0.1', as4Path: [{ type: 2, asns: [65001, 4200000000] }], as4Aggregator: { asn: 4200000000, address: '1.1.1.1' }, aggregator: { asn: 23456, address: '1.1.1.1' } } }, { fourOctetAs: false }),
];
const fixtureDir = join(import.meta.dirname, '../../../test/fixtures/bgp/malformed');
for (const f of readdirSync(fixtureDir).filter((x) => x.endsWith('.json'))) {
  seeds.push(Buffer.from((JSON.parse(readFileSync(join(fixtureDir, f), 'utf8')) as { hex: string }).hex, 'hex'));
}

function mutate(r: () => number, src: Buffer): Buffer {
  const b = Buffer.from(src);
  const kind = Math.floor(r() * 6);
  const pos = Math.floor(r() * b.length);
  switch (kind) {
    case 0: // flip random bytes (never the marker, mostly)
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) b[16 + Math.floor(r() * Math.max(1, b.length - 16))] = Math.floor(r() * 256);
      return b;
    case 1: // truncate the body and fix the header length
      return fixLen(b.subarray(0, Math.max(19, pos)));
    case 2: // insert random bytes
      return fixLen(Buffer.concat([b.subarray(0, Math.max(19, pos)), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256))), b.subarray(Math.max(19, pos))]));
    case 3: // an interesting value at a random offset
      b[Math.max(19, pos) % b.length] = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40][Math.floor(r() * 8)]!;
      return b;
    case 4: // random body
      return fixLen(Buffer.concat([b.subarray(0, 19), Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)))]));
    default: // header length lies
      if (b.length >= 18) b.writeUInt16BE(Math.floor(r() * 70000) % 65536, 16);
      return b;
  }
}
function fixLen(b: Buffer): Buffer {
  const c = Buffer.from(b);
  if (c.length >= 18) c.writeUInt16BE(Math.min(c.length, 65535), 16);
  return c;
}

test('fuzz: decoders throw only BgpWireError; the RIB never throws', { timeout: 120_000 }, () => {
  const seed = Number(process.env.BGP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const iterations = Number(process.env.BGP_FUZZ_ITERATIONS ?? 20_000);
  console.log(`# fuzz seed ${seed} (BGP_FUZZ_SEED=${seed} to repeat), ${iterations} iterations`);
  const r = mulberry32(seed);
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1', multipath: 2 });
  const peers = [
    rib.addPeer({ name: 'e4', address: '10.0.0.1', localAddress: '10.0.0.100', asn: 65001, localAsn: 65000, routerId: '10.0.0.1', ibgp: false, fourOctetAs: true, families: ['ipv4-unicast', 'ipv6-unicast'] }),
    rib.addPeer({ name: 'e2', address: '10.0.0.2', localAddress: '10.0.0.100', asn: 65001, localAsn: 65000, routerId: '10.0.0.2', ibgp: false, fourOctetAs: false, families: ['ipv4-unicast'] }),
    rib.addPeer({ name: 'i', address: '10.0.0.3', localAddress: '10.0.0.100', asn: 65000, localAsn: 65000, routerId: '10.0.0.3', ibgp: true, fourOctetAs: true, families: ['ipv4-unicast', 'ipv6-unicast'], routeReflectorClient: true }),
  ];
  for (const p of peers) rib.peerUp(p);
  const stats = { framerErrors: 0, decodeErrors: 0, messages: 0 };
  const expectWire = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof BgpWireError)) throw new Error(`seed ${seed}: non-wire error ${String(e)}`, { cause: e });
      stats.decodeErrors++;
    }
  };
  for (let it = 0; it < iterations; it++) {
    const input = r() < 0.1 ? Buffer.from(Array.from({ length: Math.floor(r() * 80) }, () => Math.floor(r() * 256))) : mutate(r, seeds[Math.floor(r() * seeds.length)]!);
    let msgs: Array<{ type: number; body: Buffer }>;
    try {
      msgs = new MessageFramer({ maxMessageSize: r() < 0.5 ? 4096 : 65535 }).push(input);
    } catch (e) {
      if (!(e instanceof BgpWireError)) throw new Error(`seed ${seed} iteration ${it}: framer threw ${String(e)}`, { cause: e });
      stats.framerErrors++;
      continue;
    }
    for (const m of msgs) {
      stats.messages++;
      expectWire(() => decodeOpen(m.body));
      expectWire(() => decodeNotification(m.body));
      expectWire(() => decodeRouteRefresh(m.body));
      expectWire(() => decodeUpdate(m.body, { fourOctetAs: true, ibgp: false }));
      expectWire(() => decodeUpdate(m.body, { fourOctetAs: false, ibgp: true }));
      const res = rib.applyUpdate(peers[it % peers.length]!, m.body);
      assert.ok(['ok', 'treat-as-withdraw', 'session-reset', 'max-prefix'].includes(res.action));
    }
    if (it % 1000 === 0) for (const p of peers) rib.takeUpdates(p, { maxMessageSize: 4096 });
  }
  for (const p of peers) for (const m of rib.takeUpdates(p, { maxMessageSize: 4096, resend: true })) assert.ok(m.length <= 4096);
  for (const f of ['ipv4-unicast', 'ipv6-unicast'] as const) [...rib.routes({ family: f, table: 'loc' })];
  const accepted = rib.counts('ipv4-unicast').paths + rib.counts('ipv6-unicast').paths;
  console.log(`# fuzz ${JSON.stringify({ ...stats, routesInRib: accepted })}`);
  assert.ok(accepted > 0, 'some mutated UPDATEs are still valid and accepted');
  // Reference counts balance: with every peer gone nothing stays interned.
  for (const p of peers) rib.removePeer(p);
  assert.deepEqual(rib.internStats(), { attributeSets: 0, exportedSets: 0 });
  assert.deepEqual(rib.counts('ipv4-unicast'), { destinations: 0, paths: 0 });
  assert.ok(stats.messages > iterations / 4, 'most inputs frame into messages');
});
