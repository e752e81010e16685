import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { AttrMalformed, SEG, type AsPathSegment } from './types.js';

/**
 * Decodes AS_PATH-shaped segments with `width` octets per AS. Adjacent sequences split at 255 are joined,
 * so decode(encode(x)) deep-equals x. `allowConfed` is false for AS4_PATH (RFC 6793 §3).
 */
export function decodeSegments(v: Buffer, width: 2 | 4, what: string, allowConfed = true): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  let off = 0;
  while (off < v.length) {
    if (off + 2 > v.length) throw new AttrMalformed(UPDATE_ERR.MALFORMED_AS_PATH, `${what}: truncated segment header`);
    const type = v[off]!;
    const count = v[off + 1]!;
    off += 2;
    if (type < 1 || type > 4 || (!allowConfed && type > 2)) throw new AttrMalformed(UPDATE_ERR.MALFORMED_AS_PATH, `${what}: segment type ${type}`);
    if (count === 0) throw new AttrMalformed(UPDATE_ERR.MALFORMED_AS_PATH, `${what}: empty segment`);
    if (off + count * width > v.length) throw new AttrMalformed(UPDATE_ERR.MALFORMED_AS_PATH, `${what}: segment overruns the attribute`);
    const asns: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++, off += width) {
      const asn = width === 4 ? v.readUInt32BE(off) : v.readUInt16BE(off);
      if (asn === 0) throw new AttrMalformed(UPDATE_ERR.MALFORMED_AS_PATH, `${what}: AS 0 (RFC 7607)`);
      asns[i] = asn;
    }
    const prev = out[out.length - 1];
    const isSeq = type === SEG.AS_SEQUENCE || type === SEG.AS_CONFED_SEQUENCE;
    if (prev && isSeq && prev.type === type && prev.asns.length % 255 === 0) prev.asns.push(...asns);
    else out.push({ type: type as AsPathSegment['type'], asns });
  }
  return out;
}

export function encodeSegments(segs: AsPathSegment[], width: 2 | 4): Buffer {
  const parts: Buffer[] = [];
  for (const s of segs) {
    for (let i = 0; i < s.asns.length || i === 0; i += 255) {
      const chunk = s.asns.slice(i, i + 255);
      const b = Buffer.allocUnsafe(2 + chunk.length * width);
      b[0] = s.type;
      b[1] = chunk.length;
      chunk.forEach((a, j) => (width === 4 ? b.writeUInt32BE(a >>> 0, 2 + j * 4) : b.writeUInt16BE(a, 2 + j * 2)));
      parts.push(b);
      if (s.asns.length === 0) break;
    }
  }
  return Buffer.concat(parts);
}

/** Path length for best-path selection (RFC 4271 §9.1.2.2): an AS_SET counts 1, confederation segments 0. */
export function asPathLength(segs: AsPathSegment[] | undefined): number {
  let n = 0;
  for (const s of segs ?? []) n += s.type === SEG.AS_SEQUENCE ? s.asns.length : s.type === SEG.AS_SET ? 1 : 0;
  return n;
}

/** AS_PATH (RFC 4271 §5.1.2, RFC 6793); malformed → treat-as-withdraw (RFC 7606 §7.2). */
export const asPath: AttrCodec<'asPath'> = {
  type: ATTR.AS_PATH,
  key: 'asPath',
  flags: FLAG.TRANSITIVE,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.MALFORMED_AS_PATH,
  decode: (v, ctx) => decodeSegments(v, ctx.fourOctetAs ? 4 : 2, 'AS_PATH'),
  encode: (x, ctx) => encodeSegments(x, ctx.fourOctetAs ? 4 : 2),
  scan(b, v, end, ctx, out) {
    // The rules of decodeSegments (width 4, confederations allowed), plus the facts best path and the loop check need.
    let n = 0;
    let k = v;
    while (k < end) {
      if (end - k < 2) return false;
      const st = b[k]!;
      const cnt = b[k + 1]!;
      if (st < SEG.AS_SET || st > SEG.AS_CONFED_SET || cnt === 0 || k + 2 + cnt * 4 > end) return false;
      for (let i = 0; i < cnt; i++) {
        const asn = b.readUInt32BE(k + 2 + i * 4);
        if (asn === 0) return false;
        if (asn === ctx.localAsn) out.asLoop = true;
      }
      if (out.firstSegType === 0 && (st === SEG.AS_SET || st === SEG.AS_SEQUENCE)) {
        out.firstSegType = st;
        out.neighborAs = st === SEG.AS_SEQUENCE ? b.readUInt32BE(k + 2) : 0;
      }
      n += st === SEG.AS_SEQUENCE ? cnt : st === SEG.AS_SET ? 1 : 0;
      k += 2 + cnt * 4;
    }
    out.asPathLen = Math.min(n, 0xffff);
    return true;
  },
};
