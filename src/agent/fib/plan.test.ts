import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFib } from './plan.js';

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
