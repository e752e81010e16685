import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

export function formatCommunity(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

/** The well-known communities (RFC 1997, RFC 8326, RFC 7999): the one declaration of their values. */
export const WELL_KNOWN_COMMUNITY = {
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  GRACEFUL_SHUTDOWN: 0xffff0000,
  BLACKHOLE: 0xffff029a,
} as const;

const WELL_KNOWN: Record<string, number> = {
  'no-export': WELL_KNOWN_COMMUNITY.NO_EXPORT,
  'no-advertise': WELL_KNOWN_COMMUNITY.NO_ADVERTISE,
  'no-export-subconfed': WELL_KNOWN_COMMUNITY.NO_EXPORT_SUBCONFED,
  'graceful-shutdown': WELL_KNOWN_COMMUNITY.GRACEFUL_SHUTDOWN,
  blackhole: WELL_KNOWN_COMMUNITY.BLACKHOLE,
};

export function parseCommunity(s: string): number {
  const w = WELL_KNOWN[s.toLowerCase()];
  if (w !== undefined) return w;
  const m = /^(\d+):(\d+)$/.exec(s);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff) throw new RangeError(`bad community ${s} (want ASN:VALUE, 16 bits each)`);
  return Number(m[1]) * 65536 + Number(m[2]);
}

/** COMMUNITIES (RFC 1997), order kept; malformed → treat-as-withdraw (RFC 7606 §7.8). */
export const communities: AttrCodec<'communities'> = {
  type: ATTR.COMMUNITIES,
  key: 'communities',
  flags: FLAG.OPTIONAL | FLAG.TRANSITIVE,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR,
  decode(v) {
    if (v.length === 0 || v.length % 4 !== 0) throw new AttrMalformed(UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR, `COMMUNITIES length ${v.length}`);
    const out: number[] = [];
    for (let i = 0; i < v.length; i += 4) out.push(v.readUInt32BE(i));
    return out;
  },
  scan: (_b, v, end) => end > v && (end - v) % 4 === 0,
  encode(x) {
    const b = Buffer.allocUnsafe(4 * x.length);
    x.forEach((c, i) => b.writeUInt32BE(c >>> 0, i * 4));
    return b;
  },
};
