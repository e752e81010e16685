import { NUM_TABLE_MAX_VALUE, StrTable, type KeyTable } from './num-table.js';
import type { PrefixKey } from './prefix-key.js';
import { freshArray, growTo, release } from './grow.js';

/**
 * One row per prefix for a whole family, shared by the Loc-RIB and every peer's Adj-RIB-In/Out: a prefix is
 * hashed once (key → row) when it arrives, and every table after that is a plain typed array indexed by the row.
 * Rows are handed out in arrival order, so the export pass, which walks the change log of rows, reads the
 * Loc-RIB, the source's Adj-RIB-In and the peer's Adj-RIB-Out sequentially instead of three hash probes at
 * random addresses. A row is freed (and its key forgotten) when no column holds a value for it.
 */
export class RowIndex {
  /** IPv6 keys → row; IPv4 keys use `slots` instead. */
  private readonly map: StrTable | undefined;
  /**
   * IPv4: open addressing over the rows themselves: tag * 2^25 + row + 1 (0 empty, -1 deleted), the tag being 6
   * more bits of the key's hash, so a probe reads `keys` (the full compare) only on a likely match. 4 bytes per
   * slot instead of a key/value pair.
   */
  private slots = new Int32Array(16);
  private used = 0;
  private live = 0;
  /** Row → key (IPv4: a Float64Array of numeric keys; IPv6: strings). */
  private keys: Float64Array | string[];
  /** Row → number of columns holding a value for it. */
  private refs = new Uint32Array(0);
  private readonly free: number[] = [];
  /** Rows handed out so far (live + free): columns never need to look past this. */
  high = 0;

  constructor(readonly numeric: boolean) {
    this.map = numeric ? undefined : new StrTable();
    this.keys = numeric ? new Float64Array(0) : [];
  }

  /** Rows with at least one value. */
  get size(): number {
    return this.map ? this.map.size : this.live;
  }

  /** Allocated length of the per-row arrays (a column grows to this). */
  get capacity(): number {
    return this.refs.length;
  }

  rowOf(k: PrefixKey): number {
    if (this.map) return this.map.get(k as string);
    const i = this.probe(k as number);
    return i < 0 ? -1 : (this.slots[i]! & ROW_MASK) - 1;
  }

  /**
   * IPv4: the slot holding k, or -(slot + 1) of the slot a new k goes to (the first deleted one on its
   * probe sequence, else the empty one that ended it).
   */
  private probe(k: number): number {
    const S = this.slots;
    const keys = this.keys as Float64Array;
    const mask = S.length - 1;
    const h = hashKey(k);
    const tag = (h >>> 26) * TAG_UNIT;
    let free = -1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = S[i]!;
      if (s === 0) return -((free >= 0 ? free : i) + 1);
      if (s < 0) {
        if (free < 0) free = i;
      } else if (s - (s & ROW_MASK) === tag && keys[(s & ROW_MASK) - 1] === k) return i;
    }
  }

  /** IPv4: puts a new key's row in its slot (-(slot + 1) as probe returned it). */
  private insert(k: number, row: number, at: number): void {
    const S = this.slots;
    const i = -at - 1;
    if (S[i] === 0) this.used++;
    S[i] = (hashKey(k) >>> 26) * TAG_UNIT + row + 1;
    this.live++;
    const cap = S.length;
    if (this.used * 10 > cap * 7) this.rehash(this.live * 10 > cap * 3 ? cap * 2 : cap, row);
  }

  private remove(k: number): void {
    const i = this.probe(k);
    if (i < 0) return;
    this.slots[i] = -1;
    this.live--;
  }

  /**
   * Rebuilds the slots from the rows, in row order: every row some column holds a value for is in the table, and
   * so is `pending`, the row being inserted (its first value comes right after). `refs` and `keys` are read in
   * order instead of each old slot's key at a random row: 122 → 81 ms of self time over a 1M-prefix receive
   * (the agent's profile, bench/bgp-receive.ts with KL_BENCH_AGENT_PROF).
   */
  private rehash(cap: number, pending: number): void {
    const keys = this.keys as Float64Array;
    const refs = this.refs;
    release(this.slots); // 4 bytes a slot: MBs on a full table, otherwise held until the next full GC
    const S = (this.slots = freshArray(cap, Int32Array));
    const mask = cap - 1;
    for (let row = 0, n = this.high; row < n; row++) {
      if (refs[row] === 0 && row !== pending) continue;
      const h = hashKey(keys[row]!);
      let i = h & mask;
      while (S[i] !== 0) i = (i + 1) & mask;
      S[i] = (h >>> 26) * TAG_UNIT + row + 1;
    }
    this.used = this.live;
  }

  keyAt(row: number): PrefixKey {
    return this.keys[row]!;
  }

  /** The key's row, allocated when new; it is freed again unless a column takes a value for it. */
  acquire(k: PrefixKey): number {
    let at = 0;
    if (this.map) {
      const r = this.map.get(k as string);
      if (r >= 0) return r;
    } else {
      at = this.probe(k as number);
      if (at >= 0) return (this.slots[at]! & ROW_MASK) - 1;
    }
    let row = this.free.pop();
    if (row === undefined) {
      row = this.high++;
      if (row >= NUM_TABLE_MAX_VALUE) throw new RangeError('RIB row index full');
      if (row >= this.refs.length) this.grow(row + 1);
    }
    if (this.numeric) (this.keys as Float64Array)[row] = k as number;
    else (this.keys as string[])[row] = k as string;
    if (this.map) this.map.set(k as string, row);
    else this.insert(k as number, row, at);
    return row;
  }

  ref(row: number): void {
    this.refs[row]!++;
  }

  unref(row: number): void {
    if (--this.refs[row]! === 0) {
      if (this.map) this.map.delete(this.keys[row] as string);
      else this.remove(this.keys[row] as number);
      this.free.push(row);
    }
  }

  private grow(min: number): void {
    let cap = Math.max(1024, this.refs.length);
    while (cap < min) cap *= 2;
    this.refs = growTo(this.refs, cap, Uint32Array, NUM_TABLE_MAX_VALUE);
    if (this.numeric) this.keys = growTo(this.keys as Float64Array, cap, Float64Array, NUM_TABLE_MAX_VALUE);
  }
}

