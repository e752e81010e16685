import type { Family } from '../wire/constants.js';
import { afiSafiOf } from '../wire/constants.js';
import { encodeEndOfRib } from '../wire/end-of-rib.js';
import { FAMILIES, type RibCore } from './core.js';
import { encodeExport, exportAttributes } from './export.js';
import { exportEbgpV4Bytes } from './export-fast.js';
import { MessageSink, packAnnouncements, packWithdrawals } from './packer.js';
import { SET_MASK, type PeerState } from './peer-state.js';
import type { PrefixKey } from './prefix-key.js';
import type { PeerInfo } from './types.js';

export interface TakeOptions {
  maxMessageSize: number;
  resend?: boolean;
  endOfRib?: boolean;
  /**
   * Pack messages back to back into Buffers of about this many octets (each holding whole messages) instead of
   * one Buffer per message; 0/absent = one Buffer per message. Saves the per-message Buffer objects on a full table.
   */
  coalesceBytes?: number;
  /**
   * Visit at most this many change-log entries per family (the rest wait for the next call; Rib.behind says so).
   * Bounds the scratch arrays and the UPDATE bytes one call makes when the peer fell far behind. Not for a full
   * resend. Absent = all.
   */
  maxRows?: number;
}

/** Exported attribute set id for (source set, source peer) towards dst, cached per call; -1 = not exported. */
class ExportCache {
  /** Per source peer: set id → exported id + 1 (0 = not computed yet). */
  private bySource = new Map<number, Int32Array>();
  private ids: number[] = [];
  constructor(
    private core: RibCore,
    private dst: PeerState,
    private family: Family,
    /** Largest attribute block that still leaves room for one NLRI in a message. */
    private maxAttrs: number,
    /** The destination as the export rules see it (an export filter's accept lifts its export policy). */
    private dstInfo: PeerInfo = dst.info,
  ) {}
  private lastSrc = -1;
  private lastMemo: Int32Array = new Int32Array(0);
  get(set: number, src: PeerState): number {
    let memo = this.lastMemo;
    if (src.index !== this.lastSrc) {
      memo = this.bySource.get(src.index) ?? new Int32Array(this.core.store.capacity);
      this.bySource.set(src.index, memo);
      this.lastSrc = src.index;
      this.lastMemo = memo;
    }
    const hit = memo[set]!;
    if (hit !== 0) return hit - 1;
    let id = -1;
    const fast = this.family === 'ipv4-unicast' ? exportEbgpV4Bytes(this.core.store.bytes(set), src.source, this.dstInfo) : null;
    if (fast === 'filtered') id = -1;
    else if (fast) id = this.core.outStore.intern(fast, 0, fast.length).id;
    else {
      const ex = exportAttributes(this.core.attrsOf(set), src.source, this.dstInfo, this.family, this.core.clusterId);
      if (ex) {
        const b = encodeExport(ex, this.dstInfo);
        id = this.core.outStore.intern(b, 0, b.length).id;
      }
    }
    if (id >= 0 && this.core.outStore.bytes(id).length > this.maxAttrs) {
      this.core.outStore.release(id); // too large to send at all: treated as not exportable
      id = -1;
    }
    memo[set] = id + 1;
    if (id >= 0) this.ids.push(id);
    return id;
  }
  /** Drops the cache's own references. */
  done(): void {
    for (const id of this.ids) this.core.outStore.release(id);
  }
}

