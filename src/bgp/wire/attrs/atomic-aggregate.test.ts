import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atomicAggregate } from './atomic-aggregate.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('atomic-aggregate: decode(encode(x)) deep-equals x', () => {
  { const x = true as const; assert.deepEqual(atomicAggregate.decode(atomicAggregate.encode(x, ctx), ctx), x); }
});

test('atomic-aggregate: malformed values give the RFC 4271 subcode; RFC 7606 action is attribute-discard', () => {
  assert.equal(atomicAggregate.onError, 'attribute-discard');
  assert.throws(() => atomicAggregate.decode(hex('00'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
