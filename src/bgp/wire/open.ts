import { AS_TRANS, BGP_VERSION, MSG, NOTIF, OPEN_ERR } from './constants.js';
import { decodeCapabilitiesInto, emptyCapabilities, encodeCapabilities, type Capabilities } from './capabilities.js';
import { wireError } from './errors.js';
import { encodeMessage } from './framer.js';
import { ipv4ToNumber, numberToIpv4 } from './ip.js';

export interface OpenMessage {
  version: number;
  /** 4-octet AS if the capability is present, else the 2-octet field. */
  asn: number;
  holdTime: number;
  routerId: string;
  capabilities: Capabilities;
}

const PARAM_CAPABILITIES = 2;

/** Full OPEN message (header included). The 2-octet My AS field carries AS_TRANS when the AS does not fit. */
export function encodeOpen(o: OpenMessage): Buffer {
  const caps = encodeCapabilities(o.capabilities);
  // One Capabilities parameter per capability keeps every parameter well under 255 octets.
  const params = Buffer.concat(caps.map((c) => Buffer.concat([Buffer.from([PARAM_CAPABILITIES, c.length]), c])));
  if (params.length > 255) throw new RangeError(`OPEN optional parameters too long (${params.length})`);
  const body = Buffer.alloc(10 + params.length);
  body[0] = o.version;
  body.writeUInt16BE(o.asn > 0xffff ? AS_TRANS : o.asn, 1);
  body.writeUInt16BE(o.holdTime, 3);
  body.writeUInt32BE(ipv4ToNumber(o.routerId), 5);
  body[9] = params.length;
  params.copy(body, 10);
  return encodeMessage(MSG.OPEN, body);
}

const openErr = (msg: string, subcode: number, data?: Buffer) => wireError(`OPEN: ${msg}`, NOTIF.OPEN_MESSAGE_ERROR, subcode, data);

/** Decodes an OPEN body; throws BgpWireError with the RFC 4271 §6.2 subcode and data. */
export function decodeOpen(body: Buffer): OpenMessage {
  if (body.length < 10) throw openErr(`body too short (${body.length})`, 0);
  const version = body[0]!;
  if (version !== BGP_VERSION) {
    const data = Buffer.alloc(2);
    data.writeUInt16BE(BGP_VERSION);
    throw openErr(`unsupported version ${version}`, OPEN_ERR.UNSUPPORTED_VERSION_NUMBER, data);
  }
  const myAs = body.readUInt16BE(1);
  const holdTime = body.readUInt16BE(3);
  const id = body.readUInt32BE(5);
  let optLen = body[9]!;
  let off = 10;
  let extended = false;
  // RFC 9072 extended optional parameters length.
  if (optLen === 255 && body.length >= 13 && body[10] === 255) {
    extended = true;
    optLen = body.readUInt16BE(11);
    off = 13;
  }
  if (off + optLen !== body.length) throw openErr(`optional parameters length ${optLen} does not match the body`, 0);
  const capabilities = emptyCapabilities();
  const end = off + optLen;
  while (off < end) {
    const hdr = extended ? 3 : 2;
    if (off + hdr > end) throw openErr('truncated optional parameter', 0);
    const type = body[off]!;
    const len = extended ? body.readUInt16BE(off + 1) : body[off + 1]!;
    off += hdr;
    if (off + len > end) throw openErr(`optional parameter ${type} length ${len} overruns`, 0);
    if (type !== PARAM_CAPABILITIES) throw openErr(`unsupported optional parameter ${type}`, OPEN_ERR.UNSUPPORTED_OPTIONAL_PARAMETER);
    decodeCapabilitiesInto(capabilities, body.subarray(off, off + len));
    off += len;
  }
  if (holdTime === 1 || holdTime === 2) {
    throw openErr(`unacceptable hold time ${holdTime}`, OPEN_ERR.UNACCEPTABLE_HOLD_TIME);
  }
  if (id === 0) throw openErr('BGP identifier 0.0.0.0', OPEN_ERR.BAD_BGP_IDENTIFIER);
  const asn = capabilities.fourOctetAsn ?? myAs;
  if (asn === 0 || myAs === 0) {
    throw openErr(`bad peer AS ${asn}`, OPEN_ERR.BAD_PEER_AS);
  }
  return { version, asn, holdTime, routerId: numberToIpv4(id), capabilities };
}
