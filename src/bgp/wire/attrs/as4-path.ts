import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { decodeSegments, encodeSegments } from './as-path.js';

/** AS4_PATH (RFC 6793); malformed → attribute-discard (RFC 6793 §6). */
export const as4Path: AttrCodec<'as4Path'> = {
  type: ATTR.AS4_PATH,
  key: 'as4Path',
  flags: FLAG.OPTIONAL | FLAG.TRANSITIVE,
  onError: 'attribute-discard',
  lengthSubcode: UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR,
  decode: (v) => decodeSegments(v, 4, 'AS4_PATH', false),
  encode: (x) => encodeSegments(x, 4),
};
