/**
 * BfdManager: the BFD sessions of one process (one per peer address) over UDP (RFC 5881 single hop on 3784,
 * RFC 5883 multihop on 4784). Shared receive sockets per family and port, demultiplexed by Your Discriminator, or
 * by the source address while the remote does not know ours yet (§6.8.6); one send socket per session.
 * Emits 'state' (peer, BfdStateChange) on every session state change.
 */
import { EventEmitter } from 'node:events';
import { isIPv4, isIPv6 } from 'node:net';
import type dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { decodeControl } from './packet.js';
import { realClock } from '../lib/index.js';
import { BfdSession, type BfdClock, type BfdSessionStatus, type BfdStateChange, type BfdTimers } from './session.js';
import { openReceiveSocket, openSendSocket } from './socket.js';

export const SINGLE_HOP_PORT = 3784;
export const MULTIHOP_PORT = 4784;

export interface BfdPeerConfig extends BfdTimers {
  peer: string;
  /** Source address of our packets; undefined = the kernel's choice. */
  local?: string;
  /** RFC 5883: port 4784 and no TTL 255 requirement (only `minTtl`, default 254 as FRR). */
  multihop?: boolean;
  minTtl?: number;
}

export interface BfdPeerStatus extends BfdSessionStatus {
  peer: string;
  local?: string;
  multihop: boolean;
}

export interface BfdLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface BfdManagerOptions {
  clock?: BfdClock;
  log?: BfdLogger;
  /** Destination ports (tests may move them). */
  singleHopPort?: number;
  multihopPort?: number;
}

interface Entry {
  cfg: BfdPeerConfig;
  session: BfdSession;
  tx?: dgram.Socket;
  key: string;
}

const quiet: BfdLogger = { info: () => undefined, debug: () => undefined, warn: () => undefined };
const familyOf = (a: string): 4 | 6 => (isIPv4(a) ? 4 : 6);
/** The address as the kernel reports a sender (no IPv4-mapped prefix, no zone). */
const plain = (a: string): string => (a.startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a.split('%')[0]!);

export class BfdManager extends EventEmitter {
  private readonly byPeer = new Map<string, Entry>();
  private readonly byDiscr = new Map<number, Entry>();
  private readonly rx = new Map<string, Promise<dgram.Socket>>();
  private readonly clock: BfdClock;
  private readonly log: BfdLogger;
  private closed = false;
  /** Datagrams dropped, by reason (what §6.8.6 says to discard). */
  readonly discarded: Record<string, number> = {};

  constructor(private readonly opts: BfdManagerOptions = {}) {
    super();
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? quiet;
  }

  /** Makes the sessions match `peers`: new ones start, changed ones restart, missing ones stop (AdminDown). */
  async sync(peers: BfdPeerConfig[]): Promise<void> {
    const want = new Map(peers.map((p) => [plain(p.peer), { ...p, peer: plain(p.peer) }]));
    for (const [peer, e] of this.byPeer) {
      const w = want.get(peer);
      if (!w || JSON.stringify(w) !== e.key) this.remove(peer);
    }
    for (const [peer, cfg] of want) if (!this.byPeer.has(peer)) await this.add(cfg);
  }

  async add(given: BfdPeerConfig): Promise<void> {
    if (this.closed) return;
    const cfg = { ...given, peer: plain(given.peer) };
    if (!isIPv4(cfg.peer) && !isIPv6(cfg.peer)) throw new Error(`BFD peer ${cfg.peer} is not an IP address`);
    if (this.byPeer.has(cfg.peer)) this.remove(cfg.peer);
    const family = familyOf(cfg.peer);
    const multihop = cfg.multihop ?? false;
    await this.receiveSocket(family, multihop, cfg.minTtl);
    let discr = 0;
    while (discr === 0 || this.byDiscr.has(discr)) discr = randomInt(1, 0xffffffff);
    const port = multihop ? this.opts.multihopPort ?? MULTIHOP_PORT : this.opts.singleHopPort ?? SINGLE_HOP_PORT;
    const entry: Entry = { cfg, key: JSON.stringify(cfg), session: undefined as unknown as BfdSession };
    entry.session = new BfdSession(discr, cfg, (b) => entry.tx?.send(b, port, cfg.peer), this.clock);
    entry.session.on('state', (c: BfdStateChange) => {
      const level = c.state === 'Up' || c.from === 'Up' ? 'info' : 'debug';
      const st = entry.session.status();
      this.log[level](`BFD ${c.from} -> ${c.state}`, { peer: cfg.peer, state: c.state, from: c.from, reason: c.cause, diag: c.diag, remoteDiag: st.remoteDiag, localDiscr: st.localDiscr, remoteDiscr: st.remoteDiscr });
      this.emit('state', cfg.peer, c);
    });
    this.byPeer.set(cfg.peer, entry);
    this.byDiscr.set(discr, entry);
    try {
      entry.tx = await openSendSocket(family, cfg.local);
    } catch (e) {
      this.remove(cfg.peer);
      throw e;
    }
    entry.tx.on('error', (e) => this.log.warn('BFD send error', { peer: cfg.peer, reason: e.message }));
    if (this.byPeer.get(cfg.peer) !== entry) {
      entry.tx.close();
      return;
    }
    entry.session.start();
  }

