import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

export function formatLargeCommunity(c: [number, number, number]): string {
  return `${c[0]}:${c[1]}:${c[2]}`;
}

export function parseLargeCommunity(s: string): [number, number, number] {
  const m = /^(\d+):(\d+):(\d+)$/.exec(s);
  const v = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (v.length !== 3 || v.some((x) => x > 0xffffffff)) throw new RangeError(`bad large community ${s} (want A:B:C, 32 bits each)`);
  return v as [number, number, number];
}

/** LARGE_COMMUNITY (RFC 8092); malformed → treat-as-withdraw (RFC 8092 §5). */
export const largeCommunities: AttrCodec<'largeCommunities'> = {
  type: ATTR.LARGE_COMMUNITY,
  key: 'largeCommunities',
  flags: FLAG.OPTIONAL | FLAG.TRANSITIVE,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR,
  decode(v) {
    if (v.length === 0 || v.length % 12 !== 0) throw new AttrMalformed(UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR, `LARGE_COMMUNITY length ${v.length}`);
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < v.length; i += 12) out.push([v.readUInt32BE(i), v.readUInt32BE(i + 4), v.readUInt32BE(i + 8)]);
    return out;
  },
  scan: (_b, v, end) => end > v && (end - v) % 12 === 0,
  encode(x) {
    const b = Buffer.allocUnsafe(12 * x.length);
    x.forEach((c, i) => {
      b.writeUInt32BE(c[0] >>> 0, i * 12);
      b.writeUInt32BE(c[1] >>> 0, i * 12 + 4);
      b.writeUInt32BE(c[2] >>> 0, i * 12 + 8);
    });
    return b;
  },
};
