/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 changes), pure: frames to bytes
 * and an incremental reader from bytes to frames that refuses malformed input with a
 * SpdyProtocolError. Header blocks stay compressed here (header-zlib.ts owns the per-connection
 * zlib contexts); encodeHeaderBlock/decodeHeaderBlock convert the uncompressed name/value block.
 *
 *   control frame: 1 | version(15) | type(16) | flags(8) | length(24) | payload
 *   data frame:    0 | stream-id(31)          | flags(8) | length(24) | data
 */

export const SPDY_VERSION = 3;
/** The largest length the 24-bit length field can carry. */
export const MAX_FRAME_LENGTH = 0xffffff;

export const CONTROL = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const FLAG_CLEAR_SETTINGS = 0x01;

/** RST_STREAM status codes. */
export const RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, unsupportedVersion: 4, cancel: 5, internalError: 6, flowControlError: 7, streamInUse: 8, streamAlreadyClosed: 9, frameTooLarge: 11 } as const;
/** GOAWAY status codes. */
export const GOAWAY = { ok: 0, protocolError: 1, internalError: 2 } as const;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame type this implementation does not know: the spec says to ignore it. */
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

/** Header names (lower case) to their values. */
export type SpdyHeaders = Record<string, string[]>;

export class SpdyProtocolError extends Error {
  /** The stream at fault, when the error is about one stream (answered with RST_STREAM), else a session error (GOAWAY). */
  constructor(message: string, readonly streamId?: number, readonly status: number = RST.protocolError) {
    super(message);
  }
}

const ID_MASK = 0x7fffffff;

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new RangeError(`SPDY control frame of ${payload.length} bytes is over the 24-bit length`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 >>> 0) + payload.length, 4);
  return Buffer.concat([h, payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

function checkId(id: number, what: string): void {
  if (!Number.isInteger(id) || id < 1 || id > ID_MASK) throw new RangeError(`SPDY ${what} ${id} is not in 1..2^31-1`);
}

/** The wire bytes of one frame. */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': {
      checkId(f.streamId, 'stream id');
      if (f.data.length > MAX_FRAME_LENGTH) throw new RangeError(`SPDY data frame of ${f.data.length} bytes is over the 24-bit length`);
      const h = u32(f.streamId, ((f.fin ? FLAG_FIN : 0) << 24 >>> 0) + f.data.length);
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream': {
      checkId(f.streamId, 'stream id');
      const p = Buffer.alloc(10);
      p.writeUInt32BE(f.streamId, 0);
      p.writeUInt32BE(f.associatedTo & ID_MASK, 4);
      p[8] = (f.priority & 0x7) << 5;
      p[9] = 0; // slot: CREDENTIAL frames are gone in SPDY/3.1
      return control(CONTROL.synStream, (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0), Buffer.concat([p, f.headerBlock]));
    }
    case 'syn_reply':
      checkId(f.streamId, 'stream id');
      return control(CONTROL.synReply, f.fin ? FLAG_FIN : 0, Buffer.concat([u32(f.streamId), f.headerBlock]));
    case 'headers':
      checkId(f.streamId, 'stream id');
      return control(CONTROL.headers, f.fin ? FLAG_FIN : 0, Buffer.concat([u32(f.streamId), f.headerBlock]));
    case 'rst_stream':
      checkId(f.streamId, 'stream id');
      return control(CONTROL.rstStream, 0, u32(f.streamId, f.status));
    case 'settings': {
      const p = Buffer.alloc(4 + 8 * f.entries.length);
      p.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        p.writeUInt32BE((((e.flags & 0xff) << 24) >>> 0) + (e.id & 0xffffff), 4 + i * 8);
        p.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(CONTROL.settings, f.clear ? FLAG_CLEAR_SETTINGS : 0, p);
    }
    case 'ping':
      return control(CONTROL.ping, 0, u32(f.id));
    case 'goaway':
      return control(CONTROL.goaway, 0, u32(f.lastGoodStreamId & ID_MASK, f.status));
    case 'window_update':
      return control(CONTROL.windowUpdate, 0, u32(f.streamId & ID_MASK, f.delta & ID_MASK));
    case 'unknown':
      return control(f.frameType, f.flags, f.payload);
  }
}

function exactLength(type: string, length: number, want: number): void {
  if (length !== want) throw new SpdyProtocolError(`${type} frame has length ${length}, want ${want}`);
}

function minLength(type: string, length: number, min: number): void {
  if (length < min) throw new SpdyProtocolError(`${type} frame has length ${length}, less than its ${min} fixed bytes`);
}

function streamIdOf(type: string, p: Buffer): number {
  const id = p.readUInt32BE(0) & ID_MASK;
  if (id === 0) throw new SpdyProtocolError(`${type} frame for stream 0`);
  return id;
}

