import { HEADER, HEADER_LEN, MARKER_LEN, MAX_MESSAGE_SIZE, MIN_LENGTH, MSG, NOTIF } from './constants.js';
import { wireError } from './errors.js';

export interface RawMessage {
  type: number;
  body: Buffer;
}

/** Header + body. The length field is computed. */
export function encodeMessage(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LEN + body.length);
  out.fill(0xff, 0, MARKER_LEN);
  out.writeUInt16BE(HEADER_LEN + body.length, 16);
  out[18] = type;
  body.copy(out, HEADER_LEN);
  return out;
}

/** Writes a header in place at `off` for a message of total length `len`. */
export function writeHeader(buf: Buffer, off: number, len: number, type: number): void {
  buf.fill(0xff, off, off + MARKER_LEN);
  buf.writeUInt16BE(len, off + 16);
  buf[off + 18] = type;
}

const lengthData = (len: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(len);
  return b;
};

/** Validates one header (RFC 4271 §6.1) and returns the message length. */
export function checkHeader(buf: Buffer, off: number, maxMessageSize: number): number {
  for (let i = 0; i < MARKER_LEN; i++) {
    if (buf[off + i] !== 0xff) {
      throw wireError('BGP header: marker is not all ones', NOTIF.MESSAGE_HEADER_ERROR, HEADER.CONNECTION_NOT_SYNCHRONIZED);
    }
  }
  const len = buf.readUInt16BE(off + 16);
  const type = buf[off + 18]!;
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    throw wireError(`BGP header: unknown message type ${type}`, NOTIF.MESSAGE_HEADER_ERROR, HEADER.BAD_MESSAGE_TYPE, Buffer.from([type]));
  }
  const max = type === MSG.OPEN || type === MSG.KEEPALIVE ? MAX_MESSAGE_SIZE : maxMessageSize;
  if (len < min || len > max || (type === MSG.KEEPALIVE && len !== HEADER_LEN)) {
    throw wireError(`BGP header: bad length ${len} for message type ${type}`, NOTIF.MESSAGE_HEADER_ERROR, HEADER.BAD_MESSAGE_LENGTH, lengthData(len));
  }
  return len;
}

/**
 * Splits a TCP byte stream into BGP messages. Keeps partial messages between pushes.
 * Throws BgpWireError (session-reset) with the RFC 4271 data on a bad header; the stream is unusable after.
 */
export class MessageFramer {
  private maxMessageSize: number;
  private pending: Buffer | undefined;

  constructor(opts: { maxMessageSize?: number } = {}) {
    this.maxMessageSize = opts.maxMessageSize ?? MAX_MESSAGE_SIZE;
  }

  /** After both sides announced the extended message capability (RFC 8654): 65535. */
  setMaxMessageSize(n: number): void {
    this.maxMessageSize = n;
  }

  push(chunk: Buffer): Array<{ type: number; body: Buffer }> {
    let buf = this.pending && this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    const out: RawMessage[] = [];
    let off = 0;
    while (buf.length - off >= HEADER_LEN) {
      const len = checkHeader(buf, off, this.maxMessageSize);
      if (buf.length - off < len) break;
      out.push({ type: buf[off + 18]!, body: buf.subarray(off + HEADER_LEN, off + len) });
      off += len;
    }
    if (off < buf.length) {
      // Copy the tail so that a large chunk is not retained by a small partial message.
      this.pending = Buffer.from(buf.subarray(off));
    }
    buf = Buffer.alloc(0);
    return out;
  }

  /** Bytes received but not yet forming a whole message. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }
}
