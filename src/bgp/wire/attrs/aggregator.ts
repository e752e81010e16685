import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { ipv4ToNumber, numberToIpv4 } from '../ip.js';
import type { AttrCodec } from './codec.js';
import { AttrMalformed, type Aggregator } from './types.js';

export function decodeAgg(v: Buffer, width: 2 | 4, what: string): Aggregator {
  if (v.length !== width + 4) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `${what} length ${v.length}`);
  const asn = width === 4 ? v.readUInt32BE(0) : v.readUInt16BE(0);
  if (asn === 0) throw new AttrMalformed(UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR, `${what}: AS 0 (RFC 7607)`);
  return { asn, address: numberToIpv4(v.readUInt32BE(width)) };
}

export function encodeAgg(x: Aggregator, width: 2 | 4): Buffer {
  const b = Buffer.allocUnsafe(width + 4);
  if (width === 4) b.writeUInt32BE(x.asn >>> 0, 0);
  else b.writeUInt16BE(x.asn, 0);
  b.writeUInt32BE(ipv4ToNumber(x.address), width);
  return b;
}

/** AGGREGATOR (RFC 4271 §5.1.7, 6 or 8 octets by AS width); malformed → attribute-discard (RFC 7606 §7.7). */
export const aggregator: AttrCodec<'aggregator'> = {
  type: ATTR.AGGREGATOR,
  key: 'aggregator',
  flags: FLAG.OPTIONAL | FLAG.TRANSITIVE,
  onError: 'attribute-discard',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  decode: (v, ctx) => decodeAgg(v, ctx.fourOctetAs ? 4 : 2, 'AGGREGATOR'),
  encode: (x, ctx) => encodeAgg(x, ctx.fourOctetAs ? 4 : 2),
  scan: (b, v, end) => end - v === 8 && b.readUInt32BE(v) !== 0,
};
