import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { ipv4ToNumber, numberToIpv4 } from '../ip.js';
import { u32, type AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

/** ORIGINATOR_ID (RFC 4456); malformed → treat-as-withdraw (RFC 7606 §7.9). */
export const originatorId: AttrCodec<'originatorId'> = {
  type: ATTR.ORIGINATOR_ID,
  key: 'originatorId',
  flags: FLAG.OPTIONAL,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  ibgpOnly: true,
  decode(v) {
    if (v.length !== 4) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `ORIGINATOR_ID length ${v.length}`);
    return numberToIpv4(v.readUInt32BE(0));
  },
  encode: (x) => u32(ipv4ToNumber(x)),
  scan(b, v, end, _ctx, out) {
    if (end - v !== 4) return false;
    out.originatorId = b.readUInt32BE(v);
    return true;
  },
};
