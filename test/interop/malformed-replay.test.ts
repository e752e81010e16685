/**
 * Live-session replay of the malformed corpus (test/fixtures/bgp/malformed/*.json, written by the wire engineer):
 * each message goes to our speaker over a real TCP session (OPEN fixtures as the peer's OPEN, the rest after
 * Established). `session-reset` fixtures must produce exactly the expected NOTIFICATION (code, subcode, data);
 * every other outcome (treat-as-withdraw, attribute-discard, ignore, reject...) must leave the session up.
 * A control session stays Established throughout, and the process never crashes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSpeaker, type BgpSpeaker } from '../../src/bgp/index.js';
import { MessageFramer } from '../../src/bgp/wire/framer.js';
import { encodeOpen } from '../../src/bgp/wire/open.js';
import { encodeKeepalive } from '../../src/bgp/wire/keepalive.js';
import { emptyCapabilities } from '../../src/bgp/wire/capabilities.js';

interface Fixture {
  file: string;
  description: string;
  session: { fourOctetAs: boolean; ibgp: boolean; peerAs: number; localAs: number };
  hex: string;
  expect: { action: string; notification?: { code: number; subcode: number; data?: string } };
}

const dir = fileURLToPath(new URL('../fixtures/bgp/malformed/', import.meta.url));
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(dir + f, 'utf8')) as Omit<Fixture, 'file'>) }));

const LOCAL_AS = 65000;
const addr = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
const CONTROL = '127.0.9.1';
let speaker: BgpSpeaker;
let port = 0;

interface RawPeer {
  sock: net.Socket;
  msgs: Array<{ type: number; body: Buffer }>;
  closed: boolean;
}

async function rawConnect(local: string, peerAs: number, fourOctet: boolean, openHex?: string): Promise<RawPeer> {
  const sock = net.connect({ host: '127.0.0.1', port, localAddress: local });
  await once(sock, 'connect');
  const p: RawPeer = { sock, msgs: [], closed: false };
  const f = new MessageFramer({ maxMessageSize: 65535 });
  sock.on('data', (d) => p.msgs.push(...f.push(d)));
  sock.on('close', () => (p.closed = true));
  sock.on('error', () => undefined);
  const caps = { ...emptyCapabilities(), multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, ...(fourOctet ? { fourOctetAsn: peerAs } : {}) };
  sock.write(openHex ? Buffer.from(openHex, 'hex') : encodeOpen({ version: 4, asn: peerAs, holdTime: 90, routerId: '10.0.0.2', capabilities: caps }));
  return p;
}

const until = async (what: string, f: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function establish(p: RawPeer, local: string): Promise<void> {
  await until(`${local}: OPEN+KEEPALIVE from us`, () => p.msgs.some((m) => m.type === 4));
  p.sock.write(encodeKeepalive());
  await until(`${local}: Established`, () => speaker.neighborStatus().find((n) => n.address === local)?.state === 'Established');
}

let control: RawPeer;
before(async () => {
  port = 40000 + Math.floor(Math.random() * 20000);
  const neighbors = fixtures.map((fx, i) => ({
    peerAddress: addr(i),
    peerAsn: fx.session.ibgp ? LOCAL_AS : fx.session.peerAs,
    passive: true,
    idleHoldTime: 3600,
    families: ['ipv4-unicast' as const, 'ipv6-unicast' as const],
  }));
  neighbors.push({ peerAddress: CONTROL, peerAsn: 65001, passive: true, idleHoldTime: 3600, families: ['ipv4-unicast', 'ipv6-unicast'] });
  speaker = createSpeaker({ asn: LOCAL_AS, routerId: '10.0.0.1', listen: { address: '127.0.0.1', port }, neighbors });
  await speaker.start();
  control = await rawConnect(CONTROL, 65001, true);
  await establish(control, CONTROL);
});
after(async () => {
  control?.sock.destroy();
  await speaker?.stop();
});

fixtures.forEach((fx, i) => {
  test(`${fx.file}: ${fx.description} → ${fx.expect.action}`, async () => {
    const local = addr(i);
    const isOpen = fx.file.startsWith('open-');
    const peerAs = fx.session.ibgp ? LOCAL_AS : fx.session.peerAs;
    const p = await rawConnect(local, peerAs, fx.session.fourOctetAs, isOpen ? fx.hex : undefined);
    try {
      if (!isOpen) {
        await establish(p, local);
        p.sock.write(Buffer.from(fx.hex, 'hex'));
      }
      const n = fx.expect.notification;
      if (fx.expect.action === 'session-reset') {
        assert.ok(n, 'session-reset fixture without notification');
        await until('NOTIFICATION', () => p.msgs.some((m) => m.type === 3));
        const got = p.msgs.find((m) => m.type === 3)!.body;
        assert.deepEqual([got[0], got[1]], [n.code, n.subcode], `got ${got.toString('hex')}`);
        if (n.data !== undefined) assert.equal(got.subarray(2).toString('hex'), n.data);
        await until('connection closed', () => p.closed);
        assert.notEqual(speaker.neighborStatus().find((x) => x.address === local)!.state, 'Established');
      } else {
        // No reset: a KEEPALIVE still goes through and nothing but KEEPALIVE/UPDATE comes back.
        p.sock.write(encodeKeepalive());
        await new Promise((r) => setTimeout(r, 150));
        assert.deepEqual(p.msgs.filter((m) => m.type === 3).map((m) => m.body.toString('hex')), []);
        assert.equal(p.closed, false);
        assert.equal(speaker.neighborStatus().find((x) => x.address === local)!.state, 'Established');
      }
      assert.equal(speaker.neighborStatus().find((x) => x.address === CONTROL)!.state, 'Established', 'control session stays up');
    } finally {
      p.sock.destroy();
    }
  });
});

test('the control session survived the whole corpus', () => {
  assert.equal(control.closed, false);
  assert.equal(speaker.neighborStatus().find((x) => x.address === CONTROL)!.state, 'Established');
  assert.ok(fixtures.length >= 40, `corpus has ${fixtures.length} fixtures`);
});
