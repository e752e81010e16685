/**
 * A BGP session with one peer: runs the pure FSM (fsm.ts), owns the timers (through a Clock), the TCP
 * connections (transport.ts) and collision detection (RFC 4271 §6.8). Routes are not its business: the handler
 * (the speaker) is told when the session is established, receives each UPDATE body and decides what to do.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { HEADER_LEN, MSG, NOTIF, OPEN_ERR, CEASE, EXTENDED_MAX_MESSAGE_SIZE, familyOf, type Family } from '../wire/constants.js';
import { BgpWireError } from '../wire/errors.js';
import { decodeOpen, encodeOpen, type OpenMessage } from '../wire/open.js';
import { encodeKeepalive } from '../wire/keepalive.js';
import { decodeNotification, describeNotification, encodeNotification } from '../wire/notification.js';
import { decodeRouteRefresh, encodeRouteRefresh } from '../wire/route-refresh.js';
import { afiSafiOf } from '../wire/constants.js';
import { transition, describeEvent, type FsmAction, type FsmEvent, type FsmState, type Notification, type TimerName } from './fsm.js';
import { buildOpen, checkPeerOpen, collisionKeepsOurs, negotiate, DEFAULTS, isIbgp, type Negotiated, type SessionConfig } from './negotiate.js';
import { Connection } from './connection.js';
import { connectTcp, secureAccepted } from './transport.js';
import { realClock, type Clock } from '../../lib/index.js';
import { silentLogger, type Logger } from './log.js';
import { SessionStats } from './stats.js';
import { errorMessage } from '../../errors.js';

export interface UpdateVerdict {
  /** Reset the session with this NOTIFICATION (UPDATE message error). */
  reset?: Notification;
  /** Stop the session with this Cease (max prefixes). */
  cease?: Notification;
}

export interface SessionHandler {
  established(s: Session, n: Negotiated): void;
  update(s: Session, body: Buffer): UpdateVerdict | undefined;
  routeRefresh(s: Session, family: Family, subtype: number): void;
  /** FSM listen-tcp: make the shared listener accept this peer's connections (e.g. its TCP-MD5 key). */
  listen?(s: Session): void;
  /** The session left Established. `graceful`: keep the peer's routes stale for `restartTime` seconds (RFC 4724 helper). */
  down(s: Session, info: { graceful: boolean; restartTime: number; reason: string }): void;
}

export interface SessionOptions {
  clock?: Clock;
  log?: Logger;
  /** We restarted with forwarding preserved: set the R bit in our first OPEN (RFC 4724 restarting speaker). */
  restarting?: boolean;
}

const LARGE_HOLD = 240;
const TIMER_EVENTS: Record<TimerName, FsmEvent['type']> = {
  connectRetry: 'ConnectRetryTimer_Expires',
  hold: 'HoldTimer_Expires',
  keepalive: 'KeepaliveTimer_Expires',
  delayOpen: 'DelayOpenTimer_Expires',
};

export class Session extends EventEmitter {
  cfg: SessionConfig;
  state: FsmState = 'Idle';
  negotiated: Negotiated | undefined;
  readonly stats = new SessionStats();
  private conn: Connection | undefined;
  private second: Connection | undefined;
  private secondTimer: unknown;
  private readonly timers = new Map<TimerName | 'idleHold', unknown>();
  /** Events waiting to be stepped, each with the connection whose arrival raised it (Tcp* events). */
  private readonly queue: Array<{ e: FsmEvent; c?: Connection }> = [];
  private draining = false;
  private stopped = true;
  private connecting: AbortController | undefined;
  private pendingUpdate: Buffer | undefined;
  private ourOpen: OpenMessage | undefined;
  private restarting: boolean;
  private connectRetryCounter = 0;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(cfg: SessionConfig, private readonly handler: SessionHandler, opts: SessionOptions = {}) {
    super();
    this.cfg = cfg;
    this.clock = opts.clock ?? realClock;
    this.restarting = opts.restarting ?? false;
    this.log = (opts.log ?? silentLogger).child({ peer: cfg.peerAddress, asn: cfg.peerAsn });
  }

  get peer(): string {
    return this.cfg.peerAddress;
  }

