/**
 * Two of our speakers peering over loopback (routes themselves need non-loopback next hops: see
 * test/interop/agent-pair.test.ts): runtime neighbor removal and configuration changes.
 */
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
const state = (s: BgpSpeaker) => s.neighborStatus()[0]!.state;

async function pair(bExtra: Partial<NeighborConfig> = {}) {
  const p = port();
  const a = createSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port: p }, neighbors: [{ peerAddress: '127.0.0.2', peerAsn: 65001, port: p, localAddress: '127.0.0.1', idleHoldTime: 1, connectRetryTime: 1 }] });
  const b = createSpeaker({ asn: 65001, routerId: '192.0.2.2', listen: { address: '127.0.0.2', port: p }, neighbors: [{ peerAddress: '127.0.0.1', peerAsn: 65000, port: p, localAddress: '127.0.0.2', idleHoldTime: 1, connectRetryTime: 1, ...bExtra }] });
  await a.start();
  await b.start();
  return { a, b, stop: async () => { await a.stop(); await b.stop(); } };
}

test('removing a neighbor at runtime sends Cease 6/3 (peer de-configured)', async () => {
  const { a, b, stop } = await pair();
  try {
    await until('Established', () => state(a) === 'Established' && state(b) === 'Established');
    assert.equal(a.neighborStatus()[0]!.advertised, 0);
    a.removeNeighbor('127.0.0.2');
    await until('B saw 6/3', () => b.neighborStatus()[0]!.lastError?.includes('(6/3)') ?? false);
    assert.equal(a.neighborStatus().length, 0);
  } finally {
    await stop();
  }
});

test('changing a neighbor at runtime restarts its session with Cease 6/6; an unchanged one is left alone', async () => {
  const { a, b, stop } = await pair();
  try {
    await until('Established', () => state(a) === 'Established' && state(b) === 'Established');
    const n = a.cfg.neighbors[0]!;
    a.updateNeighbor({ ...n });
    assert.equal(state(a), 'Established');
    a.updateNeighbor({ ...n, holdTime: 30 });
    await until('B saw 6/6', () => b.neighborStatus()[0]!.lastError?.includes('(6/6)') ?? false);
    await until('re-established with hold 30', () => state(a) === 'Established' && a.neighborStatus()[0]!.holdTime === 30, 10_000);
  } finally {
    await stop();
  }
});

test('a neighbor configured with a non-canonical IPv6 spelling accepts its incoming connection', async () => {
  const p = port();
  const a = createSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: { address: '::1', port: p }, neighbors: [{ peerAddress: '0:0:0:0:0:0:0:01', peerAsn: 65001, passive: true }] });
  const b = createSpeaker({ asn: 65001, routerId: '192.0.2.2', listen: { address: '::1', port: 0 }, neighbors: [{ peerAddress: '::1', peerAsn: 65000, port: p, localAddress: '::1', idleHoldTime: 1, connectRetryTime: 1 }] });
  try {
    await a.start();
    await b.start();
    await until('Established', () => state(a) === 'Established' && state(b) === 'Established');
    assert.equal(a.neighborStatus()[0]!.address, '::1');
    assert.equal(a.removeNeighbor('0::1'), true);
  } finally {
    await a.stop();
    await b.stop();
  }
});
