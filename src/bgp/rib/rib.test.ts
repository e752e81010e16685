import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rib } from './rib.js';
import type { PeerInfo } from './types.js';
import { encodeUpdate, decodeUpdate, type Update } from '../wire/update.js';
import { MessageFramer } from '../wire/framer.js';
import type { PathAttributes } from '../wire/attrs/types.js';

const body = (u: Partial<Update> & { attributes?: PathAttributes }, four = true) =>
  encodeUpdate({ withdrawn: [], nlri: [], attributes: {}, ...u }, { fourOctetAs: four }, 65535).subarray(19);

function peer(name: string, asn: number, extra: Partial<PeerInfo> = {}): PeerInfo {
  const n = Number(name.replace(/\D/g, '')) || 1;
  return { name, address: `10.0.0.${n}`, localAddress: '10.0.0.100', localAddress6: '2001:db8::100', asn, localAsn: 65000,
    routerId: `1.1.1.${n}`, ibgp: asn === 65000, fourOctetAs: true, families: ['ipv4-unicast', 'ipv6-unicast'], ...extra };
}

function decodeAll(msgs: Buffer[], four = true) {
  const f = new MessageFramer({ maxMessageSize: 65535 });
  return msgs.flatMap((m) => f.push(m)).map((m) => decodeUpdate(m.body, { fourOctetAs: four, ibgp: true }));
}

const ebgpAttrs = (asn: number, extra: PathAttributes = {}): PathAttributes => ({ origin: 0, asPath: [{ type: 2, asns: [asn, 64999] }], nextHop: '10.0.0.1', ...extra });

test('eBGP route flows to another eBGP peer: prepend, next-hop-self, no LOCAL_PREF/MED; End-of-RIB', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  const b = rib.addPeer(peer('p2', 65002, { families: ['ipv4-unicast'] }));
  rib.peerUp(a);
  rib.peerUp(b);
  const r = rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24', '10.2.0.0/16'], attributes: ebgpAttrs(65001, { med: 5, communities: [0xfde80001] }) }));
  assert.deepEqual(r, { action: 'ok', announced: 2, withdrawn: 0, errors: [] });
  const msgs = rib.takeUpdates(b, { maxMessageSize: 4096, endOfRib: true });
  const ups = decodeAll(msgs);
  assert.equal(ups.length, 2, 'one UPDATE with both prefixes + End-of-RIB');
  assert.deepEqual(ups[0]!.nlri.sort(), ['10.1.0.0/24', '10.2.0.0/16']);
  assert.deepEqual(ups[0]!.attributes, { origin: 0, asPath: [{ type: 2, asns: [65000, 65001, 64999] }], nextHop: '10.0.0.100', communities: [0xfde80001] });
  assert.equal(msgs[1]!.length, 23);
  assert.deepEqual(rib.stats(b), { received: 0, accepted: 0, advertised: 2 });
  // Not sent back to its source.
  assert.deepEqual(decodeAll(rib.takeUpdates(a, { maxMessageSize: 4096 })).flatMap((u) => u.nlri), []);
  // Withdraw propagates.
  rib.applyUpdate(a, body({ withdrawn: ['10.1.0.0/24'] }));
  const w = decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096 }));
  assert.deepEqual(w.map((u) => u.withdrawn), [['10.1.0.0/24']]);
  assert.deepEqual(rib.counts('ipv4-unicast'), { destinations: 1, paths: 1 });
});