  get ttl(): number {
    return this.cfg.ttl ?? (isIbgp(this.cfg) ? 64 : 1);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.fire({ type: this.cfg.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
  }

  /**
   * Stops the session. `graceful`: planned restart as RFC 4724 restarting speaker: no NOTIFICATION, the TCP
   * connection is just closed so the peer keeps our routes. `notification`: the Cease to send (default 6/2).
   */
  stop(opts: { graceful?: boolean; notification?: Notification; reason?: string } = {}): void {
    this.stopped = true;
    this.clearTimer('idleHold');
    if (opts.graceful) this.fire(opts.reason ? { type: 'GracefulStop', reason: opts.reason } : { type: 'GracefulStop' });
    else if (opts.notification) this.fire({ type: 'AutomaticStop', notification: opts.notification, reason: opts.reason ?? 'stopped' });
    else this.fire({ type: 'ManualStop' });
  }

  /** The peer's BFD session went Down from Up: the FSM tears the session down (BfdDown). */
  bfdDown(reason = 'BFD down'): void {
    this.fire({ type: 'BfdDown', reason });
  }

  /** An incoming TCP connection from this peer's address (routed here by the speaker's listener). */
  incoming(sock: net.Socket): void {
    this.newConnection(new Connection(sock, false));
  }

  /**
   * Sends UPDATE messages (full messages with header); a Buffer may hold several messages back to back, each
   * counted. Ignored unless Established.
   */
  sendUpdates(msgs: Buffer[]): void {
    if (this.state !== 'Established' || !this.conn) return;
    for (const m of msgs) {
      this.conn.send(m);
      for (let o = 0; o + HEADER_LEN <= m.length; o += Math.max(HEADER_LEN, m.readUInt16BE(o + 16))) this.stats.out(MSG.UPDATE);
    }
  }

  requestRefresh(family: Family): boolean {
    if (this.state !== 'Established' || !this.conn || !this.negotiated?.routeRefresh) return false;
    this.conn.send(encodeRouteRefresh({ ...afiSafiOf(family), subtype: 0 }));
    this.stats.out(MSG.ROUTE_REFRESH);
    return true;
  }

  /** Enhanced route refresh markers around a re-advertisement (RFC 7313). */
  sendRefreshMarker(family: Family, subtype: 1 | 2): void {
    if (this.state !== 'Established' || !this.conn || !this.negotiated?.enhancedRouteRefresh) return;
    this.conn.send(encodeRouteRefresh({ ...afiSafiOf(family), subtype }));
  }

  /** Our writes to the peer are queued above the socket's high-water mark: better hold further UPDATEs back. */
  get sendBacklogged(): boolean {
    return this.conn?.backlogged ?? false;
  }

  get maxMessageSize(): number {
    return this.negotiated?.extendedMessage ? EXTENDED_MAX_MESSAGE_SIZE : 4096;
  }

  get connection(): { localAddress: string; localPort: number; remoteAddress: string; remotePort: number } | undefined {
    return this.conn && { localAddress: this.conn.localAddress, localPort: this.conn.localPort, remoteAddress: this.conn.remoteAddress, remotePort: this.conn.remotePort };
  }

  // ---- FSM driving ------------------------------------------------------------------------------------------

  private fire(e: FsmEvent, c?: Connection): void {
    this.queue.push({ e, c });
    if (this.draining) return;
    this.draining = true;
    try {
      for (let q = this.queue.shift(); q; q = this.queue.shift()) this.step(q.e, q.c);
    } finally {
      this.draining = false;
    }
  }

  private step(e: FsmEvent, c?: Connection): void {
    const from = this.state;
    const t = transition(from, e, { delayOpen: (this.cfg.delayOpenTime ?? 0) > 0, delayOpenRunning: this.timers.has('delayOpen'), passive: this.cfg.passive });
    this.state = t.next;
    for (const a of t.actions) this.run(a, e, c);
    if (from !== t.next) this.setState(t.next, t.reason, from);
    else this.log.debug('FSM event', { state: from, event: e.type });
    if (t.next === 'Idle' && from !== 'Idle' && !this.stopped) this.scheduleRestart();
  }

  private setState(next: FsmState, reason: string, from: FsmState): void {
    this.state = next;
    this.stats.stateChanged(next, reason, this.clock.now());
    if (from === 'Established') this.stats.flaps++;
    const level = next === 'Established' || from === 'Established' ? 'info' : 'debug';
    this.log[level](next === 'Established' ? 'Peer Up' : from === 'Established' ? 'Peer Down' : 'FSM state change', { state: next, from, reason });
    this.emit('state', next, from, reason);
  }

  private scheduleRestart(): void {
    this.clearTimer('idleHold');
    const secs = this.cfg.idleHoldTime ?? DEFAULTS.idleHoldTime;
    this.timers.set('idleHold', this.clock.setTimeout(() => {
      this.timers.delete('idleHold');
      if (!this.stopped && this.state === 'Idle') this.fire({ type: 'IdleHoldTimer_Expires' });
    }, secs * 1000));
  }

  private run(a: FsmAction, e: FsmEvent, c: Connection | undefined): void {
    switch (a.do) {
      case 'initialize-resources':
        this.ourOpen = buildOpen(this.cfg, { restarting: this.restarting });
        return;
      case 'release-resources':
        this.pendingUpdate = undefined;
        return;
      case 'connect-tcp':
        return this.connect();
      case 'listen-tcp':
        return this.handler.listen?.(this);
      case 'drop-tcp':
        return this.dropAll();
      case 'send-open':
        if (this.conn) this.sendOpen(this.conn);
        return;
      case 'send-keepalive':
        this.conn?.send(encodeKeepalive());
        this.stats.out(MSG.KEEPALIVE);
        return;
      case 'send-notification':
        this.stats.lastError = `sent ${describeNotification(a.notification.code, a.notification.subcode)}`;
        this.stats.out(MSG.NOTIFICATION);
        this.log.info('NOTIFICATION sent', { state: this.state, code: a.notification.code, subcode: a.notification.subcode, data: a.notification.data });
        this.conn?.send(encodeNotification(a.notification));
        return;
      case 'start-timer':
        return this.startTimer(a.timer, a.large ?? false);
      case 'stop-timer':
        return this.clearTimer(a.timer);
      case 'reset-connect-retry-counter':
        this.connectRetryCounter = 0;
        return;
      case 'increment-connect-retry-counter':
        this.connectRetryCounter++;
        return;
      case 'complete-initialization':
        this.ourOpen ??= buildOpen(this.cfg, { restarting: this.restarting });
        if (c && c !== this.conn) this.takeConnection(c);
        return;
      case 'session-established':
        this.restarting = false;
        this.stats.establishedAt = this.clock.now();
        if (this.negotiated) this.handler.established(this, this.negotiated);
        return;
      case 'process-update':
        return this.processUpdate();
      case 'delete-routes':
        return this.routesDown(e);
      case 'accept-second-connection':
        if (c && c !== this.conn) this.takeConnection(c);
        return;
      case 'reject-connection':
        if (c) {
          this.log.debug('connection refused', { state: this.state, remote: c.remoteAddress });
          c.close();
        }
        return;
    }
  }

  private startTimer(t: TimerName, large: boolean): void {
    this.clearTimer(t);
    let secs: number;
    if (t === 'connectRetry') secs = this.cfg.connectRetryTime ?? DEFAULTS.connectRetryTime;
    else if (t === 'delayOpen') secs = this.cfg.delayOpenTime ?? 0;
    else if (t === 'hold') secs = large ? LARGE_HOLD : this.negotiated?.holdTime ?? LARGE_HOLD;
    else secs = this.negotiated?.keepaliveTime ?? 0;
    if (secs <= 0) return; // hold time 0: no hold and no keepalive timer
    this.timers.set(t, this.clock.setTimeout(() => {
      this.timers.delete(t);
      this.fire({ type: TIMER_EVENTS[t] } as FsmEvent);
    }, secs * 1000));
  }

  private clearTimer(t: TimerName | 'idleHold'): void {
    const h = this.timers.get(t);
    if (h !== undefined) this.clock.clearTimeout(h);
    this.timers.delete(t);
  }

  private routesDown(e: FsmEvent): void {
    const gr = this.negotiated?.peerGracefulRestart;
    // RFC 4724 §4.2: keep the routes only when the TCP session ended without a NOTIFICATION.
    const graceful = !!gr && gr.restartTime > 0 && gr.families.length > 0 && e.type === 'TcpConnectionFails';
    this.handler.down(this, { graceful, restartTime: gr?.restartTime ?? 0, reason: describeEvent(e) });
  }

  // ---- connections ------------------------------------------------------------------------------------------

  private connect(): void {
    if (this.cfg.passive || this.connecting) return;
    const ac = new AbortController();
    this.connecting = ac;
    const retry = this.cfg.connectRetryTime ?? DEFAULTS.connectRetryTime;
    connectTcp({
      host: this.cfg.peerAddress,
      port: this.cfg.port ?? DEFAULTS.port,
      localAddress: this.cfg.localAddress,
      password: this.cfg.password,
      ttl: this.ttl,
      minTtl: this.cfg.minTtl,
      timeoutMs: retry * 1000 + 1000,
      signal: ac.signal,
    }).then(
      (sock) => {
        if (this.connecting === ac) this.connecting = undefined;
        if (ac.signal.aborted || this.stopped) {
          sock.destroy();
          return;
        }
        this.newConnection(new Connection(sock, true));
      },
      (err: Error) => {
        if (this.connecting === ac) this.connecting = undefined;
        if (ac.signal.aborted || this.stopped) return;
        this.log.debug('connect failed', { state: this.state, reason: err.message });
        this.stats.lastError = `connect: ${err.message}`;
        if (!this.conn) this.fire({ type: 'TcpConnectionFails', reason: err.message });
      },
    );
  }

  /**
   * A TCP connection with the peer is up (ours or theirs). The FSM table decides what happens to it: in Idle it
   * is refused; in Connect/Active it becomes the session's connection (complete-initialization); later it is
   * kept as the second connection for collision detection (accept-second-connection), see takeConnection.
   */
  private newConnection(c: Connection): void {
    this.fire({ type: c.outgoing ? 'Tcp_CR_Acked' : this.conn ? 'TcpConnection_Valid' : 'TcpConnectionConfirmed' }, c);
  }

  /**
   * The session's connection if it has none; else the second one (RFC 4271 §6.8). A newcomer is refused (Cease 6/5)
   * only when something we hold is better: a second connection whose OPEN arrived, or a primary in the same direction
   * whose OPEN arrived. A connection that has received no OPEN cannot be compared (§6.8), so it never blocks the
   * peer: a silent second is replaced by the newcomer, and a silent primary is kept alongside until one wins.
   */
  private takeConnection(c: Connection): void {
    if (!this.conn) {
      this.connecting?.abort();
      this.connecting = undefined;
      this.conn = c;
      this.applyTtl(c);
      this.wireUp(c);
      return;
    }
    const rejectedBy = this.second?.peerOpen ? 'a second connection already sent its OPEN' : this.conn.outgoing === c.outgoing && this.conn.peerOpen ? 'the connection in the same direction already sent its OPEN' : undefined;
    if (rejectedBy) {
      this.log.debug('connection refused', { state: this.state, remote: c.remoteAddress, reason: rejectedBy });
      c.close(encodeNotification({ code: NOTIF.CEASE, subcode: CEASE.CONNECTION_REJECTED }));
      return;
    }
    if (this.second) {
      this.log.debug('silent second connection replaced by a new one', { state: this.state });
      this.dropSecond(this.second, { code: NOTIF.CEASE, subcode: CEASE.CONNECTION_COLLISION_RESOLUTION });
    }
    // A second connection from the same peer: run its OPEN exchange, then resolve the collision.
    this.second = c;
    this.applyTtl(c);
    this.wireUp(c);
    this.sendOpen(c);
    this.secondTimer = this.clock.setTimeout(() => this.dropSecond(c, { code: NOTIF.HOLD_TIMER_EXPIRED, subcode: 0 }), LARGE_HOLD * 1000);
  }

  private wireUp(c: Connection): void {
    c.attach({
      message: (type, body) => (this.conn === c ? this.onMessage(type, body) : this.onSecondMessage(c, type, body)),
      framingError: (err) => (this.conn === c ? this.fire({ type: 'BGPHeaderErr', notification: err.notification }) : this.dropSecond(c, err.notification)),
      closed: (reason) => {
        if (this.conn === c && this.promoteSecond(`primary connection closed: ${reason}`)) return;
        if (this.conn === c) {
          this.conn = undefined;
          this.fire({ type: 'TcpConnectionFails', reason });
        } else if (this.second === c) this.dropSecond(c);
      },
    });
  }

  private applyTtl(c: Connection): void {
    if (c.outgoing) return;
    try {
      secureAccepted(c.socket, { ttl: this.ttl, minTtl: this.cfg.minTtl });
    } catch (err) {
      this.log.warn('cannot set TTL on accepted connection', { state: this.state, reason: errorMessage(err) });
    }
  }

  private sendOpen(c: Connection): void {
    this.ourOpen ??= buildOpen(this.cfg, { restarting: this.restarting });
    c.send(encodeOpen(this.ourOpen));
    c.openSent = true;
    this.stats.out(MSG.OPEN);
  }

  private dropSecond(c: Connection, n?: Notification): void {
    if (this.second !== c) return;
    this.second = undefined;
    this.clock.clearTimeout(this.secondTimer);
    c.close(n ? encodeNotification(n) : undefined);
  }

  private dropAll(): void {
    this.connecting?.abort();
    this.connecting = undefined;
    const c = this.conn;
    this.conn = undefined;
    c?.close();
    if (this.second) this.dropSecond(this.second, { code: NOTIF.CEASE, subcode: CEASE.CONNECTION_COLLISION_RESOLUTION });
  }

  // ---- messages ---------------------------------------------------------------------------------------------

  private decodePeerOpen(body: Buffer): { open?: OpenMessage; error?: Notification } {
    try {
      const open = decodeOpen(body);
      const bad = checkPeerOpen(this.cfg, open);
      return bad ? { error: bad } : { open };
    } catch (err) {
      if (err instanceof BgpWireError) return { error: err.notification };
      throw err;
    }
  }

  private onMessage(type: number, body: Buffer): void {
    this.stats.in(type);
    switch (type) {
      case MSG.OPEN: {
        const { open, error } = this.decodePeerOpen(body);
        if (!open) return this.fire({ type: 'BGPOpenMsgErr', notification: error! });
        this.conn!.peerOpen = open;
        if (this.second?.peerOpen && this.resolveCollision(open)) return;
        return this.acceptOpen(open);
      }
      case MSG.KEEPALIVE:
        return this.fire({ type: 'KeepAliveMsg' });
      case MSG.UPDATE:
        this.pendingUpdate = body;
        return this.fire({ type: 'UpdateMsg' });
      case MSG.NOTIFICATION: {
        const n = body.length >= 2 ? decodeNotification(body) : { code: 0, subcode: 0, data: Buffer.alloc(0) };
        this.stats.lastError = `received ${describeNotification(n.code, n.subcode)}`;
        this.log.info('NOTIFICATION received', { state: this.state, code: n.code, subcode: n.subcode, data: n.data });
        if (n.code !== NOTIF.OPEN_MESSAGE_ERROR && this.promoteSecond(`NOTIFICATION ${n.code}/${n.subcode} on the primary connection`)) return;
        const ver = n.code === NOTIF.OPEN_MESSAGE_ERROR && n.subcode === OPEN_ERR.UNSUPPORTED_VERSION_NUMBER;
        return this.fire({ type: ver ? 'NotifMsgVerErr' : 'NotifMsg', notification: n });
      }
      case MSG.ROUTE_REFRESH:
        return this.onRouteRefresh(body);
    }
  }

  private acceptOpen(open: OpenMessage): void {
    this.negotiated = negotiate(this.cfg, this.ourOpen ?? buildOpen(this.cfg), open);
    if (this.negotiated.extendedMessage) this.conn!.framer.setMaxMessageSize(EXTENDED_MAX_MESSAGE_SIZE);
    this.fire({ type: this.timers.has('delayOpen') ? 'BGPOpen_with_DelayOpenTimer_running' : 'BGPOpen' });
  }

  private onRouteRefresh(body: Buffer): void {
    if (this.state !== 'Established') return this.fire({ type: 'UpdateMsg' }); // unexpected here: FSM error
    let rr: { afi: number; safi: number; subtype: number };
    try {
      rr = decodeRouteRefresh(body);
    } catch (err) {
      if (err instanceof BgpWireError) return this.fire({ type: 'AutomaticStop', notification: err.notification, reason: 'malformed ROUTE-REFRESH' });
      throw err;
    }
    this.startTimer('hold', false);
    const fam = familyOf(rr.afi, rr.safi);
    if (!fam || !this.negotiated?.families.includes(fam) || rr.subtype > 2) return; // RFC 2918/7313: ignore
    this.handler.routeRefresh(this, fam, rr.subtype);
  }

  private processUpdate(): void {
    const body = this.pendingUpdate;
    this.pendingUpdate = undefined;
    if (!body) return;
    const v = this.handler.update(this, body);
    if (v?.reset) this.fire({ type: 'UpdateMsgErr', notification: v.reset });
    else if (v?.cease) this.fire({ type: 'AutomaticStop', notification: v.cease, reason: 'maximum prefixes reached' });
  }

  private onSecondMessage(c: Connection, type: number, body: Buffer): void {
    if (type !== MSG.OPEN) {
      if (type !== MSG.KEEPALIVE || !c.peerOpen) return this.dropSecond(c);
      c.keepaliveSeen = true; // replayed if this connection wins
      // The peer took our OPEN on this connection while the primary has still told us nothing: this is the
      // peer's live connection, the primary a stale or silent one that cannot be compared (RFC 4271 §6.8).
      if (!this.conn?.peerOpen && (this.state === 'OpenSent' || this.state === 'OpenConfirm')) {
        this.swapToSecond(c, 'connection collision: the peer answered on its new connection, the old one sent no OPEN', { code: NOTIF.CEASE, subcode: CEASE.CONNECTION_COLLISION_RESOLUTION });
      }
      return;
    }
    const { open, error } = this.decodePeerOpen(body);
    if (!open) return this.dropSecond(c, error);
    c.peerOpen = open;
    if (this.state === 'Established') return this.secondInEstablished(c, open);
    if (this.state === 'OpenConfirm' || this.state === 'OpenSent') this.resolveCollision(open);
  }

  /**
   * RFC 4271 §6.8, once the second connection's OPEN is in. Returns true when the primary connection was replaced
   * by the second one. Between connections in opposite directions the BGP Identifiers decide; two connections the
   * peer opened are not a collision the Identifiers can settle, and the older one, further along, is kept. While
   * the primary has received no OPEN it cannot be compared: unless the Identifiers favour the second anyway, both
   * are kept until the primary's OPEN arrives or the peer answers on the second (onSecondMessage).
   */
  private resolveCollision(open: OpenMessage): boolean {
    const second = this.second;
    const primary = this.conn;
    if (!second?.peerOpen || !primary) return false;
    const crossed = primary.outgoing !== second.outgoing;
    const keepOutgoing = collisionKeepsOurs(this.cfg.routerId, open.routerId);
    const why = crossed ? `connection collision: kept the connection initiated by ${keepOutgoing ? 'us' : 'the peer'}` : 'connection collision: kept the older of two connections from the peer';
    if (crossed && second.outgoing === keepOutgoing) {
      this.swapToSecond(second, why, { code: NOTIF.CEASE, subcode: CEASE.CONNECTION_COLLISION_RESOLUTION });
      return true;
    }
    if (!primary.peerOpen) {
      this.log.debug('collision undecided: the primary connection has sent no OPEN, both kept', { state: this.state });
      return false;
    }
    this.log.debug('collision resolved', { state: this.state, reason: why });
    this.dropSecond(second, { code: NOTIF.CEASE, subcode: CEASE.CONNECTION_COLLISION_RESOLUTION });
    return false;
  }

  /** RFC 4724 §4.2: a new OPEN while Established means the peer restarted; otherwise reject the newcomer. */
  private secondInEstablished(c: Connection, open: OpenMessage): void {
    if (!open.capabilities.gracefulRestart) {
      return this.dropSecond(c, { code: NOTIF.CEASE, subcode: CEASE.CONNECTION_COLLISION_RESOLUTION });
    }
    const gr = this.negotiated?.peerGracefulRestart;
    this.handler.down(this, { graceful: !!gr && gr.restartTime > 0, restartTime: gr?.restartTime ?? 0, reason: 'peer restarted (new OPEN while Established)' });
    this.swapToSecond(c, 'peer restarted (new OPEN while Established)');
  }

  /**
   * The primary connection died before Established while the peer's other connection is still being opened
   * (it resolved the collision its way): carry on with that one instead of dropping both.
   */
  private promoteSecond(why: string): boolean {
    const c = this.second;
    if (!c || !c.alive || (this.state !== 'OpenSent' && this.state !== 'OpenConfirm')) return false;
    this.swapToSecond(c, why);
    return true;
  }

  private swapToSecond(c: Connection, why: string, notify?: Notification): void {
    const old = this.conn;
    const from = this.state;
    this.clock.clearTimeout(this.secondTimer);
    this.second = undefined;
    this.conn = c;
    old?.close(notify ? encodeNotification(notify) : undefined);
    // Stepped now, not queued: the OPEN replayed below must meet OpenSent.
    this.step({ type: 'ConnectionSwitch', reason: why });
    if (from === 'OpenSent') this.log.debug('switched connection', { state: this.state, reason: why });
    if (c.peerOpen) {
      this.acceptOpen(c.peerOpen);
      if (c.keepaliveSeen && this.conn === c) this.fire({ type: 'KeepAliveMsg' });
    }
  }
}

export type { SessionConfig, Negotiated } from './negotiate.js';