/** Row + 1 in the low 25 bits of an IPv4 slot (rows stay below NUM_TABLE_MAX_VALUE = 2^25 - 1); the tag above. */
const TAG_UNIT = 2 ** 25;
const ROW_MASK = TAG_UNIT - 1;

/** IPv4 key (address * 64 + length, < 2^38) → 32-bit hash. */
function hashKey(k: number): number {
  const hi = Math.floor(k / 64);
  let h = Math.imul(hi ^ Math.imul(k - hi * 64 + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A prefix → value table (values in [0, 2^25)) as one Int32Array over a RowIndex's rows: value + 1, 0 = absent,
 * so untouched pages stay out of RSS. The key-based methods are for everything but the hot paths, which use rows.
 */
export class Column implements KeyTable<PrefixKey> {
  private v = new Int32Array(0);
  size = 0;
  constructor(readonly rows: RowIndex) {}

  getRow(r: number): number {
    return r < this.v.length ? this.v[r]! - 1 : -1;
  }

  setRow(r: number, val: number): number {
    if (!(val >= 0 && val <= NUM_TABLE_MAX_VALUE) || val !== Math.floor(val)) throw new RangeError(`RIB value ${val} outside [0, ${NUM_TABLE_MAX_VALUE}]`);
    if (r >= this.v.length) this.grow(r + 1);
    const old = this.v[r]! - 1;
    this.v[r] = val + 1;
    if (old < 0) {
      this.size++;
      this.rows.ref(r);
    }
    return old;
  }

  deleteRow(r: number): number {
    if (r >= this.v.length) return -1;
    const old = this.v[r]! - 1;
    if (old < 0) return -1;
    this.v[r] = 0;
    this.size--;
    this.rows.unref(r);
    return old;
  }

  get(k: PrefixKey): number {
    const r = this.rows.rowOf(k);
    return r < 0 ? -1 : this.getRow(r);
  }

  set(k: PrefixKey, val: number): number {
    return this.setRow(this.rows.acquire(k), val);
  }

  delete(k: PrefixKey): number {
    const r = this.rows.rowOf(k);
    return r < 0 ? -1 : this.deleteRow(r);
  }

  /** Rows with a value, in row order; the callback must not add or remove entries of this column. */
  forEachRow(cb: (row: number, v: number) => void): void {
    if (this.size === 0) return;
    const v = this.v;
    const n = Math.min(v.length, this.rows.high);
    for (let r = 0; r < n; r++) if (v[r] !== 0) cb(r, v[r]! - 1);
  }

  forEach(cb: (k: PrefixKey, v: number) => void): void {
    this.forEachRow((r, v) => cb(this.rows.keyAt(r), v));
  }

  update(fn: (k: PrefixKey, v: number) => number): void {
    this.forEachRow((r, v) => {
      const nv = fn(this.rows.keyAt(r), v);
      if (!(nv >= 0 && nv <= NUM_TABLE_MAX_VALUE) || nv !== Math.floor(nv)) throw new RangeError(`RIB value ${nv} outside [0, ${NUM_TABLE_MAX_VALUE}]`);
      this.v[r] = nv + 1;
    });
  }

  clear(): void {
    this.forEachRow((r) => this.rows.unref(r));
    release(this.v);
    this.v = new Int32Array(0);
    this.size = 0;
  }

  private grow(min: number): void {
    this.v = growTo(this.v, Math.max(min, this.rows.capacity), Int32Array, NUM_TABLE_MAX_VALUE);
  }
}