test('best path: local-pref, then AS path length, then MED (same neighbour AS), with reasons; ECMP', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1', multipath: 4 });
  const i1 = rib.addPeer(peer('i1', 65000));
  const i2 = rib.addPeer(peer('i2', 65000));
  const e3 = rib.addPeer(peer('e3', 65003));
  const e4 = rib.addPeer(peer('e4', 65003));
  const nh = (n: number) => `10.0.0.${n}`;
  const changes: string[][] = [];
  rib.on('best-changed', (_f, p, hops) => p === '10.9.0.0/24' && changes.push(hops));
  rib.applyUpdate(i1, body({ nlri: ['10.9.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [65010] }], nextHop: nh(1), localPref: 200 } }));
  rib.applyUpdate(e3, body({ nlri: ['10.9.0.0/24'], attributes: ebgpAttrs(65003, { nextHop: nh(3) }) }));
  let loc = [...rib.routes({ family: 'ipv4-unicast', table: 'loc' })];
  assert.equal(loc.find((r) => r.best)!.peer, 'i1');
  assert.equal(loc.find((r) => r.best)!.reason, 'local-pref');
  rib.applyUpdate(i1, body({ withdrawn: ['10.9.0.0/24'] }));
  rib.applyUpdate(i2, body({ nlri: ['10.9.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [65010, 1, 2] }], nextHop: nh(2) } }));
  loc = [...rib.routes({ family: 'ipv4-unicast', table: 'loc' })];
  assert.equal(loc.find((r) => r.reason)!.peer, 'e3');
  assert.equal(loc.find((r) => r.reason)!.reason, 'as-path-length');
  // Equal path from another eBGP peer in the same AS → ECMP of two next hops.
  rib.applyUpdate(e4, body({ nlri: ['10.9.0.0/24'], attributes: ebgpAttrs(65003, { nextHop: nh(4) }) }));
  assert.deepEqual(changes.at(-1)!.sort(), [nh(3), nh(4)]);
  // Lower MED from e4 wins, ECMP collapses.
  rib.applyUpdate(e4, body({ nlri: ['10.9.0.0/24'], attributes: ebgpAttrs(65003, { nextHop: nh(4), med: 0 }) }));
  rib.applyUpdate(e3, body({ nlri: ['10.9.0.0/24'], attributes: ebgpAttrs(65003, { nextHop: nh(3), med: 10 }) }));
  assert.deepEqual(changes.at(-1), [nh(4)]);
  loc = [...rib.routes({ family: 'ipv4-unicast', table: 'loc' })];
  assert.equal(loc.find((r) => r.reason)!.reason, 'med');
});

test('iBGP rules: no iBGP→iBGP unless route reflector client; RR adds ORIGINATOR_ID and CLUSTER_LIST', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const i1 = rib.addPeer(peer('i1', 65000));
  const i2 = rib.addPeer(peer('i2', 65000));
  const c3 = rib.addPeer(peer('c3', 65000, { routeReflectorClient: true }));
  for (const p of [i1, i2, c3]) rib.peerUp(p);
  rib.applyUpdate(i1, body({ nlri: ['10.5.0.0/24'], attributes: { origin: 0, asPath: [], nextHop: '10.0.0.1', localPref: 150 } }));
  assert.equal(rib.takeUpdates(i2, { maxMessageSize: 4096 }).length, 0);
  const [u] = decodeAll(rib.takeUpdates(c3, { maxMessageSize: 4096 }));
  assert.deepEqual(u!.attributes, { origin: 0, asPath: [], nextHop: '10.0.0.1', localPref: 150, originatorId: '1.1.1.1', clusterList: ['10.255.0.1'] });
  // A path carrying our cluster id is a loop and is not accepted.
  const r = rib.applyUpdate(c3, body({ nlri: ['10.6.0.0/24'], attributes: { origin: 0, asPath: [], nextHop: '10.0.0.3', clusterList: ['10.255.0.1'], originatorId: '9.9.9.9' } }));
  assert.equal(r.announced, 0);
  assert.match(r.errors[0]!, /CLUSTER_LIST loop/);
});

test('AS path loop, wrong first AS and malformed attributes are treat-as-withdraw; session errors reported', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24'], attributes: ebgpAttrs(65001) }));
  const loop = rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [65001, 65000] }], nextHop: '10.0.0.1' } }));
  assert.equal(loop.withdrawn, 1);
  assert.equal(rib.counts('ipv4-unicast').destinations, 0);
  const first = rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24'], attributes: ebgpAttrs(65077) }));
  assert.equal(first.action, 'treat-as-withdraw');
  const bad = Buffer.from('0000000b400101054002000000000000180a0101'.slice(0, 30) + '180a0101', 'hex');
  const r = rib.applyUpdate(a, bad);
  assert.notEqual(r.action, 'ok');
  const reset = rib.applyUpdate(a, Buffer.from('0005000000', 'hex'));
  assert.equal(reset.action, 'session-reset');
  assert.deepEqual([reset.notification!.code, reset.notification!.subcode], [3, 1]);
});

