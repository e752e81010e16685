import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mpUnreach } from './mp-unreach.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('mp-unreach: decode(encode(x)) deep-equals x', () => {
  { const x = { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] }; assert.deepEqual(mpUnreach.decode(mpUnreach.encode(x, ctx), ctx), x); }
  { const x = { afi: 1, safi: 1, withdrawn: [] }; assert.deepEqual(mpUnreach.decode(mpUnreach.encode(x, ctx), ctx), x); }
});

test('mp-unreach: malformed values give the RFC 4271 subcode; RFC 7606 action is session-reset', () => {
  assert.equal(mpUnreach.onError, 'session-reset');
  assert.throws(() => mpUnreach.decode(hex('0002'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
  assert.throws(() => mpUnreach.decode(hex('0002 01 40 2001'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
});
