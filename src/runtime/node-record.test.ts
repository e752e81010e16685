import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addrsOf, endsOfListings, staticRoutesOf } from './node-record.js';

// `ip -j addr show` / `ip -j route show` of a whole namespace, in iproute2's JSON shape
const addr = JSON.stringify([
  { ifname: 'lo', addr_info: [{ local: '127.0.0.1', prefixlen: 8, scope: 'host' }, { local: '10.0.0.1', prefixlen: 32, scope: 'global' }] },
  { ifname: 'eth1', addr_info: [{ local: '10.0.12.1', prefixlen: 24, scope: 'global' }, { local: 'fe80::1', prefixlen: 64, scope: 'link' }] },
  { ifname: 'eth2', addr_info: [] },
]);
const r4 = JSON.stringify([
  { dst: 'default', gateway: '10.0.12.2', dev: 'eth1', protocol: 'boot' },
  { dst: '10.0.12.0/24', dev: 'eth1', protocol: 'kernel', scope: 'link' },
  { dst: '10.9.0.0/16', dev: 'eth2', protocol: 'bgp', metric: 20 },
  { dst: '10.7.0.0/16', nexthops: [{ gateway: '10.0.12.2', dev: 'eth1' }, { gateway: '10.0.13.2', dev: 'eth2' }], protocol: 'static' },
]);
const r6 = JSON.stringify([{ dst: '2001:db8:1::/64', gateway: '2001:db8::2', dev: 'eth2', metric: 1024 }]);

test('endsOfListings: each interface gets what a per-interface listing gives it', () => {
  const ends = endsOfListings(['eth1', 'eth2', 'eth3'], addr, r4, r6);
  // the same as the per-device functions on the per-device listings
  const perDev = (dev: string) => ({
    addrs: addrsOf(JSON.stringify(JSON.parse(addr).filter((l: { ifname: string }) => l.ifname === dev))),
    routes: [
      ...staticRoutesOf(JSON.stringify(JSON.parse(r4).filter((r: { dev?: string; nexthops?: Array<{ dev: string }> }) => r.dev === dev || r.nexthops?.some((h) => h.dev === dev))), false),
      ...staticRoutesOf(JSON.stringify(JSON.parse(r6).filter((r: { dev?: string }) => r.dev === dev)), true),
    ],
  });
  assert.deepEqual(ends.get('eth1'), perDev('eth1'));
  assert.deepEqual(ends.get('eth1'), { addrs: ['10.0.12.1/24'], routes: [['0.0.0.0/0', 'via', '10.0.12.2'], ['10.7.0.0/16']] });
  // a routing daemon's route is not recorded; an interface without addresses is still recorded
  assert.deepEqual(ends.get('eth2'), { addrs: [], routes: [['10.7.0.0/16'], ['2001:db8:1::/64', 'via', '2001:db8::2', 'metric', '1024']] });
  // an interface the namespace does not have: no record (the old one is kept)
  assert.equal(ends.has('eth3'), false);
  assert.equal(ends.has('lo'), false);
});
