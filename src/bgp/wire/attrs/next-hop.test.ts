import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextHop } from './next-hop.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('next-hop: decode(encode(x)) deep-equals x', () => {
  { const x = '192.0.2.1'; assert.deepEqual(nextHop.decode(nextHop.encode(x, ctx), ctx), x); }
  { const x = '10.0.0.1'; assert.deepEqual(nextHop.decode(nextHop.encode(x, ctx), ctx), x); }
});

test('next-hop: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(nextHop.onError, 'treat-as-withdraw');
  assert.throws(() => nextHop.decode(hex('0a000001 00'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
  assert.throws(() => nextHop.decode(hex('7f000001'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 8);
  assert.throws(() => nextHop.decode(hex('00000000'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 8);
  assert.throws(() => nextHop.decode(hex('e0000001'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 8);
});
