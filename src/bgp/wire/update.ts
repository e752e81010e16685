import { AFI, MSG, NOTIF, UPDATE_ERR, ATTR } from './constants.js';
import { wireError, type BgpWireError } from './errors.js';
import { encodeMessage } from './framer.js';
import { decodePrefixes, encodePrefixes } from './prefix.js';
import { decodeAttributes, encodeAttributes, type AttrContext, type PathAttributes } from './attrs/index.js';

export interface Update {
  /** IPv4 withdrawn routes (RFC 4271 field); IPv6 ones travel in attributes.mpUnreach. */
  withdrawn: string[];
  attributes: PathAttributes;
  /** IPv4 NLRI; others travel in attributes.mpReach. */
  nlri: string[];
}

export interface DecodedUpdate extends Update {
  treatAsWithdraw: boolean;
  errors: BgpWireError[];
}

/** Where the three parts of an UPDATE body are. */
export interface UpdateLayout {
  withdrawnStart: number;
  withdrawnEnd: number;
  attrsStart: number;
  attrsEnd: number;
  nlriStart: number;
  nlriEnd: number;
}

/** Checks the two length fields (RFC 4271 §6.3: Malformed Attribute List, session reset). */
export function splitUpdate(body: Buffer): UpdateLayout {
  if (body.length < 4) throw wireError(`UPDATE body too short (${body.length})`, NOTIF.UPDATE_MESSAGE_ERROR, UPDATE_ERR.MALFORMED_ATTRIBUTE_LIST);
  const wLen = body.readUInt16BE(0);
  if (2 + wLen + 2 > body.length) {
    throw wireError(`UPDATE withdrawn routes length ${wLen} overruns the message`, NOTIF.UPDATE_MESSAGE_ERROR, UPDATE_ERR.MALFORMED_ATTRIBUTE_LIST);
  }
  const aLen = body.readUInt16BE(2 + wLen);
  const attrsStart = 4 + wLen;
  if (attrsStart + aLen > body.length) {
    throw wireError(`UPDATE total path attribute length ${aLen} overruns the message`, NOTIF.UPDATE_MESSAGE_ERROR, UPDATE_ERR.MALFORMED_ATTRIBUTE_LIST);
  }
  return { withdrawnStart: 2, withdrawnEnd: 2 + wLen, attrsStart, attrsEnd: attrsStart + aLen, nlriStart: attrsStart + aLen, nlriEnd: body.length };
}

/** Missing well-known mandatory attributes (RFC 4271 §6.3, RFC 7606 §3(d): treat-as-withdraw). */
export function missingMandatory(a: PathAttributes, hasIpv4Nlri: boolean): number | undefined {
  if (a.origin === undefined) return ATTR.ORIGIN;
  if (a.asPath === undefined) return ATTR.AS_PATH;
  if (hasIpv4Nlri && a.nextHop === undefined) return ATTR.NEXT_HOP;
  return undefined;
}

/** Decodes an UPDATE body. Session-reset errors throw BgpWireError; recoverable ones are in `errors`. */
export function decodeUpdate(body: Buffer, ctx: AttrContext): DecodedUpdate {
  const l = splitUpdate(body);
  const withdrawn = decodePrefixes(body, l.withdrawnStart, l.withdrawnEnd, AFI.IPV4);
  const { attrs, treatAsWithdraw, errors } = decodeAttributes(body, l.attrsStart, l.attrsEnd, ctx);
  const nlri = decodePrefixes(body, l.nlriStart, l.nlriEnd, AFI.IPV4);
  let withdraw = treatAsWithdraw;
  const reach = nlri.length > 0 || (attrs.mpReach?.nlri.length ?? 0) > 0;
  if (!withdraw && reach) {
    const missing = missingMandatory(attrs, nlri.length > 0);
    if (missing !== undefined) {
      withdraw = true;
      errors.push(wireError(`missing well-known attribute ${missing}`, NOTIF.UPDATE_MESSAGE_ERROR, UPDATE_ERR.MISSING_WELL_KNOWN_ATTRIBUTE, Buffer.from([missing]), 'treat-as-withdraw'));
    }
  }
  return { withdrawn, attributes: attrs, nlri, treatAsWithdraw: withdraw, errors };
}

/** Body of an UPDATE (lengths computed). */
export function encodeUpdateBody(u: Update, ctx: AttrContext): Buffer {
  const w = encodePrefixes(u.withdrawn, AFI.IPV4);
  const a = encodeAttributes(u.attributes, ctx);
  const n = encodePrefixes(u.nlri, AFI.IPV4);
  const body = Buffer.allocUnsafe(4 + w.length + a.length + n.length);
  body.writeUInt16BE(w.length, 0);
  w.copy(body, 2);
  body.writeUInt16BE(a.length, 2 + w.length);
  a.copy(body, 4 + w.length);
  n.copy(body, 4 + w.length + a.length);
  return body;
}

/** Full UPDATE message. Throws RangeError when it exceeds `maxMessageSize`. */
export function encodeUpdate(u: Update, ctx: AttrContext, maxMessageSize = 4096): Buffer {
  const msg = encodeMessage(MSG.UPDATE, encodeUpdateBody(u, ctx));
  if (msg.length > maxMessageSize) throw new RangeError(`UPDATE of ${msg.length} octets exceeds ${maxMessageSize}`);
  return msg;
}
