/**
 * Typed arrays that grow in place: the first growth moves the data into a resizable ArrayBuffer (virtual space
 * reserved up to `maxLen` elements, pages committed as it grows), and every later one resizes that buffer and
 * returns a new fixed-length view on it. A full table's columns (MBs each) then leave no old copy behind: with
 * plain arrays each doubling leaves the old backing store to the next full GC, which on a 1M-prefix receive kept
 * up to ~20 MB of dead arrays in the agent's RSS at its peak. Fixed-length views on a resizable buffer read and
 * write as fast as plain typed arrays (length-tracking views do not).
 */
type Growable = Int32Array | Uint32Array | Float64Array;
interface GrowableCtor<T extends Growable> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}
/** ES2024 resizable ArrayBuffer (Node ≥ 20); not in the ES2023 lib typings. */
interface Resizable {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  resize?(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, opts: { maxByteLength: number }) => ArrayBuffer;

/**
 * `a` with room for exactly `len` elements: the first min(len, a.length) kept, the rest zero. In place once `a`
 * is on a resizable buffer (shrinking gives pages back too); `a` must not be used afterwards.
 */
export function growTo<T extends Growable>(a: T, len: number, C: GrowableCtor<T>, maxLen: number): T {
  const bytes = len * C.BYTES_PER_ELEMENT;
  const buf = a.buffer as ArrayBuffer & Resizable;
  if (buf.resizable && a.byteOffset === 0 && bytes <= buf.maxByteLength!) {
    buf.resize!(bytes);
    return new C(buf, 0, len);
  }
  const next = new C(new ResizableArrayBuffer(bytes, { maxByteLength: Math.max(bytes, maxLen * C.BYTES_PER_ELEMENT) }), 0, len);
  next.set(len < a.length ? a.subarray(0, len) : a);
  return next;
}

/** A zeroed array of `len` on a resizable buffer of exactly that size, so that `release` can give it back. */
export function freshArray<T extends Growable>(len: number, C: GrowableCtor<T>): T {
  const bytes = len * C.BYTES_PER_ELEMENT;
  return new C(new ResizableArrayBuffer(bytes, { maxByteLength: bytes }), 0, len);
}

/**
 * Gives a replaced array's pages back now instead of at the next full GC (a resizable buffer shrunk to 0);
 * `a` and every view on its buffer must not be used afterwards. No-op for a plain array.
 */
export function release(a: Growable): void {
  const buf = a.buffer as ArrayBuffer & Resizable;
  if (buf.resizable) buf.resize!(0);
}
