import type { Family } from '../wire/constants.js';
import { ipv4ToNumber } from '../wire/ip.js';
import { decodeAttributes } from '../wire/attrs/index.js';
import type { PathAttributes } from '../wire/attrs/types.js';
import { AttrStore } from './attr-store.js';
import { ChangeLog } from './change-log.js';
import { PathInfo } from './path-info.js';
import { selectBest, selectMultipath, type CandidateSet, type DecisionContext, type PeerFacts } from './best-path.js';
import { newRows, newTables, PeerState, SET_MASK, STALE, type Table } from './peer-state.js';
import type { PrefixKey } from './prefix-key.js';
import type { RibOptions } from './types.js';

export const FAMILIES: Family[] = ['ipv4-unicast', 'ipv6-unicast'];
const CANON = { fourOctetAs: true, ibgp: true };
const PEER_MASK = 0xffff;

export type BestChanged = (family: Family, key: PrefixKey, nextHops: string[]) => void;

/**
 * RIB state shared by the receive, export and view code: interned attribute sets, their best-path
 * columns, peers, Loc-RIB (key → best peer | ECMP count << 16) and a per-family change log.
 */
export class RibCore {
  readonly store = new AttrStore();
  readonly info = new PathInfo();
  readonly outStore = new AttrStore();
  readonly peers: Array<PeerState | undefined> = [];
  /** Per family: prefix → row, shared by loc and every peer's adj-in/out (row-index.ts). */
  readonly rows = newRows();
  readonly loc = newTables(this.rows);
  /** Per family: rows whose best path changed, in order (a row may be listed again; visiting one is idempotent). */
  readonly log: Record<Family, ChangeLog> = { 'ipv4-unicast': new ChangeLog(), 'ipv6-unicast': new ChangeLog() };
  readonly multipath: number;
  readonly relax: boolean;
  readonly clusterId: string;
  /** routerId and clusterId as numbers, for the byte-level loop checks. */
  readonly routerIdNum: number;
  readonly clusterIdNum: number;
  onBestChanged?: BestChanged;
  /** Counts Loc-RIB changes not recorded in the log (nobody was tracking). */
  version = 0;
  private readonly facts: Array<PeerFacts | undefined> = [];
  private readonly dctx: DecisionContext;
  private cand: CandidateSet = { n: 0, peer: new Int32Array(8), set: new Int32Array(8), stale: new Uint8Array(8) };
  private mp: number[] = [];

  constructor(readonly opts: RibOptions) {
    this.store.onGrow = (cap) => this.info.grow(cap);
    // Loc-RIB values are peer | ecmp << 16 in a NumTable (25-bit values): at most 256 paths.
    this.multipath = Math.min(256, Math.max(1, opts.multipath ?? 1));
    this.relax = !!opts.multipathRelax;
    this.clusterId = opts.clusterId ?? opts.routerId;
    this.routerIdNum = ipv4ToNumber(opts.routerId);
    this.clusterIdNum = ipv4ToNumber(this.clusterId);
    this.dctx = { info: this.info, peers: this.facts, alwaysCompareMed: !!opts.alwaysCompareMed };
  }

  addPeerState(p: PeerState): void {
    p.attach(this.rows);
    this.peers[p.index] = p;
    this.facts[p.index] = p.facts;
    if (this.cand.peer.length < this.peers.length) {
      const n = this.peers.length * 2;
      this.cand = { n: 0, peer: new Int32Array(n), set: new Int32Array(n), stale: new Uint8Array(n) };
    }
  }

  dropPeerState(i: number): void {
    this.peers[i] = undefined;
    this.facts[i] = undefined;
  }

  /** Canonical attributes of an interned set. */
  attrsOf(set: number): PathAttributes {
    const b = this.store.bytes(set);
    return decodeAttributes(b, 0, b.length, CANON).attrs;
  }

  /** Collects the candidate paths for key into this.cand. */
  candidates(family: Family, key: PrefixKey): CandidateSet {
    return this.candidatesRow(family, this.rows[family].rowOf(key));
  }

  candidatesRow(family: Family, row: number): CandidateSet {
    const c = this.cand;
    c.n = 0;
    if (row < 0) return c;
    for (const p of this.peers) {
      if (!p) continue;
      const t = p.adjIn[family];
      if (t.size === 0) continue;
      const v = t.getRow(row);
      if (v < 0) continue;
      c.peer[c.n] = p.index;
      c.set[c.n] = v & SET_MASK;
      c.stale[c.n] = v & STALE ? 1 : 0;
      c.n++;
    }
    return c;
  }

  get decision(): DecisionContext {
    return this.dctx;
  }

  /** Re-runs the decision for key after `changedPeer`'s path changed; logs and reports a change. */
  decide(family: Family, key: PrefixKey, changedPeer: number): void {
    const row = this.rows[family].rowOf(key);
    if (row >= 0) this.decideRow(family, row, changedPeer);
  }

