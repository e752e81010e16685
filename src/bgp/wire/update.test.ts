import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUpdate, encodeUpdate, type Update } from './update.js';
import { BgpWireError } from './errors.js';
import { MessageFramer } from './framer.js';
import type { AttrContext } from './attrs/index.js';

const C4: AttrContext = { fourOctetAs: true, ibgp: true };
const C2: AttrContext = { fourOctetAs: false, ibgp: true };
const hex = (s: string) => Buffer.from(s.replace(/\s+|#[^\n]*/g, ''), 'hex');

const everything: Update = {
  withdrawn: ['10.9.0.0/16', '0.0.0.0/0'],
  nlri: ['10.1.0.0/24', '192.0.2.128/25', '10.0.0.1/32'],
  attributes: {
    origin: 2,
    asPath: [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [1, 2, 3] }, { type: 3, asns: [64512] }, { type: 4, asns: [64513, 64514] }],
    nextHop: '192.0.2.1',
    med: 50,
    localPref: 200,
    atomicAggregate: true,
    aggregator: { asn: 4200000000, address: '10.0.0.9' },
    communities: [0xfde80064, 0xffffff01],
    originatorId: '10.0.0.7',
    clusterList: ['10.0.0.8', '10.0.0.9'],
    mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocal: 'fe80::1', nlri: ['2001:db8:1::/48', '::/0', '2001:db8::1/128'] },
    mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:2::/64'] },
    largeCommunities: [[65000, 1, 2], [4200000000, 4294967295, 0]],
    unknown: [{ flags: 0xe0, type: 99, value: Buffer.from('abcd', 'hex') }],
  },
};

test('UPDATE round trip with every attribute (4-octet AS)', () => {
  const msg = encodeUpdate(everything, C4);
  const [m] = new MessageFramer().push(msg);
  const d = decodeUpdate(m!.body, C4);
  assert.deepEqual(d.errors, []);
  assert.equal(d.treatAsWithdraw, false);
  assert.deepEqual({ withdrawn: d.withdrawn, nlri: d.nlri, attributes: d.attributes }, everything);
});

test('UPDATE round trip for a 2-octet peer with AS4_PATH/AS4_AGGREGATOR', () => {
  const u: Update = {
    withdrawn: [],
    nlri: ['10.1.0.0/24'],
    attributes: {
      origin: 0,
      asPath: [{ type: 2, asns: [65001, 23456] }],
      nextHop: '192.0.2.1',
      aggregator: { asn: 23456, address: '10.0.0.1' },
      as4Path: [{ type: 2, asns: [65001, 4200000000] }],
      as4Aggregator: { asn: 4200000000, address: '10.0.0.1' },
    },
  };
  const d = decodeUpdate(encodeUpdate(u, C2).subarray(19), C2);
  assert.deepEqual({ withdrawn: d.withdrawn, nlri: d.nlri, attributes: d.attributes }, u);
});

test('encoder does not modify its input and uses extended length above 255 octets', () => {
  const long: Update = {
    withdrawn: [],
    nlri: ['10.1.0.0/24'],
    attributes: { origin: 0, asPath: [{ type: 2, asns: Array.from({ length: 300 }, (_, i) => i + 1) }], nextHop: '192.0.2.1', communities: Array.from({ length: 100 }, (_, i) => i) },
  };
  const copy = structuredClone(long);
  const msg = encodeUpdate(long, C4);
  assert.deepEqual(long, copy);
  const body = msg.subarray(19);
  // AS_PATH is the second attribute: flags 0x50 (transitive + extended length), 2 segments (255 + 45).
  const asPathOff = 4 + 4;
  assert.equal(body[asPathOff]! & 0x10, 0x10);
  assert.equal(body.readUInt16BE(asPathOff + 2), 2 + 255 * 4 + 2 + 45 * 4);
  const d = decodeUpdate(body, C4);
  assert.deepEqual(d.attributes, long.attributes);
});

