/**
 * One BFD session in asynchronous mode (RFC 5880): the state variables of §6.8.1, reception (§6.8.6) of packets
 * the demultiplexer already matched to it, transmission (§6.8.7) with jitter, the negotiated intervals (§6.8.2),
 * the Detection Time (§6.8.4), the 1 s transmit interval while not Up (§6.8.3) and the Poll Sequence that
 * announces a changed interval (§6.5). Packets go out through `send`; time comes from a clock (tests use a fake).
 * Not implemented: Demand mode on our side, the Echo function, authentication.
 */
import { EventEmitter } from 'node:events';
import { controlPacket, encodeControl, type BfdState, type ControlPacket } from './packet.js';
import { bfdTransition, type BfdCause, type BfdEvent } from './fsm.js';
import { realClock, type Clock } from '../lib/index.js';

/** The clock BFD timers run on (lib's Clock; tests use its FakeClock). */
export type BfdClock = Clock;

export interface BfdTimers {
  /** bfd.DesiredMinTxInterval once Up, milliseconds. */
  minTxMs: number;
  /** bfd.RequiredMinRxInterval, milliseconds. */
  minRxMs: number;
  /** bfd.DetectMult. */
  multiplier: number;
  /** Passive role (§6.1): send nothing until the remote has spoken. */
  passive?: boolean;
}

/** §6.8.3: while not Up, transmit no faster than once a second. */
export const SLOW_TX_US = 1_000_000;

export interface BfdSessionStatus {
  state: BfdState;
  remoteState: BfdState;
  localDiscr: number;
  remoteDiscr: number;
  /** Our diagnostic (reason of the last state change) and the remote's last one. */
  diag: number;
  remoteDiag: number;
  /** Negotiated transmit interval and the Detection Time, milliseconds (0: not sending / not detecting). */
  txIntervalMs: number;
  detectTimeMs: number;
  multiplier: number;
  remoteMultiplier: number;
  /** When the state last changed (clock ms). */
  since: number;
  cause: BfdCause;
  pollActive: boolean;
  received: number;
  sent: number;
}

export interface BfdStateChange {
  state: BfdState;
  from: BfdState;
  diag: number;
  cause: BfdCause;
}

export class BfdSession extends EventEmitter {
  // §6.8.1 state variables (intervals in microseconds, as on the wire).
  private state: BfdState = 'Down';
  private remoteState: BfdState = 'Down';
  private remoteDiscr = 0;
  private localDiag = 0;
  private remoteDiag = 0;
  private desiredMinTxUs: number;
  private requiredMinRxUs: number;
  private remoteMinRxUs = 1;
  private remoteDesiredMinTxUs = 0;
  private remoteDemand = false;
  private remoteDetectMult = 0;
  /** A Poll Sequence is running: our periodic packets carry P until the remote answers with F. */
  private pollActive = false;
  private since: number;
  private cause: BfdCause = 'none';
  private txTimer: unknown;
  private detectTimer: unknown;
  private running = false;
  private received = 0;
  private sent = 0;

  constructor(
    readonly localDiscr: number,
    private readonly timers: BfdTimers,
    private readonly send: (b: Buffer) => void,
    private readonly clock: BfdClock = realClock,
    private readonly random: () => number = Math.random,
  ) {
    super();
    this.requiredMinRxUs = timers.minRxMs * 1000;
    this.desiredMinTxUs = Math.max(timers.minTxMs * 1000, SLOW_TX_US);
    this.since = clock.now();
  }

  get sessionState(): BfdState {
    return this.state;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleTx(true);
  }

  /** Stops all timers; with `adminDown`, first tells the remote (state AdminDown, diag 7) so it does not see a failure. */
  stop(opts: { adminDown?: boolean } = {}): void {
    if (opts.adminDown && this.running) {
      this.step({ type: 'AdminDown' });
      this.transmit(false);
    }
    this.running = false;
    this.clock.clearTimeout(this.txTimer);
    this.clock.clearTimeout(this.detectTimer);
    this.txTimer = this.detectTimer = undefined;
  }

  adminDown(): void {
    this.step({ type: 'AdminDown' });
  }

  adminUp(): void {
    this.step({ type: 'AdminUp' });
  }

  /** A packet the demultiplexer matched to this session (it passed decodeControl's checks). */
  receive(p: ControlPacket): void {
    // §6.8.6: while AdminDown every packet is discarded.
    if (!this.running || this.state === 'AdminDown') return;
    this.received++;
    this.remoteDiscr = p.myDiscr;
    this.remoteState = p.state;
    this.remoteDiag = p.diag;
    this.remoteDemand = p.demand;
    this.remoteDetectMult = p.detectMult;
    const txBefore = this.txIntervalUs();
    this.remoteMinRxUs = p.requiredMinRxUs;
    this.remoteDesiredMinTxUs = p.desiredMinTxUs;
    if (p.final) this.pollActive = false;
    this.step({ type: 'Recv', remote: p.state });
    // §6.8.7: answer a Poll at once, whatever the timers say.
    if (p.poll) this.transmit(true);
    this.armDetect();
    // The remote's Required Min RX changed the interval: re-arm from now. A remote that asked for 1 s while Down and
    // polls with 100 ms once Up (FRR) times us out after 3 × 100 ms if we sit out the old 1 s timer.
    if (this.running && this.txIntervalUs() !== txBefore) this.scheduleTx(false);
  }

