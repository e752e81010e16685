import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.js';
import { BfdSession, type BfdStateChange, type BfdTimers } from './session.js';
import { decodeControl, type ControlPacket } from './packet.js';

/** Two sessions joined by a link that can be cut; every packet each side sent is recorded. */
function pair(ta: BfdTimers, tb: BfdTimers) {
  const clock = new FakeClock();
  const link = { up: true };
  const sent: { a: ControlPacket[]; b: ControlPacket[] } = { a: [], b: [] };
  const changes: { a: BfdStateChange[]; b: BfdStateChange[] } = { a: [], b: [] };
  const deliver = (to: () => BfdSession, log: ControlPacket[]) => (buf: Buffer) => {
    const d = decodeControl(buf);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    log.push(d.packet);
    if (link.up) to().receive(d.packet);
  };
  // No jitter (random() = 1 keeps the full interval), so the fake clock's arithmetic is exact.
  const a: BfdSession = new BfdSession(0x1111, ta, deliver(() => b, sent.a), clock, () => 1);
  const b: BfdSession = new BfdSession(0x2222, tb, deliver(() => a, sent.b), clock, () => 1);
  a.on('state', (c: BfdStateChange) => changes.a.push(c));
  b.on('state', (c: BfdStateChange) => changes.b.push(c));
  return { clock, link, a, b, sent, changes };
}

const fast: BfdTimers = { minTxMs: 100, minRxMs: 100, multiplier: 3 };

test('three-way handshake: both Up, slow 1 s packets before, then a Poll Sequence to the fast interval', () => {
  const { clock, a, b, sent } = pair(fast, fast);
  a.start();
  assert.equal(sent.a[0]!.state, 'Down');
  assert.equal(sent.a[0]!.desiredMinTxUs, 1_000_000, 'not Up: at least 1 s (§6.8.3)');
  assert.equal(sent.a[0]!.yourDiscr, 0);
  b.start();
  clock.advance(10);
  assert.equal(a.sessionState, 'Up');
  assert.equal(b.sessionState, 'Up');
  assert.equal(a.status().remoteDiscr, 0x2222);
  assert.equal(b.status().remoteDiscr, 0x1111);
  // Going Up lowered DesiredMinTx: announced with P, answered with F, then the poll is over.
  assert.ok(sent.a.some((p) => p.state === 'Up' && p.poll && p.desiredMinTxUs === 100_000));
  assert.ok(sent.b.some((p) => p.final && !p.poll));
  clock.advance(1000);
  assert.equal(a.status().pollActive, false);
  assert.equal(a.status().txIntervalMs, 100);
  assert.equal(a.status().detectTimeMs, 300);
  const before = sent.a.length;
  clock.advance(1000);
  assert.equal(sent.a.length - before, 10, 'ten packets a second at 100 ms');
  assert.ok(sent.a.slice(before).every((p) => p.state === 'Up' && !p.poll && !p.final && p.yourDiscr === 0x2222));
});

test('intervals are negotiated: the slower of our transmit and their receive; detection uses their multiplier', () => {
  const { clock, a, b } = pair({ minTxMs: 100, minRxMs: 100, multiplier: 3 }, { minTxMs: 200, minRxMs: 300, multiplier: 5 });
  a.start();
  b.start();
  clock.advance(3000);
  assert.equal(a.sessionState, 'Up');
  assert.equal(a.status().txIntervalMs, 300, 'a sends no faster than b can receive');
  assert.equal(b.status().txIntervalMs, 200);
  assert.equal(a.status().detectTimeMs, 5 * 200, "b's multiplier × max(a's rx, b's tx)");
  assert.equal(b.status().detectTimeMs, 3 * 300, "a's multiplier × max(b's rx, a's tx)");
});

test('link cut: the Detection Time expires, Up → Down with diag 1, the remote discriminator is forgotten', () => {
  const { clock, link, a, b, changes } = pair(fast, fast);
  a.start();
  b.start();
  clock.advance(2000);
  assert.equal(a.sessionState, 'Up');
  link.up = false;
  clock.advance(299);
  assert.equal(a.sessionState, 'Up');
  clock.advance(2);
  assert.equal(a.sessionState, 'Down');
  assert.deepEqual(changes.a.at(-1), { state: 'Down', from: 'Up', diag: 1, cause: 'detect-timeout' });
  assert.equal(a.status().remoteDiscr, 0);
  assert.equal(a.status().txIntervalMs, 1000, 'back to the slow rate while not Up');
  // The link returns: a fresh handshake.
  link.up = true;
  clock.advance(3000);
  assert.equal(a.sessionState, 'Up');
  assert.equal(b.sessionState, 'Up');
});

test('the remote going AdminDown takes us Down with diag 3 and cause neighbor-admin-down (not a path failure)', () => {
  const { clock, a, b, changes } = pair(fast, fast);
  a.start();
  b.start();
  clock.advance(2000);
  b.stop({ adminDown: true });
  assert.equal(b.sessionState, 'AdminDown');
  assert.equal(a.sessionState, 'Down');
  assert.deepEqual(changes.a.at(-1), { state: 'Down', from: 'Up', diag: 3, cause: 'neighbor-admin-down' });
  assert.equal(a.status().remoteDiag, 7);
});

