import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKernelRoutes, planFib, withRetained } from './plan.js';

test('new routes (single and ECMP), changed next hops, withdrawn routes, unchanged routes skipped', () => {
  const installed = new Map([['10.1.1.0/24', ['10.0.0.2']], ['10.1.2.0/24', ['10.0.0.3']], ['10.1.9.0/24', ['10.0.0.9']]]);
  const wanted = new Map([
    ['10.1.1.0/24', ['10.0.0.2']],
    ['10.1.2.0/24', ['10.0.0.4', '10.0.0.3']],
    ['10.96.0.10/32', ['10.0.0.5']],
    ['fd00:1::/64', ['fd00::2']],
  ]);
  assert.deepEqual(planFib(installed, wanted), [
    'route replace 10.1.2.0/24 proto 186 nexthop via 10.0.0.3 nexthop via 10.0.0.4',
    'route replace 10.96.0.10/32 proto 186 via 10.0.0.5',
    'route replace fd00:1::/64 proto 186 via fd00::2',
    'route del 10.1.9.0/24 proto 186',
  ]);
  assert.deepEqual(planFib(wanted, wanted), []);
});

test('kernel routes from ip -j (single next hop, ECMP nexthops, IPv6) and retention after a graceful restart', () => {
  const json = JSON.stringify([
    { dst: '10.244.1.0/24', gateway: '10.80.0.12', dev: 'net0', flags: [] },
    { dst: '10.96.0.10', nexthops: [{ gateway: '10.0.0.5', dev: 'net0' }, { gateway: '10.0.0.4', dev: 'net0' }] },
    { dst: 'fd00:1::/64', gateway: 'fd00::2', dev: 'net0' },
  ]);
  const k = parseKernelRoutes(json);
  assert.deepEqual([...k], [['10.244.1.0/24', ['10.80.0.12']], ['10.96.0.10/32', ['10.0.0.4', '10.0.0.5']], ['fd00:1::/64', ['fd00::2']]]);
  assert.equal(parseKernelRoutes('').size, 0);
  // Relearned routes win; the others stay until released; nothing is deleted meanwhile.
  const wanted = new Map([['10.244.1.0/24', ['10.80.0.13']]]);
  const merged = withRetained(wanted, k);
  assert.deepEqual(merged.get('10.244.1.0/24'), ['10.80.0.13']);
  assert.deepEqual(merged.get('fd00:1::/64'), ['fd00::2']);
  assert.deepEqual(planFib(k, merged), ['route replace 10.244.1.0/24 proto 186 via 10.80.0.13']);
  assert.deepEqual(planFib(k, withRetained(wanted, new Map())), ['route replace 10.244.1.0/24 proto 186 via 10.80.0.13', 'route del 10.96.0.10/32 proto 186', 'route del fd00:1::/64 proto 186']);
});