test('graceful restart: stale marking, refresh clears the mark, sweep removes the rest', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24', '10.2.0.0/24'], attributes: ebgpAttrs(65001) }));
  rib.peerDown(a, { graceful: true });
  assert.deepEqual([...rib.routes({ family: 'ipv4-unicast', table: 'adj-in', peer: a })].map((r) => r.stale), [true, true]);
  rib.peerUp(a);
  rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24'], attributes: ebgpAttrs(65001) }));
  assert.equal(rib.sweepStale(a), 1);
  assert.deepEqual([...rib.routes({ family: 'ipv4-unicast', table: 'loc' })].map((r) => [r.prefix, r.stale]), [['10.1.0.0/24', false]]);
  rib.peerDown(a, { graceful: false });
  assert.equal(rib.counts('ipv4-unicast').paths, 0);
});

test('max-prefix → Cease/1 with AFI, SAFI and the limit', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001, { maxPrefixes: 1 }));
  const r = rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24', '10.2.0.0/24'], attributes: ebgpAttrs(65001) }));
  assert.equal(r.action, 'max-prefix');
  assert.deepEqual([r.notification!.code, r.notification!.subcode, r.notification!.data.toString('hex')], [6, 1, '00010100000001']);
});

test('IPv6 via MP_REACH: next-hop-self global + link-local; originated route to a 2-octet peer gets AS4_PATH', () => {
  const rib = new Rib({ localAsn: 4200000000, routerId: '10.255.0.1' });
  const a = rib.addPeer({ ...peer('p1', 65001), localAsn: 4200000000 });
  const b = rib.addPeer({ ...peer('p2', 65002), localAsn: 4200000000, fourOctetAs: false, linkLocalAddress6: 'fe80::100' });
  rib.peerUp(b);
  rib.applyUpdate(a, body({ attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocal: 'fe80::1', nlri: ['2001:db8:1::/48'] } } }));
  rib.originate('10.7.0.0/24', { communities: ['65000:7'], largeCommunities: ['4200000000:1:2'] });
  const ups = decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096 }), false);
  const v6 = ups.find((u) => u.attributes.mpReach)!;
  assert.deepEqual(v6.attributes.mpReach, { afi: 2, safi: 1, nextHop: '2001:db8::100', linkLocal: 'fe80::100', nlri: ['2001:db8:1::/48'] });
  assert.deepEqual(v6.attributes.asPath, [{ type: 2, asns: [23456, 65001] }]);
  assert.deepEqual(v6.attributes.as4Path, [{ type: 2, asns: [4200000000, 65001] }]);
  const v4 = ups.find((u) => u.nlri.length)!;
  assert.deepEqual(v4.nlri, ['10.7.0.0/24']);
  assert.equal(v4.attributes.nextHop, '10.0.0.100');
  assert.deepEqual(v4.attributes.largeCommunities, [[4200000000, 1, 2]]);
  const out = [...rib.routes({ family: 'ipv6-unicast', table: 'adj-out', peer: b })];
  assert.deepEqual(out[0]!.asPath, [4200000000, 65001]);
});

test('packing: 3000 prefixes with one attribute set fill UPDATEs to the limit; resend repeats everything', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const b = rib.addPeer(peer('p2', 65002, { families: ['ipv4-unicast'] }));
  rib.peerUp(b);
  for (let i = 0; i < 3000; i++) rib.originate(`10.${i >> 8}.${i & 255}.0/24`);
  const msgs = rib.takeUpdates(b, { maxMessageSize: 4096 });
  assert.ok(msgs.every((m) => m.length <= 4096));
  assert.equal(msgs.length, Math.ceil((3000 * 4) / (4096 - 23 - 25)) );
  assert.equal(decodeAll(msgs).reduce((n, u) => n + u.nlri.length, 0), 3000);
  assert.equal(rib.takeUpdates(b, { maxMessageSize: 4096 }).length, 0);
  assert.equal(decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096, resend: true })).reduce((n, u) => n + u.nlri.length, 0), 3000);
});

