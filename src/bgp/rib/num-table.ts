/**
 * Open-addressing hash table from non-negative integer keys below 2^38 (IPv4 prefix keys, address * 64 +
 * length) to non-negative int32 values, in typed arrays: no per-entry objects, no HeapNumbers. A key is
 * kept as its high part (key / 64, a uint32) and its low 6 bits (a uint8, which also marks empty and
 * deleted slots): 9 bytes per slot.
 */
const EMPTY = 0xff;
const DELETED = 0xfe;

export interface KeyTable<K> {
  readonly size: number;
  /** The value, or -1 when absent. */
  get(k: K): number;
  /** Sets and returns the previous value, or -1. */
  set(k: K, v: number): number;
  /** Deletes and returns the previous value, or -1. */
  delete(k: K): number;
  forEach(cb: (k: K, v: number) => void): void;
  /** Replaces every value with fn's result (no entries added or removed). */
  update(fn: (k: K, v: number) => number): void;
  clear(): void;
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(hi ^ Math.imul(lo + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumTable implements KeyTable<number> {
  private hi: Uint32Array;
  private lo: Uint8Array;
  private vals: Int32Array;
  private mask: number;
  private used = 0; // live + deleted slots
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint8Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Slot holding the key, or the first empty slot of its probe sequence. */
  private slot(hi: number, lo: number): number {
    const H = this.hi;
    const L = this.lo;
    let i = hash(hi, lo) & this.mask;
    for (;;) {
      const l = L[i]!;
      if (l === EMPTY || (l === lo && H[i] === hi)) return i;
      i = (i + 1) & this.mask;
    }
  }

  get(k: number): number {
    const hi = Math.floor(k / 64);
    const lo = k - hi * 64;
    const i = this.slot(hi, lo);
    return this.lo[i] === lo ? this.vals[i]! : -1;
  }

  set(k: number, v: number): number {
    const hi = Math.floor(k / 64);
    const lo = k - hi * 64;
    const H = this.hi;
    const L = this.lo;
    const mask = this.mask;
    let i = hash(hi, lo) & mask;
    let tomb = -1;
    for (;;) {
      const l = L[i]!;
      if (l === lo && H[i] === hi) {
        const old = this.vals[i]!;
        this.vals[i] = v;
        return old;
      }
      if (l === EMPTY) break;
      if (l === DELETED && tomb < 0) tomb = i;
      i = (i + 1) & mask;
    }
    if (tomb >= 0) i = tomb;
    else this.used++;
    H[i] = hi;
    L[i] = lo;
    this.vals[i] = v;
    this.size++;
    if (this.used * 10 > L.length * 8) this.rehash(this.size * 10 > L.length * 4 ? L.length * 2 : L.length);
    return -1;
  }

  delete(k: number): number {
    const hi = Math.floor(k / 64);
    const lo = k - hi * 64;
    const i = this.slot(hi, lo);
    if (this.lo[i] !== lo) return -1;
    this.lo[i] = DELETED;
    this.size--;
    return this.vals[i]!;
  }

  forEach(cb: (k: number, v: number) => void): void {
    const L = this.lo;
    for (let i = 0; i < L.length; i++) {
      const l = L[i]!;
      if (l < 64) cb(this.hi[i]! * 64 + l, this.vals[i]!);
    }
  }

  update(fn: (k: number, v: number) => number): void {
    const L = this.lo;
    for (let i = 0; i < L.length; i++) if (L[i]! < 64) this.vals[i] = fn(this.hi[i]! * 64 + L[i]!, this.vals[i]!);
  }

  clear(): void {
    this.hi = new Uint32Array(16);
    this.lo = new Uint8Array(16).fill(EMPTY);
    this.vals = new Int32Array(16);
    this.mask = 15;
    this.used = 0;
    this.size = 0;
  }

  private rehash(cap: number): void {
    const oH = this.hi;
    const oL = this.lo;
    const oV = this.vals;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint8Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.used = this.size;
    for (let j = 0; j < oL.length; j++) {
      const l = oL[j]!;
      if (l >= 64) continue;
      const i = this.slot(oH[j]!, l);
      this.hi[i] = oH[j]!;
      this.lo[i] = l;
      this.vals[i] = oV[j]!;
    }
  }
}

/** The same interface over a Map, for IPv6 string keys. */
export class StrTable implements KeyTable<string> {
  private m = new Map<string, number>();
  get size(): number {
    return this.m.size;
  }
  get(k: string): number {
    return this.m.get(k) ?? -1;
  }
  set(k: string, v: number): number {
    const old = this.m.get(k) ?? -1;
    this.m.set(k, v);
    return old;
  }
  delete(k: string): number {
    const old = this.m.get(k);
    if (old === undefined) return -1;
    this.m.delete(k);
    return old;
  }
  forEach(cb: (k: string, v: number) => void): void {
    for (const [k, v] of this.m) cb(k, v);
  }
  update(fn: (k: string, v: number) => number): void {
    for (const [k, v] of this.m) this.m.set(k, fn(k, v));
  }
  clear(): void {
    this.m.clear();
  }
}
