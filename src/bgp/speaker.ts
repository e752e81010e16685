/**
 * BgpSpeaker: ties sessions to the RIB. One listener hands incoming connections to the neighbor with that
 * address; each Established session registers with the RIB, receives the initial table (plus End-of-RIB) and
 * then whatever `takeUpdates` returns when the RIB reports changes. Graceful restart helper: on a graceful
 * session loss the peer's routes stay (stale) until End-of-RIB or the restart/stale-path timer sweeps them.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { CEASE, NOTIF, type Family } from './wire/constants.js';
import { Session, type SessionHandler } from './session/session.js';
import { TcpListener, plainAddress } from './session/transport.js';
import { neighborKey, normalizeNeighborKey } from './neighbor-key.js';
import { interfaceOf, linkGlobal6 } from './session/link-address.js';
import { isIbgp, type Negotiated } from './session/negotiate.js';
import { realClock, type Clock } from '../lib/index.js';
import { silentLogger, type Logger } from './session/log.js';
import { LogBudget } from './session/log-budget.js';
import type { NeighborConfig, NeighborStatus, OriginateAttrs, RibApi, SpeakerConfig } from './speaker-types.js';

/** UPDATEs are handed to the socket in Buffers of about this size, many messages each (see Rib.takeUpdates). */
const COALESCE_BYTES = 64 * 1024;
/** How often a flush held back by a full socket queue looks again. */
const BACKLOG_POLL_MS = 5;
/**
 * Change-log rows one flush turns into UPDATEs: when a peer fell behind a full-table burst, the rest waits in the
 * log (4 bytes a row) for the next flush, after the socket drained, instead of a whole table's scratch arrays and
 * encoded UPDATEs at once (the agent's peak RSS on a 1M-prefix receive).
 */
const FLUSH_ROWS = 128 * 1024;

interface Neighbor {
  /** neighborKey(address, port): the map key and the name in events. */
  key: string;
  cfg: NeighborConfig;
  session: Session;
  ribPeer?: number;
  ribKey?: string;
  /** Families whose routes are stale after a graceful session loss. */
  stale: Set<Family>;
  staleTimer?: unknown;
  flushQueued: boolean;
  /** Malformed-UPDATE log lines from this peer, rate limited. */
  updateErrorLog: LogBudget;
}

/** The neighbor with its address in the form connections report (see plainAddress); the same object if already so. */
function canonical(c: NeighborConfig): NeighborConfig {
  const a = plainAddress(c.peerAddress);
  return a === c.peerAddress ? c : { ...c, peerAddress: a };
}

export interface SpeakerOptions {
  rib: RibApi;
  log?: Logger;
  clock?: Clock;
  /** We restarted gracefully: announce the R bit (RFC 4724 restarting speaker). */
  restarting?: boolean;
}

export class BgpSpeaker extends EventEmitter {
  readonly rib: RibApi;
  private readonly neighbors = new Map<string, Neighbor>();
  private readonly bySession = new Map<Session, Neighbor>();
  private listener: TcpListener | undefined;
  private readonly log: Logger;
  private readonly clock: Clock;
  private running = false;
  updatesIn = 0;

  constructor(
    readonly cfg: SpeakerConfig,
    private readonly opts: SpeakerOptions,
  ) {
    super();
    this.rib = opts.rib;
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? realClock;
    this.rib.on('dirty', (peers) => peers.forEach((p) => this.queueFlush(p)));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const l = this.cfg.listen;
    if (l && l.port !== 0) {
      this.listener = await TcpListener.listen({ address: l.address, port: l.port });
      this.listener.on('connection', (s: net.Socket) => this.onIncoming(s));
      this.listener.on('error', (e: Error) => this.log.error('listener error', { reason: e.message }));
      this.log.info('listening', { address: l.address, port: this.listener.address().port });
    }
    for (const n of this.cfg.neighbors) this.addNeighbor(n);
  }

