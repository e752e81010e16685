import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as4Path } from './as4-path.js';
import { AttrMalformed, type AsPathSegment } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('as4-path: decode(encode(x)) deep-equals x', () => {
  { const x: AsPathSegment[] = [{ type: 2, asns: [4200000000, 65001] }]; assert.deepEqual(as4Path.decode(as4Path.encode(x, ctx), ctx), x); }
});

test('as4-path: malformed values give the RFC 4271 subcode; RFC 7606 action is attribute-discard', () => {
  assert.equal(as4Path.onError, 'attribute-discard');
  assert.throws(() => as4Path.decode(hex('0301 0000fde9'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 11);
  assert.throws(() => as4Path.decode(hex('0202 0000fde9'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 11);
});
