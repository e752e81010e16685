import { test } from 'node:test';
import assert from 'node:assert/strict';
import { med } from './med.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('med: decode(encode(x)) deep-equals x', () => {
  { const x = 0; assert.deepEqual(med.decode(med.encode(x, ctx), ctx), x); }
  { const x = 4294967295; assert.deepEqual(med.decode(med.encode(x, ctx), ctx), x); }
});

test('med: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(med.onError, 'treat-as-withdraw');
  assert.throws(() => med.decode(hex('0001'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
