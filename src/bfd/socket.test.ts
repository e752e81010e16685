import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ttlFilter } from './socket.js';

test('TTL filter: single hop demands exactly 255, multihop at least the minimum; IPv4 TTL is byte 8, IPv6 hop limit byte 7', () => {
  const net = (off: number) => (-0x100000 + off) >>> 0;
  const v4 = ttlFilter(4, 255);
  assert.deepEqual(v4[0], { code: 0x30, jt: 0, jf: 0, k: net(8) });
  assert.deepEqual(v4[1], { code: 0x15, jt: 0, jf: 1, k: 255 }); // jeq #255
  assert.deepEqual(v4.slice(2).map((i) => i.k), [0xffff, 0]); // accept, drop
  const mh6 = ttlFilter(6, 254);
  assert.equal(mh6[0]!.k, net(7));
  assert.deepEqual(mh6[1], { code: 0x35, jt: 0, jf: 1, k: 254 }); // jge #254
});
