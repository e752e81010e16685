import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

export const ORIGIN_NAMES = ['igp', 'egp', 'incomplete'] as const;

/** ORIGIN (RFC 4271 §5.1.1); malformed → treat-as-withdraw (RFC 7606 §7.1). */
export const origin: AttrCodec<'origin'> = {
  type: ATTR.ORIGIN,
  key: 'origin',
  flags: FLAG.TRANSITIVE,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  decode(v) {
    if (v.length !== 1) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `ORIGIN length ${v.length}`);
    if (v[0]! > 2) throw new AttrMalformed(UPDATE_ERR.INVALID_ORIGIN_ATTRIBUTE, `ORIGIN value ${v[0]}`);
    return v[0]!;
  },
  encode: (x) => Buffer.from([x]),
  scan(b, v, end, _ctx, out) {
    if (end - v !== 1 || b[v]! > 2) return false;
    out.origin = b[v]!;
    return true;
  },
};
