import assert from 'node:assert/strict';
import type os from 'node:os';
import { test } from 'node:test';
import { exportAttributes, type ExportSource } from '../rib/export.js';
import type { PeerInfo } from '../rib/types.js';
import { linkGlobal6, type InterfaceTable } from './link-address.js';

const addr = (family: 'IPv4' | 'IPv6', address: string, internal = false): os.NetworkInterfaceInfo =>
  (family === 'IPv4'
    ? { family, address, internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` }
    : { family, address, internal, netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', cidr: `${address}/64`, scopeid: 0 });

// A kind node on its rack link (net0) with the pod bridge (kl0) holding other addresses.
const table: InterfaceTable = {
  lo: [addr('IPv4', '127.0.0.1', true), addr('IPv6', '::1', true)],
  kl0: [addr('IPv4', '10.1.1.1'), addr('IPv6', 'fd00:10:1:1::1')],
  net0: [addr('IPv4', '10.0.2.2'), addr('IPv6', 'fe80::a8c1:abff:fe00:1'), addr('IPv6', 'fd00:10:0:2::2')],
};

test('the IPv6 next hop of an IPv4 session is the global IPv6 address on the same link, never link-local or another interface', () => {
  assert.equal(linkGlobal6('10.0.2.2', table), 'fd00:10:0:2::2');
  assert.equal(linkGlobal6('10.1.1.1', table), 'fd00:10:1:1::1');
  assert.equal(linkGlobal6('127.0.0.1', table), undefined, 'loopback ::1 is internal');
  assert.equal(linkGlobal6('10.9.9.9', table), undefined);
  assert.equal(linkGlobal6('fd00:10:0:2::2', table), undefined, 'an IPv6 session has its own address');
  assert.equal(linkGlobal6('10.0.2.2', { net0: [addr('IPv4', '10.0.2.2'), addr('IPv6', 'fe80::1')] }), undefined, 'only link-local: nothing usable');
});

test('an originated IPv6 pod CIDR goes over an IPv4 session with that address as MP_REACH next hop, and is held back without one', () => {
  const dst: PeerInfo = { name: 'tor0', address: '10.0.0.1', localAddress: '10.0.2.2', asn: 65010, localAsn: 65010, routerId: '10.0.0.1', ibgp: true, fourOctetAs: true, families: ['ipv4-unicast', 'ipv6-unicast'] };
  const src: ExportSource = { local: true, ibgp: false, routeReflectorClient: false, routerId: '10.0.2.2' };
  const out = exportAttributes({ origin: 0, asPath: [] }, src, { ...dst, localAddress6: linkGlobal6('10.0.2.2', table) }, 'ipv6-unicast', '10.0.2.2');
  assert.equal(out?.mpReach?.nextHop, 'fd00:10:0:2::2');
  assert.equal(exportAttributes({ origin: 0, asPath: [] }, src, dst, 'ipv6-unicast', '10.0.2.2'), undefined);
});
