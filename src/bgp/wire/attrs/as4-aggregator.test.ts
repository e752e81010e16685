import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as4Aggregator } from './as4-aggregator.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('as4-aggregator: decode(encode(x)) deep-equals x', () => {
  { const x = { asn: 4200000000, address: '10.0.0.1' }; assert.deepEqual(as4Aggregator.decode(as4Aggregator.encode(x, ctx), ctx), x); }
});

test('as4-aggregator: malformed values give the RFC 4271 subcode; RFC 7606 action is attribute-discard', () => {
  assert.equal(as4Aggregator.onError, 'attribute-discard');
  assert.throws(() => as4Aggregator.decode(hex('0000fde9 0a00'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