  decideRow(family: Family, row: number, changedPeer: number): void {
    const loc = this.loc[family];
    const cur = loc.getRow(row);
    const c = this.candidatesRow(family, row);
    if (c.n === 0) {
      if (cur >= 0) {
        loc.deleteRow(row);
        this.changed(family, row, c, -1);
      }
      return;
    }
    const best = c.n === 1 ? 0 : selectBest(this.dctx, c);
    let ecmp = 1;
    if (this.multipath > 1 && c.n > 1) {
      selectMultipath(this.dctx, c, best, this.multipath, this.relax, this.mp);
      ecmp = this.mp.length;
    }
    const val = c.peer[best]! | (ecmp << 16);
    if (cur === val && (cur & PEER_MASK) !== changedPeer && ecmp === 1 && cur >>> 16 === 1) return;
    loc.setRow(row, val);
    this.changed(family, row, c, best);
  }

  /** Number of peers following the change log (up, past their initial full sync). */
  tracking = 0;

  private changed(family: Family, row: number, c: CandidateSet, best: number): void {
    if (this.tracking > 0) this.log[family].push(row);
    else this.version++;
    if (!this.onBestChanged) return;
    const hops: string[] = [];
    if (best >= 0) {
      const idx = this.multipath > 1 && c.n > 1 ? this.mp : [best];
      for (const i of idx) {
        // A local route without a next hop is reachable here: shown as the unspecified address.
        const nh = this.info.nextHopName(this.info.nextHop[c.set[i]!]!) || (family === 'ipv4-unicast' ? '0.0.0.0' : '::');
        if (!hops.includes(nh)) hops.push(nh);
      }
    }
    this.onBestChanged(family, this.rows[family].keyAt(row), hops);
  }

  /** Sets peer's path for key to `set` (taking a reference) and decides. */
  announce(p: PeerState, family: Family, key: PrefixKey, set: number): void {
    const row = this.rows[family].acquire(key);
    const old = p.adjIn[family].setRow(row, set);
    this.store.addRef(set);
    if (old >= 0) this.store.release(old & SET_MASK);
    this.decideRow(family, row, p.index);
  }

  /** Removes peer's path for key; returns whether there was one. */
  withdraw(p: PeerState, family: Family, key: PrefixKey): boolean {
    const row = this.rows[family].rowOf(key);
    return row >= 0 && this.withdrawRow(p, family, row);
  }

  private withdrawRow(p: PeerState, family: Family, row: number): boolean {
    // If that was the row's last value it is freed, and decideRow finds no candidate and no Loc-RIB entry.
    const old = p.adjIn[family].deleteRow(row);
    if (old < 0) return false;
    this.store.release(old & SET_MASK);
    this.decideRow(family, row, p.index);
    return true;
  }

  /** Removes all of a peer's paths matching `pred` (all when omitted); returns how many. */
  withdrawWhere(p: PeerState, family: Family, pred?: (v: number) => boolean): number {
    const rows: number[] = [];
    p.adjIn[family].forEachRow((r, v) => {
      if (!pred || pred(v)) rows.push(r);
    });
    for (const r of rows) this.withdrawRow(p, family, r);
    return rows.length;
  }

  clearAdjOut(p: PeerState): void {
    for (const f of FAMILIES) {
      const t: Table = p.adjOut[f];
      t.forEach((_k, v) => this.outStore.release(v));
      t.clear();
    }
  }

  clearRawCache(p: PeerState): void {
    for (const v of p.rawCache.values()) releasePacked(this.store, v);
    p.rawCache.clear();
    for (const id of p.rawIds.values()) this.store.release(id);
    p.rawIds.clear();
  }

  recountTracking(): void {
    let n = 0;
    for (const p of this.peers) if (p && p.index !== 0 && p.up && p.cursor['ipv4-unicast'] >= 0) n++;
    this.tracking = n;
  }

  /** Drops log entries every tracking peer has consumed. */
  compactLogs(): void {
    for (const f of FAMILIES) {
      let min = this.log[f].length;
      for (const p of this.peers) if (p && p.index !== 0 && p.up && p.cursor[f] >= 0) min = Math.min(min, p.cursor[f]);
      if (min === 0) continue;
      this.log[f].dropFront(min);
      for (const p of this.peers) if (p && p.cursor[f] >= 0) p.cursor[f] = Math.max(0, p.cursor[f] - min);
    }
  }
}

/** Raw cache values pack two set ids (IPv4 NEXT_HOP set, MP set), each + 1, 0 = none. */
export function packSets(v4: number, mp: number): number {
  return (v4 + 1) * 2 ** 27 + (mp + 1);
}
export function unpackV4(v: number): number {
  return Math.floor(v / 2 ** 27) - 1;
}
export function unpackMp(v: number): number {
  return (v % 2 ** 27) - 1;
}
/** Releases both set ids packed in a raw-cache value. */
export function releasePacked(store: AttrStore, v: number): void {
  const a = unpackV4(v);
  const b = unpackMp(v);
  if (a >= 0) store.release(a);
  if (b >= 0) store.release(b);
}
