import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNotification, describeNotification, encodeNotification, shutdownMessage } from './notification.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.js';
import { encodeEndOfRib, endOfRibOf } from './end-of-rib.js';
import { encodeKeepalive } from './keepalive.js';
import { BgpWireError } from './errors.js';

test('NOTIFICATION round trip and description', () => {
  const wire = encodeNotification({ code: 3, subcode: 11, data: Buffer.from([1, 2]) });
  assert.equal(wire.toString('hex'), 'ffffffffffffffffffffffffffffffff' + '0017' + '03' + '030b0102');
  assert.deepEqual(decodeNotification(wire.subarray(19)), { code: 3, subcode: 11, data: Buffer.from([1, 2]) });
  assert.equal(describeNotification(3, 11), 'update message error / malformed as path (3/11)');
  assert.equal(describeNotification(6, 2), 'cease / administrative shutdown (6/2)');
  assert.equal(describeNotification(7, 1), 'route refresh message error / invalid message length (7/1)');
});

test('RFC 8203 shutdown communication', () => {
  const n = decodeNotification(encodeNotification({ code: 6, subcode: 2, data: Buffer.from('\x05bye!!') }).subarray(19));
  assert.equal(shutdownMessage(n), 'bye!!');
});

test('KEEPALIVE is a bare 19-octet header', () => {
  assert.equal(encodeKeepalive().toString('hex'), 'ff'.repeat(16) + '001304');
});

test('ROUTE-REFRESH round trip, enhanced subtypes, bad length → 7/1 with the whole message', () => {
  for (const subtype of [0, 1, 2] as const) {
    assert.deepEqual(decodeRouteRefresh(encodeRouteRefresh({ afi: 2, safi: 1, subtype }).subarray(19)), { afi: 2, safi: 1, subtype });
  }
  assert.throws(() => decodeRouteRefresh(Buffer.from('0001010100', 'hex')), (e: unknown) => {
    assert.ok(e instanceof BgpWireError);
    assert.deepEqual([e.notification.code, e.notification.subcode], [7, 1]);
    assert.equal(e.notification.data.toString('hex'), 'ff'.repeat(16) + '0018050001010100');
    return true;
  });
});

test('End-of-RIB markers', () => {
  assert.equal(encodeEndOfRib(1, 1).toString('hex'), 'ff'.repeat(16) + '00170200000000');
  const v6 = encodeEndOfRib(2, 1);
  assert.equal(v6.subarray(19).toString('hex'), '00000006800f03000201');
  assert.deepEqual(endOfRibOf(v6.subarray(19)), { afi: 2, safi: 1 });
  assert.deepEqual(endOfRibOf(Buffer.alloc(4)), { afi: 1, safi: 1 });
});
