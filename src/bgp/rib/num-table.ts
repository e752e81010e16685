/**
 * Open-addressing hash table from non-negative integer keys below 2^38 (IPv4 prefix keys, address * 64 +
 * length) to values in [0, 2^25), in one typed array: no per-entry objects, no HeapNumbers. A slot is two
 * uint32 words, so a probe touches one cache line: the key's high part (key / 64), then a tag in the top 7
 * bits (0 empty, 1 deleted, else the key's low 6 bits + 2) over the 25-bit value. 8 bytes per slot, and
 * zero means empty, so a fresh table needs no fill (untouched pages stay out of RSS).
 */
const EMPTY = 0;
const DELETED = 1;
const TAG = 2 ** 25;
const VAL_MASK = TAG - 1;
/** Largest value a NumTable holds (peer-state.ts keeps its set ids and flag bits below this). */
export const NUM_TABLE_MAX_VALUE = VAL_MASK;

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

function checkValue(v: number): void {
  if (!(v >= 0 && v <= VAL_MASK) || v !== Math.floor(v)) throw new RangeError(`NumTable value ${v} outside [0, ${VAL_MASK}]`);
}

export class NumTable implements KeyTable<number> {
  /** [hi, tag * 2^25 + value] per slot. */
  private s: Uint32Array;
  /** Slot count - 1. */
  private mask: number;
  private used = 0; // live + deleted slots
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.s = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  /** Word index of the slot holding the key, or of the first empty slot of its probe sequence. */
  private slot(hi: number, tag: number): number {
    const S = this.s;
    const mask = this.mask;
    let i = hash(hi, tag) & mask;
    for (;;) {
      const t = S[2 * i + 1]! >>> 25;
      if (t === EMPTY || (t === tag && S[2 * i] === hi)) return 2 * i;
      i = (i + 1) & mask;
    }
  }

  get(k: number): number {
    const hi = Math.floor(k / 64);
    const tag = k - hi * 64 + 2;
    const w = this.s[this.slot(hi, tag) + 1]!;
    return w >>> 25 === tag ? w & VAL_MASK : -1;
  }

  set(k: number, v: number): number {
    checkValue(v);
    const hi = Math.floor(k / 64);
    const tag = k - hi * 64 + 2;
    const S = this.s;
    const mask = this.mask;
    let i = hash(hi, tag) & mask;
    let tomb = -1;
    for (;;) {
      const w = S[2 * i + 1]!;
      const t = w >>> 25;
      if (t === tag && S[2 * i] === hi) {
        S[2 * i + 1] = tag * TAG + v;
        return w & VAL_MASK;
      }
      if (t === EMPTY) break;
      if (t === DELETED && tomb < 0) tomb = i;
      i = (i + 1) & mask;
    }
    if (tomb >= 0) i = tomb;
    else this.used++;
    S[2 * i] = hi;
    S[2 * i + 1] = tag * TAG + v;
    this.size++;
    const cap = mask + 1;
    if (this.used * 10 > cap * 8) this.rehash(this.size * 10 > cap * 4 ? cap * 2 : cap);
    return -1;
  }

  delete(k: number): number {
    const hi = Math.floor(k / 64);
    const tag = k - hi * 64 + 2;
    const j = this.slot(hi, tag) + 1;
    const w = this.s[j]!;
    if (w >>> 25 !== tag) return -1;
    this.s[j] = DELETED * TAG;
    this.size--;
    return w & VAL_MASK;
  }

  forEach(cb: (k: number, v: number) => void): void {
    const S = this.s;
    for (let j = 0; j < S.length; j += 2) {
      const t = S[j + 1]! >>> 25;
      if (t > DELETED) cb(S[j]! * 64 + t - 2, S[j + 1]! & VAL_MASK);
    }
  }

  update(fn: (k: number, v: number) => number): void {
    const S = this.s;
    for (let j = 0; j < S.length; j += 2) {
      const t = S[j + 1]! >>> 25;
      if (t <= DELETED) continue;
      const v = fn(S[j]! * 64 + t - 2, S[j + 1]! & VAL_MASK);
      checkValue(v);
      S[j + 1] = t * TAG + v;
    }
  }

  clear(): void {
    this.s = new Uint32Array(32);
    this.mask = 15;
    this.used = 0;
    this.size = 0;
  }

  private rehash(cap: number): void {
    const o = this.s;
    this.s = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.used = this.size;
    for (let j = 0; j < o.length; j += 2) {
      const w = o[j + 1]!;
      const t = w >>> 25;
      if (t <= DELETED) continue;
      const i = this.slot(o[j]!, t);
      this.s[i] = o[j]!;
      this.s[i + 1] = w;
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
