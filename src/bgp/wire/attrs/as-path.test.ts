import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asPath } from './as-path.js';
import { AttrMalformed, type AsPathSegment } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('as-path: decode(encode(x)) deep-equals x', () => {
  { const x: AsPathSegment[] = [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [1, 2] }]; assert.deepEqual(asPath.decode(asPath.encode(x, ctx), ctx), x); }
  { const x: AsPathSegment[] = []; assert.deepEqual(asPath.decode(asPath.encode(x, ctx), ctx), x); }
  { const x: AsPathSegment[] = [{ type: 3, asns: [64512] }, { type: 4, asns: [64513] }, { type: 2, asns: [1] }]; assert.deepEqual(asPath.decode(asPath.encode(x, ctx), ctx), x); }
});

test('as-path: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(asPath.onError, 'treat-as-withdraw');
  assert.throws(() => asPath.decode(hex('0501 0000fde9'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 11);
  assert.throws(() => asPath.decode(hex('0202 0000fde9'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 11);
  assert.throws(() => asPath.decode(hex('0200'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 11);
  assert.throws(() => asPath.decode(hex('0201 00000000'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 11);
});

test('as-path: 2-octet encoding and sequences longer than 255 split and join back', () => {
  const x = [{ type: 2 as const, asns: Array.from({ length: 600 }, (_, i) => i + 1) }];
  const two = asPath.encode([{ type: 2, asns: [1, 2] }], { fourOctetAs: false });
  assert.equal(two.toString('hex'), '020200010002');
  const b = asPath.encode(x, ctx);
  assert.equal(b[1], 255);
  assert.deepEqual(asPath.decode(b, ctx), x);
});