test('RFC 8950: IPv4 NLRI with an IPv6 next hop in MP_REACH', () => {
  const u: Update = { withdrawn: [], nlri: [], attributes: { origin: 0, asPath: [], mpReach: { afi: 1, safi: 1, nextHop: 'fe80::2', nlri: ['10.2.0.0/16'] } } };
  const d = decodeUpdate(encodeUpdate(u, C4).subarray(19), C4);
  assert.deepEqual(d.attributes, u.attributes);
  assert.equal(d.treatAsWithdraw, false);
});

test('unknown optional transitive gets Partial; unknown optional non-transitive is dropped', () => {
  const body = hex(`0000 000f
    40 01 01 00            # ORIGIN IGP
    40 02 00               # AS_PATH empty
    c0 63 01 aa            # type 99 optional transitive
    80 64 01 bb            # type 100 optional non-transitive`);
  const d = decodeUpdate(body, C4);
  assert.deepEqual(d.attributes.unknown, [{ flags: 0xe0, type: 99, value: Buffer.from([0xaa]) }]);
});

type Outcome = { action: string; code?: number; subcode?: number; data?: string };
function outcome(body: Buffer, ctx: AttrContext = C4): Outcome {
  try {
    const d = decodeUpdate(body, ctx);
    if (d.treatAsWithdraw) {
      const e = d.errors.find((x) => x.action === 'treat-as-withdraw')!;
      return { action: 'treat-as-withdraw', code: e.notification.code, subcode: e.notification.subcode, data: e.notification.data.toString('hex') };
    }
    if (d.errors.length) return { action: d.errors[0]!.action, subcode: d.errors[0]!.notification.subcode };
    return { action: 'ok' };
  } catch (e) {
    assert.ok(e instanceof BgpWireError);
    return { action: e.action, code: e.notification.code, subcode: e.notification.subcode, data: e.notification.data.toString('hex') };
  }
}
const base = '40010100 40020602010000fde9 400304c0000201';
const upd = (attrs: string, nlri = '180a0100') => {
  const a = hex(attrs);
  const n = hex(nlri);
  return Buffer.concat([hex('0000'), Buffer.from([a.length >> 8, a.length & 255]), a, n]);
};

test('RFC 7606 outcomes', () => {
  assert.deepEqual(outcome(upd(base)), { action: 'ok' });
  assert.deepEqual(outcome(upd('40010103 40020602010000fde9 400304c0000201')), { action: 'treat-as-withdraw', code: 3, subcode: 6, data: '40010103' });
  assert.deepEqual(outcome(upd('4001020000 40020602010000fde9 400304c0000201')), { action: 'treat-as-withdraw', code: 3, subcode: 5, data: '4001020000' });
  assert.deepEqual(outcome(upd('c0010100 40020602010000fde9 400304c0000201')), { action: 'treat-as-withdraw', code: 3, subcode: 4, data: 'c0010100' });
  assert.deepEqual(outcome(upd('40020602010000fde9 400304c0000201')), { action: 'treat-as-withdraw', code: 3, subcode: 3, data: '01' });
  assert.deepEqual(outcome(upd('40010100 40020602050000fde9 400304c0000201')), { action: 'treat-as-withdraw', code: 3, subcode: 11, data: '40020602050000fde9' });
  assert.deepEqual(outcome(upd(base + ' 40060100')).action, 'attribute-discard');
  assert.deepEqual(outcome(upd(base + ' 50630000')), { action: 'session-reset', code: 3, subcode: 2, data: '50630000' });
  assert.deepEqual(outcome(upd(base + ' 800e0300')).action, 'session-reset');
  assert.deepEqual(outcome(upd('40010100 40020602010000fde9 4003047f000001')).subcode, 8);
  assert.deepEqual(outcome(upd(base, '21 0a010000 00')), { action: 'session-reset', code: 3, subcode: 10, data: '' });
  // LOCAL_PREF from an external peer is discarded, the route stays.
  assert.deepEqual(outcome(upd(base + ' 40050400000064'), { fourOctetAs: true, ibgp: false }).action, 'attribute-discard');
  // Attribute running past the total attribute length → treat-as-withdraw.
  assert.equal(outcome(upd(base + ' c0080800000001')).action, 'treat-as-withdraw');
});
