import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rib } from './rib.js';
import type { PeerInfo } from './types.js';
import { encodeUpdate, decodeUpdate, type Update } from '../wire/update.js';
import { MessageFramer } from '../wire/framer.js';
import type { PathAttributes } from '../wire/attrs/types.js';

const body = (u: Partial<Update> & { attributes?: PathAttributes }) =>
  encodeUpdate({ withdrawn: [], nlri: [], attributes: {}, ...u }, { fourOctetAs: true }, 65535).subarray(19);

function peer(name: string, asn: number, extra: Partial<PeerInfo> = {}): PeerInfo {
  const n = Number(name.replace(/\D/g, '')) || 1;
  return { name, address: `10.0.0.${n}`, localAddress: '10.0.0.100', asn, localAsn: 64512, routerId: `1.1.1.${n}`,
    ibgp: asn === 64512, fourOctetAs: true, families: ['ipv4-unicast'], ...extra };
}

/** Prefixes announced minus those withdrawn, over the UPDATEs of one takeUpdates call. */
function announced(msgs: Buffer[], four = true): string[] {
  const f = new MessageFramer({ maxMessageSize: 65535 });
  const ups = msgs.flatMap((m) => f.push(m)).map((m) => decodeUpdate(m.body, { fourOctetAs: four, ibgp: true }));
  return ups.flatMap((u) => u.nlri).sort();
}
function withdrawn(msgs: Buffer[]): string[] {
  const f = new MessageFramer({ maxMessageSize: 65535 });
  return msgs.flatMap((m) => f.push(m)).flatMap((m) => decodeUpdate(m.body, { fourOctetAs: true, ibgp: true }).withdrawn).sort();
}

const take = (rib: Rib, p: number) => rib.takeUpdates(p, { maxMessageSize: 4096 });

// The kube-router lab: a node (AS 64512) with an iBGP mesh peer (the other node) and an eBGP router (AS 64513).
function kubeRouterNode(routerExtra: Partial<PeerInfo>) {
  const rib = new Rib({ localAsn: 64512, routerId: '192.168.0.170' });
  const mesh = rib.addPeer(peer('n171', 64512, { exportPolicy: 'originated' }));
  const router = rib.addPeer(peer('r100', 64513, routerExtra));
  rib.peerUp(mesh);
  rib.peerUp(router);
  rib.originate('10.244.0.0/24');
  rib.originate('10.96.0.1/32');
  rib.originate('10.96.0.10/32');
  // The other node's pod CIDR and service IPs arrive over the mesh; the router sends its own network.
  rib.applyUpdate(mesh, body({ nlri: ['10.244.1.0/24', '10.96.0.1/32'], attributes: { origin: 0, asPath: [], nextHop: '10.0.0.171', localPref: 100 } }));
  rib.applyUpdate(router, body({ nlri: ['192.168.50.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [64513] }], nextHop: '10.0.0.100' } }));
  return { rib, mesh, router };
}

test("exportPolicy 'originated': an eBGP router gets only the node's own 3 prefixes, not the mesh-learned pod CIDR", () => {
  const { rib, router } = kubeRouterNode({ exportPolicy: 'originated' });
  assert.deepEqual(announced(take(rib, router)), ['10.244.0.0/24', '10.96.0.1/32', '10.96.0.10/32']);
  assert.deepEqual(rib.stats(router).advertised, 3);
  const adjOut = [...rib.routes({ family: 'ipv4-unicast', peer: router, table: 'adj-out' })].map((r) => r.prefix).sort();
  assert.deepEqual(adjOut, ['10.244.0.0/24', '10.96.0.1/32', '10.96.0.10/32']);
});

test("exportPolicy 'all' (the default) keeps the RFC behaviour: the mesh-learned /24 is sent on to the eBGP router", () => {
  const { rib, router } = kubeRouterNode({});
  assert.deepEqual(announced(take(rib, router)), ['10.244.0.0/24', '10.244.1.0/24', '10.96.0.1/32', '10.96.0.10/32']);
});

test("exportPolicy 'originated' on an iBGP mesh peer: the router's eBGP route is not passed on, our own routes are", () => {
  const { rib, mesh } = kubeRouterNode({ exportPolicy: 'originated' });
  assert.deepEqual(announced(take(rib, mesh)), ['10.244.0.0/24', '10.96.0.1/32', '10.96.0.10/32']);
});

test("exportPolicy 'originated' also holds on the general export path (2-octet AS peer) and for later changes", () => {
  const { rib, mesh, router } = kubeRouterNode({ exportPolicy: 'originated', fourOctetAs: false });
  assert.deepEqual(announced(take(rib, router), false), ['10.244.0.0/24', '10.96.0.1/32', '10.96.0.10/32']);
  // A new learned route produces nothing for the router; withdrawing our own route withdraws it.
  rib.applyUpdate(mesh, body({ nlri: ['10.244.2.0/24'], attributes: { origin: 0, asPath: [], nextHop: '10.0.0.172', localPref: 100 } }));
  assert.deepEqual(announced(take(rib, router), false), []);
  rib.withdrawOriginated('10.96.0.10/32');
  assert.deepEqual(withdrawn(take(rib, router)), ['10.96.0.10/32']);
});

test('a route reflector server with exportPolicy all reflects client routes to other clients; a client sends only its own', () => {
  const rr = new Rib({ localAsn: 64512, routerId: '10.0.0.100' });
  const c1 = rr.addPeer(peer('c1', 64512, { routeReflectorClient: true, exportPolicy: 'all' }));
  const c2 = rr.addPeer(peer('c2', 64512, { routeReflectorClient: true, exportPolicy: 'all' }));
  const ext = rr.addPeer(peer('e9', 64513, { exportPolicy: 'originated' }));
  for (const p of [c1, c2, ext]) rr.peerUp(p);
  rr.originate('10.244.0.0/24');
  rr.applyUpdate(c1, body({ nlri: ['10.244.1.0/24'], attributes: { origin: 0, asPath: [], nextHop: '10.0.0.1', localPref: 100 } }));
  assert.deepEqual(announced(take(rr, c2)), ['10.244.0.0/24', '10.244.1.0/24']);
  assert.deepEqual(announced(take(rr, ext)), ['10.244.0.0/24']);

  const client = new Rib({ localAsn: 64512, routerId: '10.0.0.1' });
  const toRr = client.addPeer(peer('rr100', 64512, { exportPolicy: 'originated' }));
  const other = client.addPeer(peer('e8', 64513, { exportPolicy: 'all' }));
  client.peerUp(toRr);
  client.peerUp(other);
  client.originate('10.244.1.0/24');
  client.applyUpdate(other, body({ nlri: ['192.168.50.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [64513] }], nextHop: '10.0.0.8' } }));
  assert.deepEqual(announced(take(client, toRr)), ['10.244.1.0/24']);
});
