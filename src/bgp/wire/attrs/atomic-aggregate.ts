import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

/** ATOMIC_AGGREGATE (RFC 4271 §5.1.6); malformed → attribute-discard (RFC 7606 §7.6). */
export const atomicAggregate: AttrCodec<'atomicAggregate'> = {
  type: ATTR.ATOMIC_AGGREGATE,
  key: 'atomicAggregate',
  flags: FLAG.TRANSITIVE,
  onError: 'attribute-discard',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  decode(v) {
    if (v.length !== 0) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `ATOMIC_AGGREGATE length ${v.length}`);
    return true;
  },
  encode: () => Buffer.alloc(0),
  scan: (_b, v, end) => end === v,
};
