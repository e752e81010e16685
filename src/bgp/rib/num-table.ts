/**
 * Open-addressing hash table from non-negative integer keys (IPv4 prefix keys up to 2^38) to
 * non-negative int32 values, in typed arrays: no per-entry objects, no HeapNumbers.
 */
const EMPTY = -1;
const DELETED = -2;

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

function hash(k: number): number {
  const lo = k >>> 0;
  const hi = (k / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumTable implements KeyTable<number> {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private used = 0; // live + deleted slots
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(k: number): number {
    const keys = this.keys;
    let i = hash(k) & this.mask;
    for (;;) {
      const x = keys[i]!;
      if (x === k || x === EMPTY) return i;
      i = (i + 1) & this.mask;
    }
  }

  get(k: number): number {
    const i = this.slot(k);
    return this.keys[i] === k ? this.vals[i]! : -1;
  }

  set(k: number, v: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = hash(k) & mask;
    let tomb = -1;
    for (;;) {
      const x = keys[i]!;
      if (x === k) {
        const old = this.vals[i]!;
        this.vals[i] = v;
        return old;
      }
      if (x === EMPTY) break;
      if (x === DELETED && tomb < 0) tomb = i;
      i = (i + 1) & mask;
    }
    if (tomb >= 0) i = tomb;
    else this.used++;
    keys[i] = k;
    this.vals[i] = v;
    this.size++;
    if (this.used * 10 > keys.length * 7) this.rehash(this.size * 2 > keys.length / 2 ? keys.length * 2 : keys.length);
    return -1;
  }

  delete(k: number): number {
    const i = this.slot(k);
    if (this.keys[i] !== k) return -1;
    this.keys[i] = DELETED;
    this.size--;
    return this.vals[i]!;
  }

  forEach(cb: (k: number, v: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k >= 0) cb(k, this.vals[i]!);
    }
  }

  /** Calls `fn` for each entry and stores its result (entries are not added or removed). */
  update(fn: (k: number, v: number) => number): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i]! >= 0) this.vals[i] = fn(keys[i]!, this.vals[i]!);
  }

  clear(): void {
    this.keys = new Float64Array(16).fill(EMPTY);
    this.vals = new Int32Array(16);
    this.mask = 15;
    this.used = 0;
    this.size = 0;
  }

  private rehash(cap: number): void {
    const oldK = this.keys;
    const oldV = this.vals;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.used = this.size;
    for (let j = 0; j < oldK.length; j++) {
      const k = oldK[j]!;
      if (k < 0) continue;
      const i = this.slot(k);
      this.keys[i] = k;
      this.vals[i] = oldV[j]!;
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
