import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { u32, type AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

/** MULTI_EXIT_DISC (RFC 4271 §5.1.4); malformed → treat-as-withdraw (RFC 7606 §7.4). */
export const med: AttrCodec<'med'> = {
  type: ATTR.MULTI_EXIT_DISC,
  key: 'med',
  flags: FLAG.OPTIONAL,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  decode(v) {
    if (v.length !== 4) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `MULTI_EXIT_DISC length ${v.length}`);
    return v.readUInt32BE(0);
  },
  encode: (x) => u32(x),
  scan(b, v, end, _ctx, out) {
    if (end - v !== 4) return false;
    out.med = b.readUInt32BE(v);
    return true;
  },
};