  /** Stops a session: one AdminDown packet (diag 7) so the remote does not take it for a failure, then silence. */
  remove(peer: string, opts: { adminDown?: boolean } = {}): boolean {
    const e = this.byPeer.get(plain(peer));
    if (!e) return false;
    e.session.stop({ adminDown: opts.adminDown ?? true });
    this.byPeer.delete(e.cfg.peer);
    this.byDiscr.delete(e.session.localDiscr);
    e.session.removeAllListeners();
    const tx = e.tx;
    e.tx = undefined;
    // Let the AdminDown datagram leave before closing.
    if (tx) setImmediate(() => tx.close());
    return true;
  }

  status(): BfdPeerStatus[] {
    return [...this.byPeer.values()].map((e) => ({ peer: e.cfg.peer, local: e.cfg.local, multihop: e.cfg.multihop ?? false, ...e.session.status() }));
  }

  statusOf(peer: string): BfdPeerStatus | undefined {
    return this.status().find((s) => s.peer === plain(peer));
  }

  /** `adminDown: false`: vanish like a killed process (the peers detect the loss by timeout). */
  async close(opts: { adminDown?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const peer of [...this.byPeer.keys()]) this.remove(peer, opts);
    const socks = await Promise.allSettled([...this.rx.values()]);
    this.rx.clear();
    for (const s of socks) if (s.status === 'fulfilled') s.value.close();
  }

  // ---- receive ----------------------------------------------------------------------------------------------

  private receiveSocket(family: 4 | 6, multihop: boolean, minTtl?: number): Promise<dgram.Socket> {
    const port = multihop ? this.opts.multihopPort ?? MULTIHOP_PORT : this.opts.singleHopPort ?? SINGLE_HOP_PORT;
    const key = `${family}/${port}`;
    let p = this.rx.get(key);
    if (!p) {
      // Single hop: TTL 255 only (RFC 5881 §5). Multihop: FRR's default minimum TTL 254 unless configured.
      p = openReceiveSocket(family, port, multihop ? minTtl ?? 254 : 255).then((s) => {
        s.on('message', (msg, ri) => this.onDatagram(msg, plain(ri.address), multihop));
        s.on('error', (e) => this.log.warn('BFD receive error', { reason: e.message }));
        return s;
      });
      p.catch(() => this.rx.delete(key));
      this.rx.set(key, p);
    }
    return p;
  }

  private drop(reason: string, from: string): void {
    const k = reason.replace(/\d+/g, 'N');
    this.discarded[k] = (this.discarded[k] ?? 0) + 1;
    this.log.debug('BFD packet discarded', { peer: from, reason });
  }

  /** §6.8.6: checks, then the session by Your Discriminator, or by source address when it is 0. */
  private onDatagram(msg: Buffer, from: string, multihop: boolean): void {
    const d = decodeControl(msg);
    if (!d.ok) return this.drop(d.reason, from);
    const p = d.packet;
    const e = p.yourDiscr !== 0 ? this.byDiscr.get(p.yourDiscr) : this.byPeer.get(from);
    if (!e) return this.drop(p.yourDiscr !== 0 ? `no session with discriminator ${p.yourDiscr}` : 'no session for this source address', from);
    if (e.cfg.peer !== from) return this.drop(`discriminator ${p.yourDiscr} belongs to another peer`, from);
    // Without Your Discriminator, My Discriminator also selects (§6.8.6): while Up with a known remote session, a
    // packet from another session of the same address is not ours. Otherwise two remote sessions towards us (FRR
    // replaces its session when bgpd re-registers it with the local address) knock each other down in turn. A remote
    // that restarted is heard once our Detection Time has passed and forgotten its old discriminator.
    const st = e.session.status();
    if (p.yourDiscr === 0 && st.state === 'Up' && st.remoteDiscr !== 0 && p.myDiscr !== st.remoteDiscr) {
      return this.drop(`discriminator ${p.myDiscr} is not the remote session ${st.remoteDiscr}`, from);
    }
    if ((e.cfg.multihop ?? false) !== multihop) return this.drop(multihop ? 'single-hop session on the multihop port' : 'multihop session on the single-hop port', from);
    e.session.receive(p);
  }
}