function syncFamily(core: RibCore, p: PeerState, f: Family, full: boolean, max: number, out: MessageSink, maxRows: number): void {
  const loc = core.loc[f];
  const adjOut = p.adjOut[f];
  const rows = core.rows[f];
  const log = core.log[f];
  const from = Math.max(0, p.cursor[f]);
  const to = full ? log.length : Math.min(log.length, from + maxRows);
  p.cursor[f] = to;
  const maxAttrs = max - 19 - 4 - 4 - 17;
  const cache = new ExportCache(core, p, f, maxAttrs);
  let acceptCache: ExportCache | undefined;
  // Announcements as two parallel arrays of numbers/strings (no per-group objects), grouped below by a counting sort.
  const room = full ? loc.size + adjOut.size : to - from;
  const annIds = new Int32Array(room);
  const annKeys: { [i: number]: PrefixKey; length: number } = f === 'ipv4-unicast' ? new Float64Array(room) : new Array<PrefixKey>(room);
  let nAnn = 0;
  const withdrawals: PrefixKey[] = [];
  // The last source peer and its Adj-RIB-In, so a run of prefixes from one peer costs no lookups for them.
  let lastSrc = -1;
  let src: PeerState = p;
  let srcIn = p.adjIn[f];
  const visit = (row: number) => {
    const lv = loc.getRow(row);
    let outId = -1;
    if (lv >= 0) {
      const si = lv & 0xffff;
      if (si !== lastSrc) {
        lastSrc = si;
        src = core.peers[si]!;
        srcIn = src.adjIn[f];
      }
      const verdict = src === p ? 'reject' : p.exportFilter?.({ family: f, key: rows.keyAt(row), learned: !src.source.local, ifname: src.info.ifname });
      if (verdict === 'accept') {
        acceptCache ??= new ExportCache(core, p, f, maxAttrs, { ...p.info, exportPolicy: 'all' });
        outId = acceptCache.get(srcIn.getRow(row) & SET_MASK, src);
      } else if (verdict !== 'reject') outId = cache.get(srcIn.getRow(row) & SET_MASK, src);
    }
    if (outId < 0) {
      const key = rows.keyAt(row); // read before the delete may free the row
      const old = adjOut.deleteRow(row);
      if (old >= 0) {
        core.outStore.release(old);
        withdrawals.push(key);
      }
      return;
    }
    const old = adjOut.setRow(row, outId);
    if (old === outId && !full) return;
    if (old !== outId) {
      core.outStore.addRef(outId);
      if (old >= 0) core.outStore.release(old);
    }
    annIds[nAnn] = outId;
    annKeys[nAnn++] = rows.keyAt(row);
  };
  if (!full) for (let i = from; i < to; i++) visit(log.at(i));
  else {
    loc.forEachRow((r) => visit(r));
    const gone: number[] = [];
    adjOut.forEachRow((r) => {
      if (loc.getRow(r) < 0) gone.push(r);
    });
    for (const r of gone) visit(r);
  }
  if (withdrawals.length) packWithdrawals(f, withdrawals, max, out);
  packGrouped(core, f, annIds, annKeys, nAnn, max, out);
  cache.done();
  acceptCache?.done();
}

/** Counting sort of announcements by exported set id, then one packing run per set. */
function packGrouped(core: RibCore, f: Family, ids: Int32Array, keys: ArrayLike<PrefixKey>, n: number, max: number, out: MessageSink): void {
  if (n === 0) return;
  const cap = core.outStore.capacity;
  const start = new Int32Array(cap + 1);
  for (let i = 0; i < n; i++) start[ids[i]! + 1]!++;
  for (let i = 1; i <= cap; i++) start[i]! += start[i - 1]!;
  const fill = start.slice(0, cap);
  const sorted: ArrayLike<PrefixKey> & { [i: number]: PrefixKey } = f === 'ipv4-unicast' ? new Float64Array(n) : new Array<PrefixKey>(n);
  for (let i = 0; i < n; i++) sorted[fill[ids[i]!]!++] = keys[i]!;
  for (let id = 0; id < cap; id++) {
    const a = start[id]!;
    const b = start[id + 1]!;
    if (b > a) packAnnouncements(f, core.outStore.bytes(id), sorted, a, b, max, out);
  }
}

/** UPDATE messages bringing peer p's Adj-RIB-Out up to date with the Loc-RIB. */
export function takeUpdatesFor(core: RibCore, p: PeerState, opts: TakeOptions): Buffer[] {
  const out = new MessageSink(opts.coalesceBytes ?? 0);
  const full = !!opts.resend || p.needFull;
  for (const f of p.info.families) syncFamily(core, p, f, full, opts.maxMessageSize, out, opts.maxRows ?? Infinity);
  if (full && opts.endOfRib) {
    for (const f of p.info.families) {
      const { afi, safi } = afiSafiOf(f);
      out.push(encodeEndOfRib(afi, safi));
    }
  }
  for (const f of FAMILIES) if (!p.info.families.includes(f)) p.cursor[f] = core.log[f].length;
  p.needFull = false;
  core.recountTracking();
  core.compactLogs();
  return out.finish();
}
