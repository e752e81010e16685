import { AFI, ATTR, FLAG, MSG, SAFI } from './constants.js';
import { encodeMessage } from './framer.js';

/** End-of-RIB marker (RFC 4724 §2): an empty UPDATE for IPv4 unicast, else an empty MP_UNREACH_NLRI. */
export function encodeEndOfRib(afi: number, safi: number): Buffer {
  if (afi === AFI.IPV4 && safi === SAFI.UNICAST) return encodeMessage(MSG.UPDATE, Buffer.alloc(4));
  const body = Buffer.alloc(4 + 6);
  body.writeUInt16BE(0, 0);
  body.writeUInt16BE(6, 2);
  body[4] = FLAG.OPTIONAL;
  body[5] = ATTR.MP_UNREACH_NLRI;
  body[6] = 3;
  body.writeUInt16BE(afi, 7);
  body[9] = safi;
  return encodeMessage(MSG.UPDATE, body);
}

/** The family an UPDATE body marks as End-of-RIB, or undefined. */
export function endOfRibOf(body: Buffer): { afi: number; safi: number } | undefined {
  if (body.length === 4 && body.readUInt32BE(0) === 0) return { afi: AFI.IPV4, safi: SAFI.UNICAST };
  if (body.length === 10 && body.readUInt16BE(0) === 0 && body.readUInt16BE(2) === 6 && body[5] === ATTR.MP_UNREACH_NLRI && body[6] === 3) {
    return { afi: body.readUInt16BE(7), safi: body[9]! };
  }
  return undefined;
}
