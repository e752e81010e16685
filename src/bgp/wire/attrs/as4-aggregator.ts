import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import type { AttrCodec } from './codec.js';
import { decodeAgg, encodeAgg } from './aggregator.js';

/** AS4_AGGREGATOR (RFC 6793); malformed → attribute-discard. */
export const as4Aggregator: AttrCodec<'as4Aggregator'> = {
  type: ATTR.AS4_AGGREGATOR,
  key: 'as4Aggregator',
  flags: FLAG.OPTIONAL | FLAG.TRANSITIVE,
  onError: 'attribute-discard',
  lengthSubcode: UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR,
  decode: (v) => decodeAgg(v, 4, 'AS4_AGGREGATOR'),
  encode: (x) => encodeAgg(x, 4),
};