  /** Stops every session. `graceful`: planned restart, no Cease (peers keep our routes, RFC 4724). */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    this.running = false;
    for (const n of this.neighbors.values()) {
      n.session.stop({ graceful: opts.graceful });
      if (n.staleTimer !== undefined) this.clock.clearTimeout(n.staleTimer);
    }
    await this.listener?.close();
    this.listener = undefined;
  }

  get listenPort(): number | undefined {
    return this.listener?.address().port;
  }

  addNeighbor(given: NeighborConfig): void {
    const c = canonical(given);
    const key = neighborKey(c.peerAddress, c.port);
    if (this.neighbors.has(key)) throw new Error(`neighbor ${key} exists`);
    const session = new Session({ ...c, localAsn: c.localAsn ?? this.cfg.asn, routerId: this.cfg.routerId }, this.handler, {
      clock: this.clock,
      log: this.log,
      restarting: this.opts.restarting,
    });
    const n: Neighbor = { key, cfg: c, session, stale: new Set(), flushQueued: false, updateErrorLog: new LogBudget() };
    this.neighbors.set(key, n);
    this.bySession.set(session, n);
    session.on('state', (state: string, from: string, reason: string) => this.emit('state', key, state, from, reason));
    // The listener learns the peer's TCP-MD5 key when the session's FSM says listen-tcp (handler.listen).
    const i = this.cfg.neighbors.indexOf(given);
    if (i >= 0) this.cfg.neighbors[i] = c;
    else if (!this.cfg.neighbors.includes(c)) this.cfg.neighbors.push(c);
    if (this.running) session.start();
  }

  /** Removes a neighbor: Cease 6/3 (peer de-configured), its routes withdrawn. */
  removeNeighbor(given: string): boolean {
    const n = this.find(given);
    if (!n) return false;
    n.session.stop({ notification: { code: NOTIF.CEASE, subcode: CEASE.PEER_DECONFIGURED }, reason: 'neighbor removed' });
    if (n.staleTimer !== undefined) this.clock.clearTimeout(n.staleTimer);
    if (n.ribPeer !== undefined) this.rib.removePeer(n.ribPeer);
    this.forget(n);
    // The listener's TCP-MD5 key is per address: keep it while another neighbor at that address remains.
    if (!this.atAddress(n.cfg.peerAddress).length) this.listener?.setPassword(n.cfg.peerAddress, undefined);
    return true;
  }

  private forget(n: Neighbor): void {
    this.neighbors.delete(n.key);
    this.bySession.delete(n.session);
    this.cfg.neighbors = this.cfg.neighbors.filter((x) => neighborKey(x.peerAddress, x.port) !== n.key);
  }

  /** A neighbor by key ("address" / "address:port"), or by plain address when only one neighbor has it. */
  private find(given: string): Neighbor | undefined {
    const n = this.neighbors.get(normalizeNeighborKey(given));
    if (n) return n;
    const at = this.atAddress(given);
    return at.length === 1 ? at[0] : undefined;
  }

  private atAddress(address: string): Neighbor[] {
    const a = plainAddress(address);
    return [...this.neighbors.values()].filter((x) => x.cfg.peerAddress === a);
  }

  /** Applies a changed configuration: the session restarts (Cease 6/6) only when something changed. */
  updateNeighbor(given: NeighborConfig): void {
    const c = canonical(given);
    const n = this.neighbors.get(neighborKey(c.peerAddress, c.port));
    if (!n) return this.addNeighbor(c);
    if (JSON.stringify(n.cfg) === JSON.stringify(c)) return;
    n.session.stop({ notification: { code: NOTIF.CEASE, subcode: CEASE.OTHER_CONFIGURATION_CHANGE }, reason: 'configuration changed' });
    if (n.ribPeer !== undefined) this.rib.removePeer(n.ribPeer);
    this.forget(n);
    this.addNeighbor(c);
  }

  originate(prefix: string, attrs?: OriginateAttrs): void {
    this.rib.originate(prefix, attrs);
  }

  withdraw(prefix: string): void {
    this.rib.withdrawOriginated(prefix);
  }

  /** The neighbor's BFD session went Down from Up: its BGP session is torn down at once (Session.bfdDown). */
  bfdDown(address: string, reason?: string): boolean {
    // BFD runs per address: every session to that address (any port) goes down with it.
    const exact = this.neighbors.get(normalizeNeighborKey(address));
    const ns = exact ? [exact] : this.atAddress(address);
    for (const n of ns) n.session.bfdDown(reason);
    return ns.length > 0;
  }

  /** Asks the peer to resend its routes (ROUTE-REFRESH). */
  refresh(address: string, family: Family): boolean {
    return this.find(address)?.session.requestRefresh(family) ?? false;
  }

  ribPeerOf(address: string): number | undefined {
    return this.find(address)?.ribPeer;
  }

  neighborStatus(): NeighborStatus[] {
    const now = this.clock.now();
    return [...this.neighbors.values()].map((n) => {
      const s = n.session;
      const st = n.ribPeer !== undefined ? this.rib.stats(n.ribPeer) : { received: 0, accepted: 0, advertised: 0 };
      const neg = s.state === 'Established' ? s.negotiated : undefined;
      const conn = s.connection;
      return {
        address: n.cfg.peerAddress,
        ...(n.key !== n.cfg.peerAddress ? { port: n.cfg.port } : {}),
        name: n.cfg.name ?? n.key,
        asn: n.cfg.peerAsn,
        state: s.state,
        uptimeSeconds: s.stats.establishedAt !== undefined ? Math.floor((now - s.stats.establishedAt) / 1000) : 0,
        ...st,
        reason: s.stats.lastReason,
        lastError: s.stats.lastError,
        flaps: s.stats.flaps,
        routerId: neg?.peerRouterId,
        holdTime: neg?.holdTime,
        keepaliveTime: neg?.keepaliveTime,
        families: neg?.families ?? n.cfg.families ?? ['ipv4-unicast'],
        gracefulRestart: s.negotiated?.peerGracefulRestart
          ? { peerRestartTime: s.negotiated.peerGracefulRestart.restartTime, staleRoutes: n.stale.size > 0 }
          : undefined,
        messages: { received: { ...s.stats.received }, sent: { ...s.stats.sent } },
        local: conn && { address: conn.localAddress, port: conn.localPort },
        remote: conn && { address: conn.remoteAddress, port: conn.remotePort },
      };
    });
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private onIncoming(sock: net.Socket): void {
    const peer = plainAddress(sock.remoteAddress);
    const ns = this.atAddress(peer);
    if (ns.length !== 1) {
      // Several neighbors at one address (different ports): a connection from it names no port of theirs, so it
      // cannot be told apart; those sessions are made by our connections only.
      this.log.info(ns.length ? 'connection from a shared peer address refused (we connect to each port)' : 'connection from unknown peer refused', { peer, ...(ns.length ? { neighbors: ns.map((x) => x.key).join(',') } : {}) });
      sock.on('error', () => undefined);
      sock.destroy();
      return;
    }
    ns[0]!.session.incoming(sock);
  }

  private neighborOf(s: Session): Neighbor {
    return this.bySession.get(s)!;
  }

  private readonly handler: SessionHandler = {
    established: (s, neg) => this.onEstablished(this.neighborOf(s), neg),
    listen: (s) => this.listener?.setPassword(s.peer, s.cfg.password),
    update: (s, body) => {
      const n = this.neighborOf(s);
      if (n.ribPeer === undefined) return undefined;
      this.updatesIn++;
      const r = this.rib.applyUpdate(n.ribPeer, body);
      if (r.errors.length > 0) {
        const { log, suppressed } = n.updateErrorLog.take(this.clock.now());
        if (log) this.log.warn('UPDATE error', { peer: s.peer, asn: n.cfg.peerAsn, state: s.state, action: r.action, reason: r.errors.join('; '), ...(suppressed ? { suppressed } : {}) });
      }
      if (r.endOfRib) {
        this.onEndOfRib(n, r.endOfRib);
        this.emit('end-of-rib', n.key, r.endOfRib);
      }
      if (r.action === 'session-reset') return { reset: r.notification ?? { code: NOTIF.UPDATE_MESSAGE_ERROR, subcode: 0 } };
      if (r.action === 'max-prefix') return { cease: r.notification ?? { code: NOTIF.CEASE, subcode: CEASE.MAX_PREFIXES_REACHED } };
      return undefined;
    },
    routeRefresh: (s) => {
      const n = this.neighborOf(s);
      if (n.ribPeer === undefined) return;
      s.sendUpdates(this.rib.takeUpdates(n.ribPeer, { maxMessageSize: s.maxMessageSize, coalesceBytes: COALESCE_BYTES, resend: true }));
    },
    down: (s, info) => this.onDown(this.neighborOf(s), info),
  };

  private onEstablished(n: Neighbor, neg: Negotiated): void {
    const s = n.session;
    const conn = s.connection!;
    const v6 = conn.localAddress.includes(':');
    const info = {
      name: n.cfg.name ?? n.key,
      address: n.cfg.peerAddress,
      localAddress: n.cfg.localAddress ?? conn.localAddress,
      // An IPv4 session carrying IPv6 unicast offers our global IPv6 address on the link as next hop.
      localAddress6: v6 ? conn.localAddress : neg.families.includes('ipv6-unicast') ? linkGlobal6(conn.localAddress) : undefined,
      asn: n.cfg.peerAsn,
      localAsn: n.cfg.localAsn ?? this.cfg.asn,
      routerId: neg.peerRouterId,
      ibgp: isIbgp(s.cfg),
      fourOctetAs: neg.fourOctetAs,
      families: neg.families,
      extendedNextHop: neg.extendedNextHop,
      routeReflectorClient: n.cfg.routeReflectorClient,
      nextHopSelf: n.cfg.nextHopSelf,
      maxPrefixes: n.cfg.maxPrefixes,
      exportPolicy: n.cfg.exportPolicy,
      importRules: n.cfg.importRules,
      exportRules: n.cfg.exportRules,
      ifname: interfaceOf(conn.localAddress),
    };
    const key = JSON.stringify(info);
    if (n.ribPeer !== undefined && n.ribKey !== key) {
      // Same peer, different session parameters: start from a clean slate.
      this.rib.removePeer(n.ribPeer);
      n.ribPeer = undefined;
      n.stale.clear();
    }
    if (n.ribPeer === undefined) {
      n.ribPeer = this.rib.addPeer(info);
      n.ribKey = key;
    }
    this.rib.peerUp(n.ribPeer);
    if (n.stale.size > 0) {
      // RFC 4724 §4.2: keep stale routes until End-of-RIB; without GR on the new session, sweep now.
      if (!neg.peerGracefulRestart) this.sweep(n, 'peer no longer graceful-restart capable');
      else this.armStaleTimer(n, n.cfg.stalePathTime ?? 360, 'stale path timer expired');
    }
    s.sendUpdates(this.rib.takeUpdates(n.ribPeer, { maxMessageSize: s.maxMessageSize, coalesceBytes: COALESCE_BYTES, resend: true, endOfRib: true }));
  }

  private onDown(n: Neighbor, info: { graceful: boolean; restartTime: number; reason: string }): void {
    if (n.ribPeer === undefined) return;
    this.rib.peerDown(n.ribPeer, { graceful: info.graceful });
    if (!info.graceful) return;
    for (const f of n.session.negotiated?.peerGracefulRestart?.families ?? []) n.stale.add(f.family);
    this.log.info('graceful restart: keeping stale routes', { peer: n.cfg.peerAddress, asn: n.cfg.peerAsn, state: n.session.state, restartTime: info.restartTime });
    this.armStaleTimer(n, info.restartTime, 'restart timer expired');
  }

  private armStaleTimer(n: Neighbor, secs: number, why: string): void {
    if (n.staleTimer !== undefined) this.clock.clearTimeout(n.staleTimer);
    n.staleTimer = this.clock.setTimeout(() => {
      n.staleTimer = undefined;
      this.sweep(n, why);
    }, secs * 1000);
  }

  private onEndOfRib(n: Neighbor, family: Family): void {
    if (!n.stale.has(family) || n.ribPeer === undefined) return;
    const swept = this.rib.sweepStale(n.ribPeer, family);
    n.stale.delete(family);
    this.log.info('graceful restart: End-of-RIB, stale routes swept', { peer: n.cfg.peerAddress, asn: n.cfg.peerAsn, state: n.session.state, family, swept });
    if (n.stale.size === 0 && n.staleTimer !== undefined) {
      this.clock.clearTimeout(n.staleTimer);
      n.staleTimer = undefined;
    }
  }

  private sweep(n: Neighbor, why: string): void {
    if (n.ribPeer === undefined) return;
    const swept = this.rib.sweepStale(n.ribPeer);
    n.stale.clear();
    this.log.info('graceful restart: stale routes swept', { peer: n.cfg.peerAddress, asn: n.cfg.peerAsn, state: n.session.state, reason: why, swept });
  }

  private queueFlush(peer: number): void {
    const n = [...this.neighbors.values()].find((x) => x.ribPeer === peer);
    if (!n || n.flushQueued) return;
    n.flushQueued = true;
    const flush = () => {
      if (n.session.state === 'Established' && n.session.sendBacklogged) {
        // Backpressure: the peer reads slower than we produce; the changes wait in the RIB (a prefix each), not
        // as encoded UPDATEs in the socket's queue. Polled so that a dropped session cannot leave this pending.
        setTimeout(flush, BACKLOG_POLL_MS);
        return;
      }
      n.flushQueued = false;
      if (n.session.state !== 'Established' || n.ribPeer === undefined) return;
      const msgs = this.rib.takeUpdates(n.ribPeer, { maxMessageSize: n.session.maxMessageSize, coalesceBytes: COALESCE_BYTES, maxRows: FLUSH_ROWS });
      n.session.sendUpdates(msgs);
      if (msgs.length > 0) this.log.debug('updates sent', { peer: n.cfg.peerAddress, messages: msgs.length });
      if (this.rib.behind(n.ribPeer)) this.queueFlush(n.ribPeer);
    };
    setImmediate(flush);
  }
}
