import { test } from 'node:test';
import assert from 'node:assert/strict';
import { largeCommunities } from './large-communities.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('large-communities: decode(encode(x)) deep-equals x', () => {
  { const x = [[65000, 1, 2], [4294967295, 0, 7]] as Array<[number, number, number]>; assert.deepEqual(largeCommunities.decode(largeCommunities.encode(x, ctx), ctx), x); }
});

test('large-communities: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(largeCommunities.onError, 'treat-as-withdraw');
  assert.throws(() => largeCommunities.decode(hex('0000fde8 00000001 00000002 00'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
  assert.throws(() => largeCommunities.decode(hex(''), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
});
