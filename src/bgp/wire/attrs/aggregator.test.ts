import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregator } from './aggregator.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('aggregator: decode(encode(x)) deep-equals x', () => {
  { const x = { asn: 4200000000, address: '10.0.0.1' }; assert.deepEqual(aggregator.decode(aggregator.encode(x, ctx), ctx), x); }
});

test('aggregator: malformed values give the RFC 4271 subcode; RFC 7606 action is attribute-discard', () => {
  assert.equal(aggregator.onError, 'attribute-discard');
  assert.throws(() => aggregator.decode(hex('0000fde9 0a0000'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
  assert.throws(() => aggregator.decode(hex('00000000 0a000001'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
});
