import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { emptyCapabilities } from './capabilities.js';
import { BgpWireError } from './errors.js';
import { MessageFramer } from './framer.js';

const full: OpenMessage = {
  version: 4,
  asn: 4200000001,
  holdTime: 90,
  routerId: '192.0.2.1',
  capabilities: {
    multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }],
    routeRefresh: true,
    enhancedRouteRefresh: true,
    fourOctetAsn: 4200000001,
    gracefulRestart: { restarting: true, notification: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }, { afi: 2, safi: 1, forwardingPreserved: false }] },
    extendedNextHop: [{ afi: 1, safi: 1, nextHopAfi: 2 }],
    extendedMessage: true,
    unknown: [{ code: 73, value: Buffer.from('0568656c6c6f', 'hex') }],
  },
};

test('OPEN round trip with every capability; My AS carries AS_TRANS', () => {
  const wire = encodeOpen(full);
  const [m] = new MessageFramer().push(wire);
  assert.equal(m!.type, 1);
  assert.equal(m!.body.readUInt16BE(1), 23456);
  assert.deepEqual(decodeOpen(m!.body), full);
});

test('OPEN round trip without optional capabilities', () => {
  const o: OpenMessage = { version: 4, asn: 65001, holdTime: 0, routerId: '10.0.0.1', capabilities: emptyCapabilities() };
  assert.deepEqual(decodeOpen(encodeOpen(o).subarray(19)), o);
});

test('OPEN from a 2-octet-only peer: asn is the 2-octet field', () => {
  const body = Buffer.from('04 fde9 00b4 0a000001 00'.replace(/ /g, ''), 'hex');
  assert.equal(decodeOpen(body).asn, 65001);
});

function openErr(body: string, subcode: number, data = '') {
  assert.throws(() => decodeOpen(Buffer.from(body.replace(/ /g, ''), 'hex')), (e: unknown) => {
    assert.ok(e instanceof BgpWireError);
    assert.deepEqual([e.notification.code, e.notification.subcode, e.notification.data.toString('hex')], [2, subcode, data]);
    return true;
  });
}

test('OPEN version 3 → 2/1 with data = highest supported version', () => openErr('03 fde9 00b4 0a000001 00', 1, '0004'));
test('OPEN hold time 2 → 2/6', () => openErr('04 fde9 0002 0a000001 00', 6));
test('OPEN BGP id 0 → 2/3', () => openErr('04 fde9 00b4 00000000 00', 3));
test('OPEN AS 0 → 2/2', () => openErr('04 0000 00b4 0a000001 00', 2));
test('OPEN optional parameter type 1 (authentication) → 2/4', () => openErr('04 fde9 00b4 0a000001 03 01 01 00', 4));
test('OPEN optional parameters length mismatch → 2/0', () => openErr('04 fde9 00b4 0a000001 05 02 02 02 00', 0));
test('OPEN malformed 4-octet AS capability → 2/0', () => openErr('04 fde9 00b4 0a000001 05 02 03 41 01 00', 0));
