import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localPref } from './local-pref.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('local-pref: decode(encode(x)) deep-equals x', () => {
  { const x = 100; assert.deepEqual(localPref.decode(localPref.encode(x, ctx), ctx), x); }
  { const x = 0; assert.deepEqual(localPref.decode(localPref.encode(x, ctx), ctx), x); }
});

test('local-pref: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(localPref.onError, 'treat-as-withdraw');
  assert.throws(() => localPref.decode(hex('000064'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
