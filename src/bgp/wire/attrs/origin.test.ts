import { test } from 'node:test';
import assert from 'node:assert/strict';
import { origin } from './origin.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('origin: decode(encode(x)) deep-equals x', () => {
  { const x = 0; assert.deepEqual(origin.decode(origin.encode(x, ctx), ctx), x); }
  { const x = 1; assert.deepEqual(origin.decode(origin.encode(x, ctx), ctx), x); }
  { const x = 2; assert.deepEqual(origin.decode(origin.encode(x, ctx), ctx), x); }
});

test('origin: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(origin.onError, 'treat-as-withdraw');
  assert.throws(() => origin.decode(hex('03'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 6);
  assert.throws(() => origin.decode(hex('0000'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
