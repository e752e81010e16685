import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { u32, type AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

/** LOCAL_PREF (RFC 4271 §5.1.5); malformed → treat-as-withdraw; from an eBGP peer → discarded (RFC 7606 §7.5). */
export const localPref: AttrCodec<'localPref'> = {
  type: ATTR.LOCAL_PREF,
  key: 'localPref',
  flags: FLAG.TRANSITIVE,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  ibgpOnly: true,
  decode(v) {
    if (v.length !== 4) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `LOCAL_PREF length ${v.length}`);
    return v.readUInt32BE(0);
  },
  encode: (x) => u32(x),
  scan(b, v, end, _ctx, out) {
    if (end - v !== 4) return false;
    out.localPref = b.readUInt32BE(v);
    return true;
  },
};
