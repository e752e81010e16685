/** What destroy says of a network Docker 20.10 keeps with stale endpoints (pure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isActiveEndpoints, staleEndpointsMessage, staleEndpointsOf } from './stale-endpoints.js';

test('Docker\'s refusal is recognised from its JSON answer or a plain message; other errors are not', () => {
  assert.ok(isActiveEndpoints({ json: { message: 'error while removing network: network kindlab-x id 3f2a has active endpoints' } }));
  assert.ok(isActiveEndpoints(new Error('(HTTP code 403) unexpected - error while removing network: network kindlab-x id 3f has active endpoints')));
  assert.ok(!isActiveEndpoints(new Error('network kindlab-x not found')));
});

test('the endpoints NetworkInspect lists, by id and name; none when it lists nothing', () => {
  assert.deepEqual(staleEndpointsOf({ Containers: { 'ep-9a1b2c3d4e5f60718293': { Name: 'clab-x-r3' }, abc: {} } }), [
    { id: 'ep-9a1b2c3d4e5f60718293', name: 'clab-x-r3' },
    { id: 'abc', name: 'abc' },
  ]);
  assert.deepEqual(staleEndpointsOf({ Containers: null }), []);
  assert.deepEqual(staleEndpointsOf({}), []);
});

test('the message names the network, its host, what Docker holds, what was tried, and how to clear it', () => {
  const m = staleEndpointsMessage({ network: 'kindlab-kl-mh', host: 'b', lab: 'kl-mh', endpoints: [{ id: '0123456789abcdef0123', name: 'clab-kl-mh-r3' }], disconnected: ['clab-kl-mh-r3'] });
  assert.equal(
    m.reason,
    'network kindlab-kl-mh on host b was not removed: Docker still counts 1 endpoint on it (clab-kl-mh-r3 (0123456789ab)) although no container of lab kl-mh is left; docker network disconnect -f of clab-kl-mh-r3 did not clear them. This is a stale endpoint in dockerd\'s store (seen with Docker 20.10)',
  );
  assert.equal(m.hint, 'restart that dockerd (on its machine b: sudo systemctl restart docker), then run: lab destroy --name kl-mh --cleanup (only this network is left of the lab on host b)');
});

test('a local engine that lists no endpoint: said so, nothing claimed as tried', () => {
  const m = staleEndpointsMessage({ network: 'kindlab-demo', lab: 'demo', endpoints: [], disconnected: [] });
  assert.equal(m.reason, 'network kindlab-demo was not removed: Docker says it has active endpoints but lists none although no container of lab demo is left. This is a stale endpoint in dockerd\'s store (seen with Docker 20.10)');
  assert.match(m.hint, /^restart that dockerd \(on its machine: sudo systemctl restart docker\), then run: lab destroy --name demo --cleanup/);
});
