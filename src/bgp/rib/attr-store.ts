/**
 * Interned byte strings (canonical path attribute sets), reference counted. Bytes live in one arena;
 * lookup is by a 32-bit FNV-1a hash with chaining in typed arrays. Ids are small integers, reused after free.
 */
export class AttrStore {
  private arena = Buffer.allocUnsafe(1 << 16);
  private arenaUsed = 0;
  private wasted = 0;
  private off = new Uint32Array(1024);
  private len = new Uint32Array(1024);
  private hashes = new Int32Array(1024);
  private next = new Int32Array(1024);
  refs = new Int32Array(1024);
  private buckets = new Int32Array(2048).fill(-1);
  private free: number[] = [];
  private top = 0;
  live = 0;
  /** Called with the new capacity when the id space grows (so side arrays can grow too). */
  onGrow?: (capacity: number) => void;

  get capacity(): number {
    return this.off.length;
  }

  static hash(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return h;
  }

  /** Finds the id of buf[start, end) or -1. */
  find(buf: Uint8Array, start: number, end: number, h = AttrStore.hash(buf, start, end)): number {
    const n = end - start;
    for (let id = this.buckets[h & (this.buckets.length - 1)]!; id >= 0; id = this.next[id]!) {
      if (this.hashes[id] !== h || this.len[id] !== n) continue;
      const o = this.off[id]!;
      let i = 0;
      while (i < n && this.arena[o + i] === buf[start + i]) i++;
      if (i === n) return id;
    }
    return -1;
  }

  /** Interns buf[start, end) and takes one reference. `created` tells whether it is new. */
  intern(buf: Uint8Array, start: number, end: number, h = AttrStore.hash(buf, start, end)): { id: number; created: boolean } {
    const found = this.find(buf, start, end, h);
    if (found >= 0) {
      this.refs[found]!++;
      return { id: found, created: false };
    }
    const id = this.free.length > 0 ? this.free.pop()! : this.top++;
    if (id >= this.off.length) this.growIds();
    const n = end - start;
    this.ensureArena(n);
    const arena = this.arena;
    const at = this.arenaUsed;
    if (n < 128) for (let i = 0; i < n; i++) arena[at + i] = buf[start + i]!;
    else arena.set(buf.subarray(start, end), at);
    this.off[id] = this.arenaUsed;
    this.len[id] = n;
    this.arenaUsed += n;
    this.hashes[id] = h;
    this.refs[id] = 1;
    const b = h & (this.buckets.length - 1);
    this.next[id] = this.buckets[b]!;
    this.buckets[b] = id;
    this.live++;
    if (this.live > this.buckets.length) this.rehash(this.buckets.length * 2);
    return { id, created: true };
  }

  /** Whether live entry id holds exactly buf[start, end). */
  equals(id: number, buf: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.refs[id]! <= 0 || this.len[id] !== n) return false;
    const o = this.off[id]!;
    const a = this.arena;
    for (let i = 0; i < n; i++) if (a[o + i] !== buf[start + i]) return false;
    return true;
  }

  addRef(id: number, n = 1): void {
    this.refs[id]! += n;
  }

  /** Drops references; frees the entry at zero. Returns true when freed. */
  release(id: number, n = 1): boolean {
    const r = (this.refs[id]! -= n);
    if (r > 0) return false;
    const b = this.hashes[id]! & (this.buckets.length - 1);
    if (this.buckets[b] === id) this.buckets[b] = this.next[id]!;
    else {
      let p = this.buckets[b]!;
      while (this.next[p] !== id) p = this.next[p]!;
      this.next[p] = this.next[id]!;
    }
    this.wasted += this.len[id]!;
    this.len[id] = 0;
    this.live--;
    this.free.push(id);
    return true;
  }

  bytes(id: number): Buffer {
    return this.arena.subarray(this.off[id]!, this.off[id]! + this.len[id]!);
  }

  private growIds(): void {
    const cap = this.off.length * 2;
    const grow = <T extends Uint32Array | Int32Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.off = grow(this.off, Uint32Array);
    this.len = grow(this.len, Uint32Array);
    this.hashes = grow(this.hashes, Int32Array);
    this.next = grow(this.next, Int32Array);
    this.refs = grow(this.refs, Int32Array);
    this.onGrow?.(cap);
  }

  private ensureArena(n: number): void {
    if (this.arenaUsed + n <= this.arena.length) return;
    if (this.wasted > this.arenaUsed / 2) {
      this.compact(n);
      return;
    }
    const bigger = Buffer.allocUnsafe(Math.max(Math.ceil(this.arena.length * 1.5), this.arenaUsed + n));
    this.arena.copy(bigger, 0, 0, this.arenaUsed);
    this.arena = bigger;
  }

  private compact(extra: number): void {
    const fresh = Buffer.allocUnsafe(Math.max(this.arena.length, (this.arenaUsed - this.wasted + extra) * 2));
    let used = 0;
    for (let id = 0; id < this.top; id++) {
      if (this.refs[id]! <= 0) continue;
      this.arena.copy(fresh, used, this.off[id]!, this.off[id]! + this.len[id]!);
      this.off[id] = used;
      used += this.len[id]!;
    }
    this.arena = fresh;
    this.arenaUsed = used;
    this.wasted = 0;
  }

  private rehash(n: number): void {
    this.buckets = new Int32Array(n).fill(-1);
    for (let id = 0; id < this.top; id++) {
      if (this.refs[id]! <= 0) continue;
      const b = this.hashes[id]! & (n - 1);
      this.next[id] = this.buckets[b]!;
      this.buckets[b] = id;
    }
  }
}
