import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planEventWrite, problemEvent, sessionEvent } from './events.js';

test('session events: Established is Normal, leaving Established is a Warning with the reason; other moves none', () => {
  assert.deepEqual(sessionEvent('10.0.0.1', 'Established', 'OpenConfirm', 'KEEPALIVE received'), { type: 'Normal', reason: 'BGPSessionEstablished', message: 'BGP session with 10.0.0.1 established' });
  assert.deepEqual(sessionEvent('10.0.0.1:1790', 'Idle', 'Established', 'hold timer expired'), { type: 'Warning', reason: 'BGPSessionDown', message: 'BGP session with 10.0.0.1:1790 down: hold timer expired' });
  assert.equal(sessionEvent('10.0.0.1', 'Active', 'Connect', 'TCP connection failed'), undefined);
});

test('problem events: refused vs not applied, the object and field kept in the message', () => {
  assert.deepEqual(problemEvent('BGPPeer bad: spec.peerIP "x" is not an IP or IP:port'), { type: 'Warning', reason: 'BGPConfigRefused', message: 'BGPPeer bad: spec.peerIP "x" is not an IP or IP:port' });
  assert.equal(problemEvent('BGPPeer tor: spec.ttlSecurity 1 not applied (no GTSM in the agent\'s speaker)').reason, 'BGPConfigNotApplied');
});

test('the first event is created on the Node (cluster-scoped reference, in namespace default); a repeat patches count and lastTimestamp', () => {
  const seen = new Map<string, { name: string; count: number }>();
  const e = sessionEvent('10.0.0.1', 'Established', 'OpenConfirm', '')!;
  const w1 = planEventWrite(seen, 'n1', 'uid-1', e, new Date('2026-01-01T00:00:00.500Z'));
  assert.equal(w1.op, 'create');
  if (w1.op !== 'create') return;
  assert.equal(w1.event.metadata.namespace, 'default');
  assert.match(w1.event.metadata.name!, /^n1\./);
  assert.deepEqual(w1.event.involvedObject, { kind: 'Node', name: 'n1', namespace: '', apiVersion: 'v1', uid: 'uid-1' });
  assert.deepEqual([w1.event.type, w1.event.reason, w1.event.count, w1.event.source], ['Normal', 'BGPSessionEstablished', 1, { component: 'lab-agent', host: 'n1' }]);
  const w2 = planEventWrite(seen, 'n1', 'uid-1', e, new Date('2026-01-01T00:01:00.000Z'));
  assert.deepEqual(w2, { op: 'patch', name: w1.event.metadata.name, patch: { count: 2, lastTimestamp: '2026-01-01T00:01:00Z' } });
  // A different message is a new event.
  assert.equal(planEventWrite(seen, 'n1', 'uid-1', sessionEvent('10.0.0.2', 'Established', 'OpenConfirm', '')!, new Date()).op, 'create');
});
