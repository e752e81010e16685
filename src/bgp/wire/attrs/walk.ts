import { FLAG } from '../constants.js';

/** Why a walk stopped early: the next attribute's header, or its value, runs past the attribute list. */
export const WALK = { OK: 0, HEADER_TRUNCATED: 1, OVERRUN: 2 } as const;
export type WalkError = (typeof WALK)[keyof typeof WALK];

/**
 * The one reader of path attribute headers (flags, type, 1- or 2-octet length; RFC 4271 §4.3). Allocation-free
 * cursor over buf[start, limit): `step()` reads the next header and returns false at the end or when the list
 * does not parse (`error` says which). The decoder, the receive fast path and the export rewriter all walk with it.
 *
 *   const w = new AttrWalk(b, start, end);
 *   while (w.step()) use(w.flags, w.type, w.value, w.end);
 *   if (w.error !== WALK.OK) ...   // w.at is where the bad attribute starts
 */
export class AttrWalk {
  /** Offset of the current attribute's flags octet. */
  at: number;
  flags = 0;
  type = 0;
  /** Value length; value is buf[value, end). */
  len = 0;
  value = 0;
  end: number;
  error: WalkError = WALK.OK;

  constructor(
    public buf: Buffer,
    start: number,
    public limit: number,
  ) {
    this.at = start;
    this.end = start;
  }

  /** Starts over on another list (hot paths keep one walker instead of allocating one per list). */
  reset(buf: Buffer, start: number, limit: number): this {
    this.buf = buf;
    this.limit = limit;
    this.at = this.end = start;
    this.error = WALK.OK;
    return this;
  }

  step(): boolean {
    const b = this.buf;
    const o = this.end;
    if (o >= this.limit) return false;
    this.at = o;
    const fl = b[o]!;
    const ext = (fl & FLAG.EXTENDED_LENGTH) !== 0;
    const hl = ext ? 4 : 3;
    if (this.limit - o < hl) {
      this.error = WALK.HEADER_TRUNCATED;
      return false;
    }
    this.flags = fl;
    this.type = b[o + 1]!;
    this.len = ext ? b.readUInt16BE(o + 2) : b[o + 2]!;
    this.value = o + hl;
    const end = this.value + this.len;
    if (end > this.limit) {
      this.error = WALK.OVERRUN;
      return false;
    }
    this.end = end;
    return true;
  }
}
