import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET, AF_INET6, familyOf, sockaddr } from './index.js';

test('sockaddr_in: family, port in network order, address bytes, length 16', () => {
  const { buf, len } = sockaddr('10.1.2.3', 179, AF_INET);
  assert.equal(len, 16);
  assert.equal(buf.readUInt16LE(0), AF_INET);
  assert.equal(buf.readUInt16BE(2), 179);
  assert.deepEqual([...buf.subarray(4, 8)], [10, 1, 2, 3]);
});

test('sockaddr_in6: compressed, IPv4-mapped, zone dropped, wildcard', () => {
  const a = sockaddr('fd00::1:2', 3784, AF_INET6);
  assert.equal(a.len, 28);
  assert.equal(a.buf.readUInt16BE(2), 3784);
  assert.equal(a.buf.subarray(8, 24).toString('hex'), 'fd000000000000000000000000010002');
  assert.equal(sockaddr('192.0.2.1', 0, AF_INET6).buf.subarray(8, 24).toString('hex'), '00000000000000000000ffffc0000201');
  assert.equal(sockaddr('fe80::1%eth0', 0, AF_INET6).buf.subarray(8, 24).toString('hex'), 'fe800000000000000000000000000001');
  assert.equal(sockaddr(undefined, 179, AF_INET6).buf.subarray(8, 24).toString('hex'), '0'.repeat(32));
});

test('familyOf: literal addresses only', () => {
  assert.equal(familyOf('10.0.0.1'), AF_INET);
  assert.equal(familyOf('::1'), AF_INET6);
  assert.equal(familyOf('router0'), undefined);
});