test('an attribute set too large for any message is not advertised (no exception)', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  const b = rib.addPeer(peer('p2', 65002, { families: ['ipv4-unicast'] }));
  rib.peerUp(b);
  const asns = [65001, ...Array.from({ length: 1100 }, (_, i) => 1 + i)];
  rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns }], nextHop: '10.0.0.1' } }));
  assert.equal(rib.counts('ipv4-unicast').destinations, 1);
  assert.deepEqual(rib.takeUpdates(b, { maxMessageSize: 4096 }), []);
  assert.equal(decodeAll(rib.takeUpdates(b, { maxMessageSize: 65535, resend: true }))[0]!.nlri[0], '10.1.0.0/24');
});

test('incremental updates reach an IPv6-only peer after its initial sync; dirty event names it', async () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const b = rib.addPeer(peer('p2', 65002, { families: ['ipv6-unicast'] }));
  const dirty: number[][] = [];
  rib.on('dirty', (peers) => dirty.push(peers));
  rib.peerUp(b);
  rib.originate('2001:db8:1::/48');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(dirty, [[b]]);
  assert.equal(decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096, endOfRib: true })).length, 2);
  rib.originate('2001:db8:2::/48');
  rib.withdrawOriginated('2001:db8:1::/48');
  const ups = decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096 }));
  assert.deepEqual(ups.flatMap((u) => u.attributes.mpReach?.nlri ?? []), ['2001:db8:2::/48']);
  assert.deepEqual(ups.flatMap((u) => u.attributes.mpUnreach?.withdrawn ?? []), ['2001:db8:1::/48']);
});

test('unknown optional transitive attribute reaches other peers with Partial set; local route reports a next hop', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  const b = rib.addPeer(peer('p2', 65002, { families: ['ipv4-unicast'] }));
  rib.peerUp(b);
  const hops: string[][] = [];
  rib.on('best-changed', (_f, _p, h) => hops.push(h));
  rib.originate('10.8.0.0/24');
  assert.deepEqual(hops, [['0.0.0.0']]);
  const raw = Buffer.from('0000' + '0019' + '40010100' + '40020602010000fde9' + '4003040a000001' + 'c0630201ff' + '180a0100', 'hex');
  assert.equal(rib.applyUpdate(a, raw).action, 'ok');
  const ups = decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096 }));
  const u = ups.find((x) => x.nlri.includes('10.1.0.0/24'))!;
  assert.deepEqual(u.attributes.unknown, [{ flags: 0xe0, type: 0x63, value: Buffer.from('01ff', 'hex') }]);
  assert.equal([...rib.routes({ family: 'ipv4-unicast', table: 'loc' })].find((r) => r.peer === 'local')!.nextHop, '0.0.0.0');
});

test('enhanced route refresh: markStale at BoRR, re-announced routes lose the mark, sweep at EoRR', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  rib.peerUp(a);
  rib.applyUpdate(a, body({ nlri: ['10.1.0.0/24', '10.2.0.0/24'], attributes: ebgpAttrs(65001) }));
  assert.equal(rib.markStale(a, 'ipv4-unicast'), 2);
  rib.applyUpdate(a, body({ nlri: ['10.2.0.0/24'], attributes: ebgpAttrs(65001) }));
  assert.equal(rib.sweepStale(a, 'ipv4-unicast'), 1);
  assert.deepEqual([...rib.routes({ family: 'ipv4-unicast', table: 'loc' })].map((r) => r.prefix), ['10.2.0.0/24']);
});