function parseControl(version: number, type: number, flags: number, p: Buffer): Frame {
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`control frame of SPDY version ${version}, only version ${SPDY_VERSION} is spoken`, undefined, RST.unsupportedVersion);
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case CONTROL.synStream:
      minLength('SYN_STREAM', p.length, 10);
      return { type: 'syn_stream', streamId: streamIdOf('SYN_STREAM', p), associatedTo: p.readUInt32BE(4) & ID_MASK, priority: p[8]! >> 5, fin, unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0, headerBlock: p.subarray(10) };
    case CONTROL.synReply:
      minLength('SYN_REPLY', p.length, 4);
      return { type: 'syn_reply', streamId: streamIdOf('SYN_REPLY', p), fin, headerBlock: p.subarray(4) };
    case CONTROL.headers:
      minLength('HEADERS', p.length, 4);
      return { type: 'headers', streamId: streamIdOf('HEADERS', p), fin, headerBlock: p.subarray(4) };
    case CONTROL.rstStream: {
      exactLength('RST_STREAM', p.length, 8);
      const status = p.readUInt32BE(4);
      if (status === 0) throw new SpdyProtocolError('RST_STREAM with status 0');
      return { type: 'rst_stream', streamId: streamIdOf('RST_STREAM', p), status };
    }
    case CONTROL.settings: {
      minLength('SETTINGS', p.length, 4);
      const n = p.readUInt32BE(0);
      if (p.length !== 4 + 8 * n) throw new SpdyProtocolError(`SETTINGS frame of length ${p.length} cannot hold ${n} entries`);
      const entries = Array.from({ length: n }, (_, i) => {
        const w = p.readUInt32BE(4 + i * 8);
        return { flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) };
      });
      return { type: 'settings', clear: (flags & FLAG_CLEAR_SETTINGS) !== 0, entries };
    }
    case CONTROL.ping:
      exactLength('PING', p.length, 4);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case CONTROL.goaway:
      exactLength('GOAWAY', p.length, 8);
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & ID_MASK, status: p.readUInt32BE(4) };
    case CONTROL.windowUpdate: {
      exactLength('WINDOW_UPDATE', p.length, 8);
      const delta = p.readUInt32BE(4) & ID_MASK;
      if (delta === 0) throw new SpdyProtocolError('WINDOW_UPDATE with a delta of 0', p.readUInt32BE(0) & ID_MASK || undefined, RST.flowControlError);
      return { type: 'window_update', streamId: p.readUInt32BE(0) & ID_MASK, delta };
    }
    default:
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

/**
 * Bytes in, whole frames out. A frame longer than `maxFrameLength` is refused as soon as its
 * header arrives, before its payload is buffered. After an error the reader stays failed: the
 * byte stream has lost its framing.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private failed: SpdyProtocolError | undefined;

  constructor(private readonly maxFrameLength = MAX_FRAME_LENGTH) {}

  push(chunk: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    try {
      while (this.buf.length >= 8) {
        const length = this.buf.readUInt32BE(4) & 0xffffff;
        if (length > this.maxFrameLength) throw new SpdyProtocolError(`frame of ${length} bytes is over the limit of ${this.maxFrameLength}`, undefined, RST.frameTooLarge);
        if (this.buf.length < 8 + length) break;
        const first = this.buf.readUInt32BE(0);
        const flags = this.buf[4]!;
        // copy, so that a frame kept by the caller does not pin the whole receive buffer
        const payload = Buffer.from(this.buf.subarray(8, 8 + length));
        this.buf = this.buf.subarray(8 + length);
        if (first & 0x80000000) out.push(parseControl((first >>> 16) & 0x7fff, first & 0xffff, flags, payload));
        else {
          const streamId = first & ID_MASK;
          if (streamId === 0) throw new SpdyProtocolError('DATA frame for stream 0');
          out.push({ type: 'data', streamId, fin: (flags & FLAG_FIN) !== 0, data: payload });
        }
      }
    } catch (e) {
      this.failed = e instanceof SpdyProtocolError ? e : new SpdyProtocolError((e as Error).message);
      throw this.failed;
    }
    return out;
  }

  /** Bytes received that do not yet make a whole frame. */
  get pending(): number {
    return this.buf.length;
  }
}

/** The uncompressed name/value header block: count, then length-prefixed names and NUL-joined values (all 32-bit lengths). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const names = Object.keys(headers);
  const parts: Buffer[] = [u32(names.length)];
  for (const name of names) {
    if (!name || name !== name.toLowerCase()) throw new RangeError(`SPDY header name "${name}" must be non-empty and lower case`);
    const values = headers[name]!;
    if (values.length > 1 && values.some((v) => !v)) throw new RangeError(`SPDY header ${name}: an empty value cannot be one of several`);
    if (values.some((v) => v.includes('\0'))) throw new RangeError(`SPDY header ${name}: a value cannot contain NUL`);
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Decodes an uncompressed header block; refuses truncation, trailing bytes, empty/upper-case/duplicate names, empty values in a list. */
export function decodeHeaderBlock(b: Buffer, streamId?: number): SpdyHeaders {
  const fail = (why: string): never => {
    throw new SpdyProtocolError(`malformed header block: ${why}`, streamId);
  };
  let off = 0;
  const take = (n: number, what: string): Buffer => {
    if (off + n > b.length) fail(`${what} runs past the end of the block`);
    const s = b.subarray(off, off + n);
    off += n;
    return s;
  };
  const count = take(4, 'the pair count').readUInt32BE(0);
  // every pair needs at least its two length words: refuses a huge count before looping
  if (count > (b.length - 4) / 8) fail(`${count} pairs cannot fit in ${b.length} bytes`);
  const out: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = take(take(4, 'a name length').readUInt32BE(0), 'a name').toString('utf8');
    if (!name) fail('empty header name');
    if (name !== name.toLowerCase()) fail(`header name "${name}" is not lower case`);
    if (Object.hasOwn(out, name)) fail(`header "${name}" appears twice`);
    const value = take(take(4, 'a value length').readUInt32BE(0), 'a value').toString('utf8');
    const values = value.split('\0');
    if (values.length > 1 && values.some((v) => !v)) fail(`header "${name}" has an empty value in its list`);
    out[name] = values;
  }
  if (off !== b.length) fail(`${b.length - off} bytes after the last pair`);
  return out;
}

/** The first value of a header, looked up case-insensitively (Go's http.Header sends canonical case, SPDY lower case). */
export function headerValue(h: SpdyHeaders, name: string): string | undefined {
  return h[name.toLowerCase()]?.[0];
}
