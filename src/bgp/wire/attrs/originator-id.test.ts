import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originatorId } from './originator-id.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('originator-id: decode(encode(x)) deep-equals x', () => {
  { const x = '10.0.0.7'; assert.deepEqual(originatorId.decode(originatorId.encode(x, ctx), ctx), x); }
});

test('originator-id: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(originatorId.onError, 'treat-as-withdraw');
  assert.throws(() => originatorId.decode(hex('0a0000'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