test('coalesceBytes: the same messages, back to back in Buffers of at most that size, none split', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  const b = rib.addPeer(peer('p2', 65002));
  const c = rib.addPeer(peer('p3', 65002));
  for (const p of [a, b, c]) rib.peerUp(p);
  for (let i = 0; i < 3000; i++) {
    const attrs = ebgpAttrs(65001, { med: i % 7 });
    rib.applyUpdate(a, body({ nlri: [`10.${i >> 8}.${i & 255}.0/24`], attributes: attrs }));
  }
  rib.applyUpdate(a, body({ attributes: { ...ebgpAttrs(65001), mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::1', nlri: ['2001:db8::/32'] } } }));
  const plain = rib.takeUpdates(b, { maxMessageSize: 4096, endOfRib: true });
  const packed = rib.takeUpdates(c, { maxMessageSize: 4096, endOfRib: true, coalesceBytes: 8192 });
  assert.ok(packed.length > 1 && packed.length < plain.length);
  assert.deepEqual(Buffer.concat(packed), Buffer.concat(plain));
  for (const chunk of packed) {
    assert.ok(chunk.length <= 8192);
    let o = 0;
    while (o < chunk.length) o += chunk.readUInt16BE(o + 16);
    assert.equal(o, chunk.length);
  }
  for (let i = 0; i < 100; i++) rib.applyUpdate(a, body({ withdrawn: [`10.0.${i}.0/24`] }));
  assert.deepEqual(Buffer.concat(rib.takeUpdates(c, { maxMessageSize: 4096, coalesceBytes: 8192 })), Buffer.concat(rib.takeUpdates(b, { maxMessageSize: 4096 })));
});

test('takeUpdates with maxRows: a peer behind by more rows gets them over several calls, each prefix once', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  const b = rib.addPeer(peer('p2', 65002, { families: ['ipv4-unicast'] }));
  rib.peerUp(a);
  rib.peerUp(b);
  rib.takeUpdates(b, { maxMessageSize: 4096, endOfRib: true }); // initial (empty) full sync: now following the log
  const nlri = Array.from({ length: 1000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  for (let i = 0; i < nlri.length; i += 100) rib.applyUpdate(a, body({ nlri: nlri.slice(i, i + 100), attributes: ebgpAttrs(65001, { med: i }) }));
  const seen: string[] = [];
  let calls = 0;
  while (rib.behind(b)) {
    const got = decodeAll(rib.takeUpdates(b, { maxMessageSize: 4096, maxRows: 300 })).flatMap((u) => u.nlri);
    assert.ok(got.length <= 300, `at most maxRows prefixes a call (${got.length})`);
    seen.push(...got);
    calls++;
  }
  assert.equal(calls, 4);
  assert.deepEqual(seen.sort(), [...nlri].sort());
  assert.deepEqual(decodeAll(rib.takeUpdates(a, { maxMessageSize: 4096 })).flatMap((u) => u.nlri), [], 'nothing back to the source');
  assert.equal(rib.behind(a), false);
});

test('IPv4 NLRI: host bits past the prefix length are dropped; /0, /1, /31 and /32 keep their bytes', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const a = rib.addPeer(peer('p1', 65001));
  rib.peerUp(a);
  // raw NLRI after an UPDATE without prefixes: length byte, then only the prefix's bytes (RFC 4271 §4.3)
  const nlri = Buffer.from([0, 1, 0xc8, 23, 10, 1, 3, 31, 192, 0, 2, 7, 32, 198, 51, 100, 255, 24, 10, 9, 9]);
  const r = rib.applyUpdate(a, Buffer.concat([body({ attributes: ebgpAttrs(65001) }), nlri]));
  assert.equal(r.action, 'ok', JSON.stringify(r));
  const got = [...rib.routes({ family: 'ipv4-unicast', table: 'loc' })].map((v) => v.prefix).sort();
  assert.deepEqual(got, ['0.0.0.0/0', '10.1.2.0/23', '10.9.9.0/24', '128.0.0.0/1', '192.0.2.6/31', '198.51.100.255/32'].sort());
});
