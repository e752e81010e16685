import type { WireErrorAction } from '../errors.js';
import type { AttrContext, PathAttributes } from './types.js';

/** One path attribute type: its code, expected flags, RFC 7606 action when malformed, and value codec. */
export interface AttrCodec<K extends keyof PathAttributes> {
  type: number;
  key: K;
  /** Expected Optional|Transitive bits. */
  flags: number;
  /** What RFC 7606 prescribes when this attribute is malformed (including a flags conflict). */
  onError: WireErrorAction;
  /** Subcode RFC 4271 would use for a bad length. */
  lengthSubcode: number;
  decode(v: Buffer, ctx: AttrContext): NonNullable<PathAttributes[K]>;
  encode(x: NonNullable<PathAttributes[K]>, ctx: AttrContext): Buffer;
}

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
