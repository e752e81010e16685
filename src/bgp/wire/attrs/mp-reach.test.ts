import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mpReach } from './mp-reach.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('mp-reach: decode(encode(x)) deep-equals x', () => {
  { const x = { afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocal: 'fe80::1', nlri: ['2001:db8::/32', '::/0'] }; assert.deepEqual(mpReach.decode(mpReach.encode(x, ctx), ctx), x); }
  { const x = { afi: 1, safi: 1, nextHop: '10.0.0.1', nlri: ['10.1.0.0/24'] }; assert.deepEqual(mpReach.decode(mpReach.encode(x, ctx), ctx), x); }
  { const x = { afi: 1, safi: 1, nextHop: '2001:db8::1', nlri: ['10.1.0.0/24'] }; assert.deepEqual(mpReach.decode(mpReach.encode(x, ctx), ctx), x); }
});

test('mp-reach: malformed values give the RFC 4271 subcode; RFC 7606 action is session-reset', () => {
  assert.equal(mpReach.onError, 'session-reset');
  assert.throws(() => mpReach.decode(hex('000201'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
  assert.throws(() => mpReach.decode(hex('0002 01 08 20010db800000001 00'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
  assert.throws(() => mpReach.decode(hex('0002 01 10 20010db8000000000000000000000001 00 81 20010db8'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
  assert.throws(() => mpReach.decode(hex('0002 01 10 00000000000000000000000000000000 00 20 20010db8'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 8);
});
