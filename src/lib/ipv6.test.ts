import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv6Groups } from './ipv6.js';

test('RFC 5952: longest zero run as ::, first of equal runs, a single zero group stays, lower case', () => {
  assert.equal(formatIpv6Groups([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), '2001:db8::1');
  assert.equal(formatIpv6Groups([0, 0, 0, 0, 0, 0, 0, 0]), '::');
  assert.equal(formatIpv6Groups([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
  assert.equal(formatIpv6Groups([0x2001, 0, 0, 1, 0, 0, 0, 1]), '2001:0:0:1::1');
  assert.equal(formatIpv6Groups([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6Groups([0xfe80, 0, 0, 0, 0xabcd, 0xef, 0, 0]), 'fe80::abcd:ef:0:0');
});
