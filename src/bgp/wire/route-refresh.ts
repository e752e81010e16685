import { MSG, NOTIF, ROUTE_REFRESH_ERR } from './constants.js';
import { wireError } from './errors.js';
import { encodeMessage } from './framer.js';

/** RFC 2918 / RFC 7313: subtype 0 = normal request, 1 = Begin-of-RIB-Refresh (BoRR), 2 = End-of-RIB-Refresh (EoRR). */
export interface RouteRefresh {
  afi: number;
  safi: number;
  subtype: 0 | 1 | 2;
}

export function encodeRouteRefresh(r: RouteRefresh): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(r.afi, 0);
  body[2] = r.subtype;
  body[3] = r.safi;
  return encodeMessage(MSG.ROUTE_REFRESH, body);
}

/**
 * RFC 7313 §5: a body that is not 4 octets is a ROUTE-REFRESH Message Error / Invalid Message Length,
 * with the complete message as data. A subtype above 2 is returned as is: RFC 7313 says to ignore it.
 */
export function decodeRouteRefresh(body: Buffer): { afi: number; safi: number; subtype: number } {
  if (body.length !== 4) {
    const header = Buffer.alloc(19, 0xff);
    header.writeUInt16BE(19 + body.length, 16);
    header[18] = MSG.ROUTE_REFRESH;
    throw wireError(
      `ROUTE-REFRESH body length ${body.length} (expected 4)`,
      NOTIF.ROUTE_REFRESH_MESSAGE_ERROR,
      ROUTE_REFRESH_ERR.INVALID_MESSAGE_LENGTH,
      Buffer.concat([header, body]),
    );
  }
  const afi = body.readUInt16BE(0);
  const subtype = body[2]!;
  const safi = body[3]!;
  return { afi, safi, subtype };
}
