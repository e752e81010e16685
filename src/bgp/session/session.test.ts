/**
 * Session runner tests over real loopback TCP with a fake clock for the BGP timers (no real waiting for them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { MessageFramer } from '../wire/framer.js';
import { decodeOpen, encodeOpen } from '../wire/open.js';
import { encodeKeepalive } from '../wire/keepalive.js';
import { emptyCapabilities } from '../wire/capabilities.js';
import { FakeClock } from '../../lib/index.js';
import { Session, type SessionHandler } from './session.js';
import { TcpListener } from './transport.js';
import type { Negotiated } from './negotiate.js';

/** A raw BGP peer on loopback: records every message it receives. */
async function rawPeer() {
  const msgs: Array<{ type: number; body: Buffer }> = [];
  const socks: net.Socket[] = [];
  const server = net.createServer((s) => {
    socks.push(s);
    const f = new MessageFramer();
    s.on('data', (d) => msgs.push(...f.push(d)));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return { msgs, socks, port, close: () => { socks.forEach((s) => s.destroy()); server.close(); } };
}

const until = async (what: string, f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

function recorder() {
  const log: string[] = [];
  const h: SessionHandler & { negotiated?: Negotiated } = {
    established: (_s, n) => { h.negotiated = n; log.push('established'); },
    update: () => { log.push('update'); return undefined; },
    routeRefresh: (_s, fam) => log.push(`refresh ${fam}`),
    down: (_s, i) => log.push(`down graceful=${i.graceful}`),
  };
  return { h, log };
}

test('hold timer expiry in OpenSent sends NOTIFICATION 4/0 and goes Idle (fake clock)', async () => {
  const peer = await rawPeer();
  const clock = new FakeClock();
  const { h } = recorder();
  const s = new Session({ localAsn: 65000, routerId: '10.0.0.1', peerAddress: '127.0.0.1', peerAsn: 65001, port: peer.port }, h, { clock });
  s.start();
  assert.equal(s.state, 'Connect');
  await until('OPEN sent', () => peer.msgs.length === 1);
  assert.equal(s.state, 'OpenSent');
  assert.equal(peer.msgs[0]!.type, 1);
  const open = decodeOpen(peer.msgs[0]!.body);
  assert.equal(open.holdTime, 90);
  assert.equal(open.capabilities.fourOctetAsn, 65000);
  clock.advance(239_000);
  assert.equal(s.state, 'OpenSent');
  clock.advance(1_000);
  assert.equal(s.state, 'Idle');
  assert.equal(s.stats.lastReason, 'hold timer expired');
  await until('NOTIFICATION received', () => peer.msgs.length === 2);
  assert.deepEqual([peer.msgs[1]!.type, peer.msgs[1]!.body[0], peer.msgs[1]!.body[1]], [3, 4, 0]);
  s.stop();
  peer.close();
});

test('a peer OPEN with the wrong AS gets NOTIFICATION 2/2 with the AS as data', async () => {
  const peer = await rawPeer();
  const clock = new FakeClock();
  const s = new Session({ localAsn: 65000, routerId: '10.0.0.1', peerAddress: '127.0.0.1', peerAsn: 65001, port: peer.port }, recorder().h, { clock });
  s.start();
  await until('OPEN sent', () => peer.msgs.length === 1);
  peer.socks[0]!.write(encodeOpen({ version: 4, asn: 65009, holdTime: 90, routerId: '10.0.0.2', capabilities: { ...emptyCapabilities(), fourOctetAsn: 65009 } }));
  await until('NOTIFICATION', () => peer.msgs.length === 2);
  assert.equal(peer.msgs[1]!.type, 3);
  assert.deepEqual([...peer.msgs[1]!.body], [2, 2, 0xfd, 0xf1]);
  assert.equal(s.state, 'Idle');
  s.stop();
  peer.close();
});

test('OPEN, KEEPALIVE → Established; keepalives on the negotiated timer; hold 0 means no timers', async () => {
  for (const hold of [9, 0]) {
    const peer = await rawPeer();
    const clock = new FakeClock();
    const { h, log } = recorder();
    const s = new Session({ localAsn: 65000, routerId: '10.0.0.1', peerAddress: '127.0.0.1', peerAsn: 65001, port: peer.port, holdTime: hold === 0 ? 0 : 90, families: ['ipv4-unicast', 'ipv6-unicast'] }, h, { clock });
    s.start();
    await until('OPEN sent', () => peer.msgs.length === 1);
    const caps = { ...emptyCapabilities(), fourOctetAsn: 65001, multiprotocol: [{ afi: 1, safi: 1 }], routeRefresh: true };
    peer.socks[0]!.write(encodeOpen({ version: 4, asn: 65001, holdTime: hold, routerId: '10.0.0.2', capabilities: caps }));
    await until('KEEPALIVE', () => peer.msgs.length === 2);
    assert.equal(peer.msgs[1]!.type, 4);
    assert.equal(s.state, 'OpenConfirm');
    peer.socks[0]!.write(encodeKeepalive());
    await until('Established', () => s.state === 'Established');
    assert.deepEqual(log, ['established']);
    assert.deepEqual(h.negotiated!.families, ['ipv4-unicast']);
    assert.equal(h.negotiated!.holdTime, hold);
    clock.advance(3_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(peer.msgs.length, hold === 0 ? 2 : 3, `keepalives with hold ${hold}`);
    clock.advance(hold === 0 ? 600_000 : 7_000); // hold expires at 9 s; the 5 s idle hold restart is not due yet
    if (hold === 0) assert.equal(s.state, 'Established');
    else {
      assert.equal(s.state, 'Idle');
      assert.equal(s.stats.flaps, 1);
      assert.deepEqual(log, ['established', 'down graceful=false']);
    }
    s.stop();
    peer.close();
  }
});

test('two of our sessions peer over loopback, both active: the collision leaves one connection, both Established', async () => {
  const port = 20179 + Math.floor(Math.random() * 1000);
  const la = await TcpListener.listen({ address: '127.0.0.1', port });
  const lb = await TcpListener.listen({ address: '127.0.0.2', port });
  const ra = recorder();
  const rb = recorder();
  const a = new Session({ localAsn: 65000, routerId: '10.0.0.1', peerAddress: '127.0.0.2', peerAsn: 65001, port, localAddress: '127.0.0.1', connectRetryTime: 1 }, ra.h, { clock: new FakeClock() });
  const b = new Session({ localAsn: 65001, routerId: '10.0.0.2', peerAddress: '127.0.0.1', peerAsn: 65000, port, localAddress: '127.0.0.2', connectRetryTime: 1 }, rb.h, { clock: new FakeClock() });
  la.on('connection', (s: net.Socket) => a.incoming(s));
  lb.on('connection', (s: net.Socket) => b.incoming(s));
  a.start();
  b.start();
  await until('both Established', () => a.state === 'Established' && b.state === 'Established');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(a.state, 'Established');
  assert.equal(b.state, 'Established');
  // Router id 10.0.0.2 is higher: the connection B initiated survives (A's local port is 179-side).
  assert.equal(a.connection!.localPort, port);
  assert.equal(b.connection!.remotePort, port);
  b.stop();
  await until('A sees the Cease', () => a.state !== 'Established');
  assert.match(a.stats.lastError ?? '', /cease \/ administrative shutdown \(6\/2\)/);
  a.stop();
  await la.close();
  await lb.close();
});

test('graceful stop sends no NOTIFICATION; the GR-capable peer keeps routes (down graceful=true)', async () => {
  const port = 21179 + Math.floor(Math.random() * 1000);
  const lb = await TcpListener.listen({ address: '127.0.0.2', port });
  const ra = recorder();
  const rb = recorder();
  const gr = { enabled: true, restartTime: 30 };
  const a = new Session({ localAsn: 65000, routerId: '10.0.0.1', peerAddress: '127.0.0.2', peerAsn: 65000, port, localAddress: '127.0.0.1', gracefulRestart: gr }, ra.h, { clock: new FakeClock() });
  const b = new Session({ localAsn: 65000, routerId: '10.0.0.2', peerAddress: '127.0.0.1', peerAsn: 65000, passive: true, gracefulRestart: gr }, rb.h, { clock: new FakeClock() });
  lb.on('connection', (s: net.Socket) => b.incoming(s));
  b.start();
  a.start();
  await until('both Established', () => a.state === 'Established' && b.state === 'Established');
  assert.equal(rb.h.negotiated!.peerGracefulRestart!.restartTime, 30);
  a.stop({ graceful: true });
  await until('B down', () => b.state !== 'Established');
  assert.deepEqual(rb.log, ['established', 'down graceful=true']);
  assert.equal(b.stats.received.notification, 0);
  a.stop();
  b.stop();
  await lb.close();
});

test('FSM connection actions: listen-tcp reaches the handler, Idle refuses a connection, Active takes it (passive)', async () => {
  const clock = new FakeClock();
  const { h } = recorder();
  const listened: string[] = [];
  h.listen = (x) => listened.push(x.peer);
  const s = new Session({ localAsn: 65000, routerId: '10.0.0.1', peerAddress: '127.0.0.1', peerAsn: 65001, passive: true }, h, { clock });
  const server = net.createServer((sock) => s.incoming(sock));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const dial = async () => {
    const c = net.connect(port, '127.0.0.1');
    const f = new MessageFramer();
    const msgs: Array<{ type: number; body: Buffer }> = [];
    let closed = false;
    c.on('data', (d) => msgs.push(...f.push(d)));
    c.on('close', () => (closed = true));
    c.on('error', () => undefined);
    await once(c, 'connect');
    return { c, msgs, closed: () => closed };
  };
  // Not started: Idle, the table's reject-connection closes it without a message.
  const refused = await dial();
  await until('refused connection closed', refused.closed);
  assert.deepEqual(refused.msgs, []);
  assert.equal(s.state, 'Idle');
  assert.deepEqual(listened, []);
  s.start();
  assert.equal(s.state, 'Active');
  assert.deepEqual(listened, ['127.0.0.1']);
  // Active: complete-initialization adopts it and the OPEN goes out on it.
  const taken = await dial();
  await until('OPEN on the accepted connection', () => taken.msgs.length === 1);
  assert.equal(taken.msgs[0]!.type, 1);
  assert.equal(s.state, 'OpenSent');
  assert.equal(s.connection?.remotePort, taken.c.localPort);
  // Once the peer's OPEN arrived on it, a second connection from the peer in the same direction is refused with
  // Cease 6/5 (connection rejected); while it had sent nothing, it could not have blocked the newcomer.
  taken.c.write(encodeOpen({ version: 4, asn: 65001, holdTime: 90, routerId: '10.0.0.2', capabilities: { ...emptyCapabilities(), fourOctetAsn: 65001 } }));
  await until('OpenConfirm', () => s.state === 'OpenConfirm');
  const third = await dial();
  await until('third closed', third.closed);
  assert.deepEqual(third.msgs.map((m) => [m.type, m.body[0], m.body[1]]), [[3, 6, 5]]);
  s.stop();
  taken.c.destroy();
  server.close();
});

/** A TCP connection from `from` that never speaks BGP (or sends `partial`, an incomplete header); records what it gets. */
async function silentSocket(port: number, host: string, from: string, partial?: Buffer) {
  const c = net.connect({ port, host, localAddress: from });
  const f = new MessageFramer();
  const msgs: Array<{ type: number; body: Buffer }> = [];
  let closed = false;
  c.on('data', (d) => msgs.push(...f.push(d)));
  c.on('close', () => (closed = true));
  c.on('error', () => undefined);
  await once(c, 'connect');
  if (partial) c.write(partial);
  return { c, msgs, closed: () => closed };
}

const kinds = (msgs: Array<{ type: number; body: Buffer }>) => msgs.map((m) => (m.type === 3 ? `NOTIFICATION ${m.body[0]}/${m.body[1]}` : m.type === 1 ? 'OPEN' : `type ${m.type}`));

// Issue 18 defect 12: a connection that sends nothing held the session in OpenSent and every real attempt of the
// peer was refused until its 240 s hold timer ran out. The fake clocks never advance: no BGP timer can fire, so
// reaching Established shows the real peer got through without waiting for the hold time.
for (const partial of [undefined, Buffer.alloc(10, 0xff)]) {
  test(`a silent connection in OpenSent (${partial ? 'partial header' : 'no bytes'}) does not block the real peer: both silent ones are dropped, the peer reaches Established`, async () => {
    const port = 22179 + Math.floor(Math.random() * 1000);
    const la = await TcpListener.listen({ address: '127.0.0.1', port });
    const lb = await TcpListener.listen({ address: '127.0.0.2', port });
    const ra = recorder();
    const rb = recorder();
    // A waits for connections; its router id is the higher one, so the ids favour no connection of B's.
    const a = new Session({ localAsn: 65000, routerId: '10.0.0.9', peerAddress: '127.0.0.2', peerAsn: 65001, port, localAddress: '127.0.0.1', passive: true }, ra.h, { clock: new FakeClock() });
    const b = new Session({ localAsn: 65001, routerId: '10.0.0.2', peerAddress: '127.0.0.1', peerAsn: 65000, port, localAddress: '127.0.0.2' }, rb.h, { clock: new FakeClock() });
    la.on('connection', (s: net.Socket) => a.incoming(s));
    lb.on('connection', (s: net.Socket) => b.incoming(s));
    try {
      a.start();
      const first = await silentSocket(port, '127.0.0.1', '127.0.0.2', partial);
      await until('OPEN on the first silent connection', () => first.msgs.length === 1);
      assert.equal(a.state, 'OpenSent');
      // A second silent connection is not refused either: a connection that sent no OPEN cannot be compared.
      const second = await silentSocket(port, '127.0.0.1', '127.0.0.2', partial);
      await until('OPEN on the second silent connection', () => second.msgs.length === 1);
      b.start();
      await until('both Established', () => a.state === 'Established' && b.state === 'Established');
      assert.equal(a.connection!.remotePort, b.connection!.localPort, 'A runs the session on B\'s connection');
      await until('silent connections closed', () => first.closed() && second.closed());
      // The second silent one made room for B's connection; the first lost the collision once B answered.
      assert.deepEqual(kinds(second.msgs), ['OPEN', 'NOTIFICATION 6/7']);
      assert.deepEqual(kinds(first.msgs), ['OPEN', 'NOTIFICATION 6/7']);
      assert.deepEqual(ra.log, ['established']);
      assert.deepEqual(rb.log, ['established']);
      assert.equal(rb.h.negotiated!.holdTime, 90);
    } finally {
      a.stop();
      b.stop();
      await la.close();
      await lb.close();
    }
  });
}

test('our own connection answered by a silent listener does not block the peer\'s connection, although our router id is higher', async () => {
  const port = 23179 + Math.floor(Math.random() * 1000);
  const la = await TcpListener.listen({ address: '127.0.0.1', port });
  // The peer's address first answers with a listener that accepts and says nothing.
  const held: net.Socket[] = [];
  const heldMsgs: Array<{ type: number; body: Buffer }> = [];
  let heldClosed = false;
  const silent = net.createServer((sock) => {
    const f = new MessageFramer();
    sock.on('data', (d) => heldMsgs.push(...f.push(d)));
    sock.on('end', () => (heldClosed = true));
    sock.on('error', () => undefined);
    held.push(sock);
  });
  silent.listen(port, '127.0.0.2');
  await once(silent, 'listening');
  const ra = recorder();
  const rb = recorder();
  const a = new Session({ localAsn: 65000, routerId: '10.0.0.9', peerAddress: '127.0.0.2', peerAsn: 65001, port, localAddress: '127.0.0.1' }, ra.h, { clock: new FakeClock() });
  const b = new Session({ localAsn: 65001, routerId: '10.0.0.2', peerAddress: '127.0.0.1', peerAsn: 65000, port, localAddress: '127.0.0.2', passive: true }, rb.h, { clock: new FakeClock() });
  la.on('connection', (s: net.Socket) => a.incoming(s));
  try {
    a.start();
    await until('A in OpenSent on its silent outgoing connection', () => a.state === 'OpenSent' && held.length === 1);
    // The real peer connects to A: crossed directions, and the ids (10.0.0.9 > 10.0.0.2) favour A's own connection,
    // which has told A nothing; the peer's connection wins once the peer answers A's OPEN on it.
    const bConn = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    bConn.on('error', () => undefined);
    await once(bConn, 'connect');
    b.start();
    b.incoming(bConn);
    await until('both Established', () => a.state === 'Established' && b.state === 'Established');
    assert.equal(a.connection!.localPort, port, 'A runs the session on the connection the peer opened');
    await until('A closed its silent connection', () => heldClosed);
    assert.deepEqual(kinds(heldMsgs), ['OPEN', 'NOTIFICATION 6/7']);
  } finally {
    a.stop();
    b.stop();
    held.forEach((s) => s.destroy());
    silent.close();
    await la.close();
  }
});
