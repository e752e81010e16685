import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CILIUM_DEFAULTS, peerDefaults } from '../dialects/common.js';
import type { AgentIntent } from '../dialects/types.js';
import { bfdPeers, planIsEmpty, planReconcile } from './reconcile.js';

const base = (): AgentIntent => ({
  dialect: 'cilium', node: 'n1', localAsn: 65010, routerId: '10.0.1.2', installRoutes: false, ibgpMesh: false, problems: [],
  peers: [peerDefaults('10.0.0.1', 65010, 'policy rack0', CILIUM_DEFAULTS)],
  advertise: [{ prefix: '10.1.0.0/24', communities: [], largeCommunities: [], reason: 'pod CIDR' }],
});

test('first intent: new speaker, every neighbor and prefix added', () => {
  const p = planReconcile(undefined, base());
  assert.equal(p.newSpeaker, true);
  assert.deepEqual(p.addNeighbors.map((n) => [n.peerAddress, n.peerAsn, n.holdTime, n.keepaliveTime]), [['10.0.0.1', 65010, 90, 30]]);
  assert.deepEqual(p.originate, [{ prefix: '10.1.0.0/24', attrs: {} }]);
});

test('same intent: nothing to do; a new service IP only originates; a removed one only withdraws', () => {
  assert.equal(planIsEmpty(planReconcile(base(), base())), true);
  const more = base();
  more.advertise.push({ prefix: '10.96.0.10/32', communities: ['65000:1'], largeCommunities: [], reason: 'svc' });
  const p = planReconcile(base(), more);
  assert.deepEqual([p.newSpeaker, p.addNeighbors, p.changeNeighbors, p.removeNeighbors, p.withdraw], [false, [], [], [], []]);
  assert.deepEqual(p.originate, [{ prefix: '10.96.0.10/32', attrs: { communities: ['65000:1'] } }]);
  assert.deepEqual(planReconcile(more, base()).withdraw, ['10.96.0.10/32']);
});

test('changed community re-originates; changed hold time changes the neighbor; a new ASN needs a new speaker', () => {
  const c = base();
  c.advertise[0]!.communities = ['65010:7'];
  assert.deepEqual(planReconcile(base(), c).originate.map((o) => o.prefix), ['10.1.0.0/24']);
  const h = base();
  h.peers[0]!.holdTime = 9;
  const ph = planReconcile(base(), h);
  assert.deepEqual([ph.changeNeighbors.map((n) => n.holdTime), ph.addNeighbors.length, ph.removeNeighbors.length], [[9], 0, 0]);
  const a = base();
  a.localAsn = 65011;
  assert.equal(planReconcile(base(), a).newSpeaker, true);
  const gone = base();
  gone.peers = [];
  assert.deepEqual(planReconcile(base(), gone).removeNeighbors, ['10.0.0.1']);
});

test('kube-router path prepend reaches originate as repeated AS numbers; a changed repeat count re-originates', () => {
  const p = base();
  p.advertise[0]!.asPathPrepend = { asn: 64512, count: 3 };
  assert.deepEqual(planReconcile(undefined, p).originate, [{ prefix: '10.1.0.0/24', attrs: { asPathPrepend: [64512, 64512, 64512] } }]);
  const q = base();
  q.advertise[0]!.asPathPrepend = { asn: 64512, count: 1 };
  assert.deepEqual(planReconcile(p, q).originate, [{ prefix: '10.1.0.0/24', attrs: { asPathPrepend: [64512] } }]);
  assert.deepEqual(planReconcile(p, base()).originate, [{ prefix: '10.1.0.0/24', attrs: {} }], 'annotation removed: plain path again');
});

test('BFD sessions from the intent: single hop by default, multihop for eBGP with a multihop TTL, local address kept', () => {
  const i = base();
  assert.deepEqual(bfdPeers(i), []);
  const ebgp = { ...peerDefaults('10.0.0.2', 65020, 'x', CILIUM_DEFAULTS), multihopTtl: 3, bfd: { minTxMs: 100, minRxMs: 200, multiplier: 4, minTtl: 250 } };
  const direct = { ...peerDefaults('10.0.0.3', 65020, 'x', CILIUM_DEFAULTS), localAddress: '10.0.0.9', bfd: { minTxMs: 300, minRxMs: 300, multiplier: 3, passive: true, minTtl: 250 } };
  const ibgp = { ...peerDefaults('10.0.0.4', 65010, 'x', CILIUM_DEFAULTS), multihopTtl: 64, bfd: { minTxMs: 300, minRxMs: 300, multiplier: 3 } };
  i.peers.push(ebgp, direct, ibgp);
  assert.deepEqual(bfdPeers(i), [
    { peer: '10.0.0.2', minTxMs: 100, minRxMs: 200, multiplier: 4, multihop: true, minTtl: 250 },
    { peer: '10.0.0.3', minTxMs: 300, minRxMs: 300, multiplier: 3, local: '10.0.0.9', passive: true },
    { peer: '10.0.0.4', minTxMs: 300, minRxMs: 300, multiplier: 3 },
  ]);
});

test('one address on two ports is two neighbors (keyed "address:port"); removing one port leaves the other', () => {
  const two = base();
  const alt = peerDefaults('10.0.0.1', 65011, 'peer alt', CILIUM_DEFAULTS);
  alt.port = 1790;
  two.peers.push(alt);
  const p = planReconcile(base(), two);
  assert.deepEqual(p.addNeighbors.map((n) => [n.name, n.peerAddress, n.port, n.peerAsn]), [['10.0.0.1:1790', '10.0.0.1', 1790, 65011]]);
  assert.deepEqual([p.changeNeighbors, p.removeNeighbors], [[], []]);
  assert.deepEqual(planReconcile(two, base()).removeNeighbors, ['10.0.0.1:1790']);
});

test('filter rules reach the neighbor config (a changed filter changes the neighbor)', () => {
  const f = base();
  f.peers[0]!.exportRules = [{ family: 'ipv4-unicast', action: 'reject' }];
  const p = planReconcile(base(), f);
  assert.deepEqual(p.changeNeighbors.map((n) => n.exportRules), [[{ family: 'ipv4-unicast', action: 'reject' }]]);
});

test('Calico localASNumber and ttlSecurity reach the neighbor: per-session local AS, TTL 255 out and IP_MINTTL in; a change resets only that neighbor', () => {
  const gtsm = base();
  gtsm.peers[0] = { ...gtsm.peers[0]!, localAsn: 65100, multihopTtl: 255, minTtl: 254 };
  const p = planReconcile(base(), gtsm);
  assert.equal(p.newSpeaker, false);
  assert.deepEqual(p.changeNeighbors.map((n) => [n.localAsn, n.ttl, n.minTtl]), [[65100, 255, 254]]);
  assert.deepEqual(planReconcile(undefined, base()).addNeighbors.map((n) => [n.localAsn, n.ttl, n.minTtl]), [[undefined, undefined, undefined]]);
});