  status(): BfdSessionStatus {
    return {
      state: this.state,
      remoteState: this.remoteState,
      localDiscr: this.localDiscr,
      remoteDiscr: this.remoteDiscr,
      diag: this.localDiag,
      remoteDiag: this.remoteDiag,
      txIntervalMs: this.txIntervalUs() / 1000,
      detectTimeMs: this.detectTimeUs() / 1000,
      multiplier: this.timers.multiplier,
      remoteMultiplier: this.remoteDetectMult,
      since: this.since,
      cause: this.cause,
      pollActive: this.pollActive,
      received: this.received,
      sent: this.sent,
    };
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private step(e: BfdEvent): void {
    const from = this.state;
    const t = bfdTransition(from, e);
    if (t.diag !== undefined) this.localDiag = t.diag;
    if (t.next === from) return;
    this.state = t.next;
    this.since = this.clock.now();
    this.cause = t.cause;
    const before = this.desiredMinTxUs;
    // §6.8.3: at least 1 s while not Up; the configured interval once Up.
    this.desiredMinTxUs = t.next === 'Up' ? this.timers.minTxMs * 1000 : Math.max(this.timers.minTxMs * 1000, SLOW_TX_US);
    // §6.8.3: a changed interval is announced with a Poll Sequence (a faster one applies at once, which is allowed).
    if (this.desiredMinTxUs !== before && t.next === 'Up') this.pollActive = true;
    if (t.next !== 'Up') this.pollActive = false;
    if (t.next === 'Down' && from !== 'Down') this.remoteDemand = false;
    const change: BfdStateChange = { state: t.next, from, diag: this.localDiag, cause: t.cause };
    this.emit('state', change);
    // Tell the remote about the change now rather than a (slow) interval later.
    if (this.running && t.next !== 'AdminDown') this.scheduleTx(true);
  }

  /** §6.8.2: the larger of our DesiredMinTx and the remote's RequiredMinRx; 0 = do not send periodically. */
  private txIntervalUs(): number {
    if (this.remoteMinRxUs === 0) return 0;
    return Math.max(this.desiredMinTxUs, this.remoteMinRxUs);
  }

  /** §6.8.4 (asynchronous mode): the remote's DetectMult × max(our RequiredMinRx, its DesiredMinTx). */
  private detectTimeUs(): number {
    // Required Min RX 0: we asked for no periodic packets, so their absence proves nothing.
    if (this.remoteDetectMult === 0 || this.requiredMinRxUs === 0) return 0;
    return this.remoteDetectMult * Math.max(this.requiredMinRxUs, this.remoteDesiredMinTxUs);
  }

  private armDetect(): void {
    this.clock.clearTimeout(this.detectTimer);
    const us = this.detectTimeUs();
    this.detectTimer = us > 0 ? this.clock.setTimeout(() => this.onDetectTimeout(), us / 1000) : undefined;
  }

  private onDetectTimeout(): void {
    this.detectTimer = undefined;
    if (!this.running) return;
    // §6.8.1: no valid packet for a Detection Time forgets the remote discriminator.
    this.remoteDiscr = 0;
    this.remoteMinRxUs = 1;
    this.remoteDemand = false;
    this.step({ type: 'DetectTimeout' });
  }

  /** Sends one packet now (unless `now` is false) and arms the next periodic one. */
  private scheduleTx(now: boolean): void {
    this.clock.clearTimeout(this.txTimer);
    this.txTimer = undefined;
    if (!this.running) return;
    if (now) this.transmit(false);
    // Sending may have re-entered us (the remote answered at once) and armed a timer: keep one only.
    this.clock.clearTimeout(this.txTimer);
    this.txTimer = undefined;
    if (!this.running) return;
    const us = this.txIntervalUs();
    if (us === 0) return;
    // §6.8.7: reduce each interval by a random 0–25 % (10–25 % when DetectMult is 1).
    const max = this.timers.multiplier === 1 ? 0.9 : 1;
    const ms = (us / 1000) * (0.75 + this.random() * (max - 0.75));
    this.txTimer = this.clock.setTimeout(() => {
      this.txTimer = undefined;
      this.scheduleTx(true);
    }, ms);
  }

  private mayTransmit(final: boolean): boolean {
    if (final) return true; // §6.8.7: a Final is sent whatever the state or mode
    if (this.timers.passive && this.remoteDiscr === 0) return false;
    // Demand mode active on the remote: no periodic packets unless we are polling.
    if (this.remoteDemand && this.state === 'Up' && this.remoteState === 'Up' && !this.pollActive) return false;
    return true;
  }

  private transmit(final: boolean): void {
    if (!this.mayTransmit(final)) return;
    const p = controlPacket({
      diag: this.localDiag,
      state: this.state,
      poll: !final && this.pollActive,
      final,
      detectMult: this.timers.multiplier,
      myDiscr: this.localDiscr,
      yourDiscr: this.remoteDiscr,
      desiredMinTxUs: this.desiredMinTxUs,
      requiredMinRxUs: this.requiredMinRxUs,
    });
    this.sent++;
    this.send(encodeControl(p));
  }
}
