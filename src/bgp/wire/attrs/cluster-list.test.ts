import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterList } from './cluster-list.js';
import { AttrMalformed } from './types.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const ctx = { fourOctetAs: true };

test('cluster-list: decode(encode(x)) deep-equals x', () => {
  { const x = ['10.0.0.8', '10.0.0.9']; assert.deepEqual(clusterList.decode(clusterList.encode(x, ctx), ctx), x); }
});

test('cluster-list: malformed values give the RFC 4271 subcode; RFC 7606 action is treat-as-withdraw', () => {
  assert.equal(clusterList.onError, 'treat-as-withdraw');
  assert.throws(() => clusterList.decode(hex('0a000008 0a00'), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
  assert.throws(() => clusterList.decode(hex(''), ctx), (e: unknown) => e instanceof AttrMalformed && e.subcode === 5);
});
