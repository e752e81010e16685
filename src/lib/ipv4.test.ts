import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv4ToNumber, numberToIpv4, parseIpv4 } from './ipv4.js';

test('IPv4 <-> integer round-trips at the edges', () => {
  for (const a of ['0.0.0.0', '10.0.0.1', '192.168.255.254', '255.255.255.255']) assert.equal(numberToIpv4(ipv4ToNumber(a)), a);
  assert.equal(ipv4ToNumber('10.0.0.1'), 0x0a000001);
  assert.equal(ipv4ToNumber('255.255.255.255'), 0xffffffff);
});

test('anything else is refused: RangeError, or undefined from parseIpv4', () => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1..2.3', 'a.b.c.d', '1.2.3.4/24', '1234.1.1.1']) {
    assert.throws(() => ipv4ToNumber(bad), RangeError, bad);
    assert.equal(parseIpv4(bad), undefined, bad);
  }
});
