import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { ipv4ToNumber, numberToIpv4 } from '../ip.js';
import { u32, type AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

/** True for next hops that can never be valid (RFC 4271 §6.3, RFC 7606 §7.3): 0/8, 127/8, 224/3. */
export function isMartianNextHop(n: number): boolean {
  const a = n >>> 24;
  return a === 0 || a === 127 || a >= 224;
}

/** NEXT_HOP (RFC 4271 §5.1.3); malformed → treat-as-withdraw (RFC 7606 §7.3). */
export const nextHop: AttrCodec<'nextHop'> = {
  type: ATTR.NEXT_HOP,
  key: 'nextHop',
  flags: FLAG.TRANSITIVE,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  decode(v) {
    if (v.length !== 4) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `NEXT_HOP length ${v.length}`);
    const n = v.readUInt32BE(0);
    if (isMartianNextHop(n)) throw new AttrMalformed(UPDATE_ERR.INVALID_NEXT_HOP_ATTRIBUTE, `NEXT_HOP ${numberToIpv4(n)} is not a valid host address`);
    return numberToIpv4(n);
  },
  encode: (x) => u32(ipv4ToNumber(x)),
  scan(b, v, end, _ctx, out) {
    if (end - v !== 4 || isMartianNextHop(b.readUInt32BE(v))) return false;
    out.nextHop = b.readUInt32BE(v);
    return true;
  },
};
