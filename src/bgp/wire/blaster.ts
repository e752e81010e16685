import { ATTR, FLAG, HEADER_LEN, MAX_MESSAGE_SIZE, MSG } from './constants.js';
import { writeHeader } from './framer.js';
import { ipv4ToNumber } from './ip.js';

export interface BlastOptions {
  /** Number of IPv4 /24 prefixes, from `firstPrefix` upward. */
  prefixes: number;
  /** Number of distinct attribute sets; consecutive prefixes share a set, as a real sender groups them. */
  attrSets: number;
  /** The sender's AS (first in AS_PATH). */
  asn: number;
  nextHop: string;
  /** Encode AS numbers in 4 octets (the peer negotiated RFC 6793). Default true. */
  fourOctetAs?: boolean;
  maxMessageSize?: number;
  firstPrefix?: string;
}

/** Path attributes of set `j`: ORIGIN, AS_PATH [asn, 1000 + j % 50000, 200000 + j], NEXT_HOP, MED j, one community. */
function attrsFor(j: number, o: BlastOptions): Buffer {
  const four = o.fourOctetAs ?? true;
  const w = four ? 4 : 2;
  const path = [o.asn, 1000 + (j % 50000), four ? 200000 + j : 1 + (j % 64000)];
  const b = Buffer.alloc(4 + 3 + 2 + path.length * w + 7 + 7 + 7);
  let p = 0;
  b[p++] = FLAG.TRANSITIVE; b[p++] = ATTR.ORIGIN; b[p++] = 1; b[p++] = 0;
  b[p++] = FLAG.TRANSITIVE; b[p++] = ATTR.AS_PATH; b[p++] = 2 + path.length * w; b[p++] = 2; b[p++] = path.length;
  for (const a of path) p = four ? b.writeUInt32BE(a, p) : b.writeUInt16BE(a, p);
  b[p++] = FLAG.TRANSITIVE; b[p++] = ATTR.NEXT_HOP; b[p++] = 4; p = b.writeUInt32BE(ipv4ToNumber(o.nextHop), p);
  b[p++] = FLAG.OPTIONAL; b[p++] = ATTR.MULTI_EXIT_DISC; b[p++] = 4; p = b.writeUInt32BE(j, p);
  b[p++] = FLAG.OPTIONAL | FLAG.TRANSITIVE; b[p++] = ATTR.COMMUNITIES; b[p++] = 4; p = b.writeUInt32BE(((o.asn & 0xffff) * 65536 + (j & 0xffff)) >>> 0, p);
  return b.subarray(0, p);
}

/** Sizes of the run of set j: its attributes and how many prefixes it covers. */
function plan(o: BlastOptions): { ends: Uint32Array; total: number; max: number } {
  const max = o.maxMessageSize ?? MAX_MESSAGE_SIZE;
  const ends = new Uint32Array(o.attrSets);
  const per = o.prefixes / o.attrSets;
  let total = 0;
  let i = 0;
  for (let j = 0; j < o.attrSets; j++) {
    const end = Math.min(o.prefixes, Math.round((j + 1) * per));
    ends[j] = end;
    const fixed = HEADER_LEN + 4 + attrsFor(j, o).length;
    const perMsg = Math.floor((max - fixed) / 4);
    const n = end - i;
    total += Math.ceil(n / perMsg) * fixed + n * 4;
    i = end;
  }
  return { ends, total, max };
}

/**
 * Pre-builds, in one buffer, the UPDATE messages (with headers) announcing `prefixes` /24s with `attrSets`
 * attribute sets, as many NLRI per message as fit. For benchmarks: write it to a socket as is.
 */
export function buildUpdateBytes(o: BlastOptions): Buffer {
  const { ends, total, max } = plan(o);
  const base = ipv4ToNumber(o.firstPrefix ?? '1.0.0.0') >>> 8;
  const m = Buffer.allocUnsafe(total);
  let p = 0;
  let i = 0;
  for (let j = 0; j < o.attrSets; j++) {
    const end = ends[j]!;
    const attrs = attrsFor(j, o);
    const fixed = HEADER_LEN + 4 + attrs.length;
    const perMsg = Math.floor((max - fixed) / 4);
    while (i < end) {
      const n = Math.min(perMsg, end - i);
      writeHeader(m, p, fixed + n * 4, MSG.UPDATE);
      m.writeUInt16BE(0, p + HEADER_LEN);
      m.writeUInt16BE(attrs.length, p + HEADER_LEN + 2);
      attrs.copy(m, p + HEADER_LEN + 4);
      p += fixed;
      for (let k = 0; k < n; k++, i++) {
        const net = (base + i) & 0xffffff;
        m[p++] = 24;
        m[p++] = net >>> 16;
        m[p++] = (net >>> 8) & 255;
        m[p++] = net & 255;
      }
    }
  }
  return m;
}

/** The same stream as separate messages (views into one buffer). */
export function buildUpdateStream(o: BlastOptions): Buffer[] {
  const all = buildUpdateBytes(o);
  const out: Buffer[] = [];
  for (let p = 0; p < all.length; p += all.readUInt16BE(p + 16)) out.push(all.subarray(p, p + all.readUInt16BE(p + 16)));
  return out;
}

/** Splits a stream into chunks of about `size` octets, as TCP reads would deliver them. */
export function chunkStream(stream: Buffer | Buffer[], size = 65536): Buffer[] {
  const all = Array.isArray(stream) ? Buffer.concat(stream) : stream;
  const out: Buffer[] = [];
  for (let o = 0; o < all.length; o += size) out.push(all.subarray(o, Math.min(all.length, o + size)));
  return out;
}
