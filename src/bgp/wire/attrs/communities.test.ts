import { test } from 'node:test';
import assert from 'node:assert/strict';
import { communities } from './communities.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('communities: decode(encode(x)) deep-equals x', () => {
  { const x = [0xfde80064, 0xffffff01]; assert.deepEqual(communities.decode(communities.encode(x, ctx), ctx), x); }
  { const x = [0]; assert.deepEqual(communities.decode(communities.encode(x, ctx), ctx), x); }
});

test('communities: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(communities.onError, 'treat-as-withdraw');
  assert.throws(() => communities.decode(hex('fde800'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
  assert.throws(() => communities.decode(hex(''), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 9);
});