test('the remote signalling Down takes us Down with diag 3 (neighbor-down)', () => {
  const { clock, link, a, b, sent, changes } = pair(fast, fast);
  a.start();
  b.start();
  clock.advance(2000);
  link.up = false; // otherwise the whole exchange (Down, Init, Up) runs again at once
  a.receive({ ...sent.b.at(-1)!, state: 'Down', diag: 1 });
  assert.equal(a.sessionState, 'Down');
  assert.deepEqual(changes.a.at(-1), { state: 'Down', from: 'Up', diag: 3, cause: 'neighbor-down' });
  assert.equal(sent.a.at(-1)!.state, 'Down', 'the change is sent at once');
  assert.equal(sent.a.at(-1)!.diag, 3);
});

test('a Poll is answered at once with Final, whatever the timer', () => {
  const { clock, a, b, sent } = pair(fast, fast);
  a.start();
  b.start();
  clock.advance(2000);
  const n = sent.b.length;
  const p = sent.a.at(-1)!;
  b.receive({ ...p, poll: true });
  assert.equal(sent.b.length, n + 1);
  assert.equal(sent.b.at(-1)!.final, true);
  assert.equal(sent.b.at(-1)!.poll, false);
});

test('a remote Required Min RX of 0 stops our periodic packets', () => {
  const { clock, a, b, sent } = pair(fast, { minTxMs: 100, minRxMs: 0, multiplier: 3 });
  a.start();
  b.start();
  clock.advance(2000);
  const n = sent.a.length;
  clock.advance(2000);
  assert.equal(sent.a.length, n);
  assert.equal(a.status().txIntervalMs, 0);
  assert.equal(b.status().detectTimeMs, 0, 'b asked for nothing, so it detects nothing');
  assert.equal(b.sessionState, 'Up');
});

test('passive role: nothing is sent until the remote has spoken', () => {
  const { clock, a, b, sent } = pair({ ...fast, passive: true }, fast);
  a.start();
  clock.advance(5000);
  assert.equal(sent.a.length, 0);
  b.start();
  clock.advance(3000);
  assert.ok(sent.a.length > 0);
  assert.equal(a.sessionState, 'Up');
});

test('jitter: intervals are 75–100 % of the negotiated one (75–90 % with multiplier 1)', () => {
  for (const [mult, lo, hi] of [[3, 75, 100], [1, 75, 90]] as const) {
    const clock = new FakeClock();
    const times: number[] = [];
    let r = 0;
    const rnd = () => (r = (r + 0.37) % 1);
    const s = new BfdSession(1, { minTxMs: 1000, minRxMs: 1000, multiplier: mult }, () => times.push(clock.now()), clock, rnd);
    s.start();
    clock.advance(60_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(gaps.length > 50);
    assert.ok(gaps.every((g) => g >= lo * 10 - 0.001 && g <= hi * 10 + 0.001), `${mult}: ${Math.min(...gaps)}..${Math.max(...gaps)}`);
  }
});

test('a remote that asks for 1 s while Down and 100 ms once Up (as FRR): our interval follows at once, no timeout', () => {
  const clock = new FakeClock();
  const sent: Array<{ at: number; p: ControlPacket }> = [];
  const s = new BfdSession(0x1111, fast, (b) => {
    const d = decodeControl(b);
    assert.ok(d.ok);
    sent.push({ at: clock.now(), p: d.packet });
  }, clock, () => 1);
  const changes: BfdStateChange[] = [];
  s.on('state', (c: BfdStateChange) => changes.push(c));
  s.start();
  const remote = (state: 'Down' | 'Up', rxUs: number, poll = false): ControlPacket =>
    ({ diag: 0, state, poll, final: false, cpi: false, auth: false, demand: false, multipoint: false, detectMult: 3, myDiscr: 0x9999, yourDiscr: state === 'Down' ? 0 : 0x1111, desiredMinTxUs: state === 'Up' ? 100_000 : 1_000_000, requiredMinRxUs: rxUs, requiredMinEchoRxUs: 0 });
  s.receive(remote('Down', 1_000_000));
  assert.equal(s.sessionState, 'Init');
  assert.equal(s.status().txIntervalMs, 1000);
  clock.advance(500);
  // FRR goes Up still asking for 1 s, then polls with its 100 ms: no state change of ours on that packet.
  s.receive(remote('Up', 1_000_000));
  assert.equal(s.sessionState, 'Up');
  assert.equal(s.status().txIntervalMs, 1000);
  clock.advance(10);
  s.receive(remote('Up', 100_000, true));
  const t0 = clock.now();
  assert.equal(s.status().txIntervalMs, 100);
  clock.advance(1000);
  const gaps = sent.filter((x) => x.at >= t0).map((x) => x.at).map((t, i, a) => (i === 0 ? t - t0 : t - a[i - 1]!));
  assert.ok(gaps.every((g) => g <= 100), `gaps after the remote's 100 ms poll: ${gaps.join(', ')}`);
});

test('AdminDown locally: packets are discarded, AdminDown (diag 7) is sent, AdminUp returns to Down', () => {
  const { clock, a, b, sent } = pair(fast, fast);
  a.start();
  b.start();
  clock.advance(2000);
  a.adminDown();
  assert.equal(a.sessionState, 'AdminDown');
  const n = a.status().received;
  clock.advance(1000);
  assert.equal(a.status().received, n, 'nothing is taken in while AdminDown');
  assert.ok(sent.a.some((p) => p.state === 'AdminDown' && p.diag === 7));
  assert.equal(b.sessionState, 'Down', 'the remote sees AdminDown and goes Down');
  a.adminUp();
  clock.advance(3000);
  assert.equal(a.sessionState, 'Up');
});
