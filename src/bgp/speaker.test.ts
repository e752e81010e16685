/** Two of our speakers peering over loopback: routes with communities flow, withdraws, max-prefix Cease, runtime neighbor changes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSpeaker, type BgpSpeaker } from './index.js';
import type { NeighborConfig } from './speaker-types.js';

const until = async (what: string, f: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const port = () => 30000 + Math.floor(Math.random() * 20000);
const routes = (s: BgpSpeaker) => [...s.rib.routes({ family: 'ipv4-unicast', table: 'loc' })];
const state = (s: BgpSpeaker) => s.neighborStatus()[0]!.state;

async function pair(bExtra: Partial<NeighborConfig> = {}) {
  const p = port();
  const a = createSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port: p }, neighbors: [{ peerAddress: '127.0.0.2', peerAsn: 65001, port: p, localAddress: '127.0.0.1', idleHoldTime: 1, connectRetryTime: 1 }] });
  const b = createSpeaker({ asn: 65001, routerId: '192.0.2.2', listen: { address: '127.0.0.2', port: p }, neighbors: [{ peerAddress: '127.0.0.1', peerAsn: 65000, port: p, localAddress: '127.0.0.2', idleHoldTime: 1, connectRetryTime: 1, ...bExtra }] });
  await a.start();
  await b.start();
  return { a, b, stop: async () => { await a.stop(); await b.stop(); } };
}

test('routes with communities and large communities flow between two speakers; withdraw is honoured', async () => {
  const { a, b, stop } = await pair();
  try {
    a.originate('10.1.0.0/24', { communities: ['65000:100'], largeCommunities: ['65000:1:2'] });
    await until('Established', () => state(a) === 'Established' && state(b) === 'Established');
    await until('route at B', () => routes(b).length === 1);
    const r = routes(b)[0]!;
    assert.equal(r.prefix, '10.1.0.0/24');
    assert.deepEqual(r.asPath, [65000]);
    assert.equal(r.nextHop, '127.0.0.1');
    assert.deepEqual(r.communities, ['65000:100']);
    assert.deepEqual(r.largeCommunities, ['65000:1:2']);
    assert.equal(b.neighborStatus()[0]!.accepted, 1);
    assert.equal(a.neighborStatus()[0]!.advertised, 1);
    a.withdraw('10.1.0.0/24');
    await until('withdrawn at B', () => routes(b).length === 0);
    assert.ok(b.refresh('127.0.0.1', 'ipv4-unicast'));
    await until('refresh answered', () => a.neighborStatus()[0]!.messages.received.routeRefresh === 1);
  } finally {
    await stop();
  }
});

test('max-prefix: exceeding the limit sends Cease 6/1 and the session goes down', async () => {
  const { a, b, stop } = await pair({ maxPrefixes: 1, idleHoldTime: 60 });
  try {
    await until('Established', () => state(b) === 'Established');
    a.originate('10.1.0.0/24');
    a.originate('10.2.0.0/24');
    await until('B gave up', () => b.neighborStatus()[0]!.lastError?.includes('6/1') ?? false);
    assert.match(b.neighborStatus()[0]!.lastError!, /sent cease \/ max prefixes reached \(6\/1\)/);
    await until('A heard it', () => a.neighborStatus()[0]!.lastError?.includes('received cease / max prefixes reached (6/1)') ?? false);
    assert.equal(b.neighborStatus()[0]!.flaps, 1);
  } finally {
    await stop();
  }
});

test('removing a neighbor at runtime sends Cease 6/3 (peer de-configured) and withdraws its routes', async () => {
  const { a, b, stop } = await pair();
  try {
    a.originate('10.9.0.0/24');
    await until('route at B', () => routes(b).length === 1);
    a.removeNeighbor('127.0.0.2');
    await until('B saw 6/3', () => b.neighborStatus()[0]!.lastError?.includes('(6/3)') ?? false);
    await until('withdrawn at B', () => routes(b).length === 0);
    assert.equal(a.neighborStatus().length, 0);
  } finally {
    await stop();
  }
});
