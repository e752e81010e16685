/**
 * The agent's peer settings reach the speaker. Its export policy ends up in the RIB's peer. Its sessions retry a refused connect after the dialect's daemon's connect-retry time, not RFC 4271's
 * 120 s (a router that starts a moment after the agent must not cost two minutes), and the first connect is
 * made at once also with Cilium's 120 s. Real speaker and TCP on loopback; the session timers run on a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { BgpSpeaker, createSpeaker } from '../../bgp/index.js';
import { Rib } from '../../bgp/rib/index.js';
import type { PeerInfo } from '../../bgp/rib/index.js';
import { FakeClock } from '../../lib/index.js';
import { cilium } from '../dialects/cilium.js';
import { computeKubeRouter, parseKubeRouterFlags } from '../dialects/kube-router.js';
import type { PeerIntent } from '../dialects/types.js';
import { viewFromObjects } from '../dialects/view.js';
import { neighborConfig } from './reconcile.js';

const fixture = (f: string): KubeObject[] =>
  YAML.parseAllDocuments(readFileSync(new URL(`../dialects/fixtures/${f}`, import.meta.url), 'utf8')).map((d) => d.toJS() as KubeObject).filter(Boolean);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** A TCP server on the port that counts connections (and closes them). */
async function counter(port: number) {
  let n = 0;
  const socks = new Set<net.Socket>();
  const s = net.createServer((c) => {
    n++;
    socks.add(c);
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return {
    get count() {
      return n;
    },
    close: () => {
      for (const c of socks) c.destroy();
      return new Promise<void>((r) => s.close(() => r()));
    },
  };
}

/** A speaker for the dialect's first peer, pointed at 127.0.0.1:port, its timers on `clock`. */
function speakerFor(peer: PeerIntent, port: number, clock: FakeClock) {
  const c = { ...neighborConfig(peer), peerAddress: '127.0.0.1', port, localAddress: '127.0.0.1' };
  return createSpeaker({ asn: 64512, routerId: '192.0.2.1', listen: { address: '127.0.0.1', port: 0 }, neighbors: [c] }, { clock });
}

const until = async (what: string, f: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
};

test('kube-router: a refused first connect is retried 5 s later (GoBGP), not after 120 s', async () => {
  const peer = computeKubeRouter(viewFromObjects(fixture('kube-router-article.yaml')), '170', parseKubeRouterFlags(['--cluster-asn=64512', '--peer-router-ips=192.168.0.100', '--peer-router-asns=64513'])).peers[0]!;
  const port = await freePort();
  const clock = new FakeClock();
  const sp = speakerFor(peer, port, clock);
  let router: Awaited<ReturnType<typeof counter>> | undefined;
  try {
    await sp.start();
    await until('the refused connect', () => sp.neighborStatus()[0]!.lastError?.startsWith('connect:') ?? false);
    router = await counter(port); // the router is up now
    clock.advance(4900);
    await sleep(300);
    assert.equal(router.count, 0, 'no new attempt before the connect retry time');
    clock.advance(100);
    await until('the retry reaches the router', () => router!.count === 1);
  } finally {
    await sp.stop();
    await router?.close();
  }
});

test('Cilium: the first connect is made at once, although connectRetryTimeSeconds defaults to 120', async () => {
  const peer = cilium.compute(viewFromObjects(fixture('cilium-article.yaml')), 'clab-bgp-cplane-demo-control-plane', cilium.parseFlags([])).peers[0]!;
  assert.equal(peer.connectRetry, 120);
  const port = await freePort();
  const router = await counter(port);
  const clock = new FakeClock();
  const sp = speakerFor(peer, port, clock);
  try {
    await sp.start();
    await until('the first connect, with the clock not advanced', () => router.count === 1);
  } finally {
    await sp.stop();
    await router.close();
  }
});

/** The real RIB, noting the peers the speaker registers. */
class NotingRib extends Rib {
  peers: PeerInfo[] = [];
  override addPeer(p: PeerInfo): number {
    this.peers.push(p);
    return super.addPeer(p);
  }
}

test("kube-router: the speaker registers the VIP router in the RIB with exportPolicy 'originated'", async () => {
  const peer = computeKubeRouter(viewFromObjects(fixture('kube-router-article.yaml')), '170', parseKubeRouterFlags(['--cluster-asn=64512', '--peer-router-ips=192.168.0.100', '--peer-router-asns=64513'])).peers[0]!;
  const port = await freePort();
  const ribA = new NotingRib({ localAsn: 64512, routerId: '192.0.2.1' });
  const a = new BgpSpeaker({ asn: 64512, routerId: '192.0.2.1', neighbors: [{ ...neighborConfig(peer), peerAddress: '127.0.0.2', port, localAddress: '127.0.0.1' }] }, { rib: ribA });
  // The "router": AS 64513 on 127.0.0.2, accepting the agent's connection.
  const b = createSpeaker({ asn: 64513, routerId: '192.0.2.2', listen: { address: '127.0.0.2', port }, neighbors: [{ peerAddress: '127.0.0.1', peerAsn: 64512, passive: true }] });
  try {
    await b.start();
    await a.start();
    await until('Established', () => a.neighborStatus()[0]!.state === 'Established', 8000);
    assert.deepEqual(ribA.peers.map((p) => [p.address, p.ibgp, p.exportPolicy]), [['127.0.0.2', false, 'originated']]);
  } finally {
    await a.stop();
    await b.stop();
  }
});
