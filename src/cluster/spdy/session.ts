/**
 * The server side of a SPDY/3.1 connection: the client opens streams (odd ids, increasing), the
 * server accepts each with SYN_REPLY or refuses it with RST_STREAM, and both sides send DATA
 * until each has sent FIN. PINGs from the client are echoed. Frames are handled one at a time in
 * arrival order (header blocks decompress asynchronously) and written one at a time in the order
 * they were produced. A stream error answers RST_STREAM; a session error answers GOAWAY and ends
 * the connection.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { FrameReader, GOAWAY, RST, SpdyProtocolError, encodeFrame, type Frame, type SpdyHeaders } from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './header-zlib.js';

/** Largest DATA payload written in one frame (the client buffers a whole frame). */
const DATA_CHUNK = 64 * 1024;

export interface SpdySessionOptions {
  log?: (line: Record<string, unknown>) => void;
  maxFrameLength?: number;
}

/** One client-initiated stream. Readable: the client's DATA until its FIN. Writable: our DATA, end() sends FIN. */
export class SpdyStream extends Duplex {
  private localFin = false;
  private remoteFin = false;
  private peerReset = false;
  private replied = false;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: SpdyHeaders) {
    super({ allowHalfOpen: true });
    // a write after the session ended fails; the owner learns it from 'close', not from a crash
    this.on('error', (e) => session.log({ msg: 'spdy stream error', stream: id, error: e.message }));
  }

  /** Accepts the stream (SYN_REPLY). */
  reply(): void {
    if (this.replied || this.destroyed) return;
    this.replied = true;
    void this.session.sendReply(this.id).catch(() => undefined);
  }

  /** Refuses or abandons the stream (RST_STREAM). */
  reset(status: number = RST.cancel): void {
    if (this.destroyed) return;
    if (!this.peerReset) void this.session.sendReset(this.id, status).catch(() => undefined);
    this.peerReset = true; // nothing more to send about it
    this.destroy();
  }

  /** The client finished its side (FIN). */
  remoteEnd(): void {
    if (this.remoteFin) return;
    this.remoteFin = true;
    this.push(null);
  }

  get remoteEnded(): boolean {
    return this.remoteFin;
  }

  /** The client reset the stream: no RST back. */
  resetByPeer(): void {
    this.peerReset = true;
    this.emit('reset');
    this.destroy();
  }

  /** Data from the client; false when the reader is full (the session then pauses its socket). */
  deliver(data: Buffer): boolean {
    return this.push(data);
  }

  override _read(): void {
    this.session.resumeInput();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false).then(() => cb(), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.localFin = true;
    this.session.sendData(this.id, Buffer.alloc(0), true).then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.peerReset && !(this.localFin && this.remoteFin)) void this.session.sendReset(this.id, RST.cancel).catch(() => undefined);
    this.session.forget(this.id);
    cb(err);
  }
}

export interface SpdySession {
  on(event: 'stream', listener: (s: SpdyStream) => void): this;
  on(event: 'close', listener: () => void): this;
}

export class SpdySession extends EventEmitter {
  private readonly reader: FrameReader;
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private lastClientId = 0;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private goneAway = false;
  private closed = false;
  readonly log: (line: Record<string, unknown>) => void;

  constructor(private readonly socket: Duplex, opts: SpdySessionOptions = {}) {
    super();
    this.log = opts.log ?? (() => undefined);
    this.reader = new FrameReader(opts.maxFrameLength);
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.close(GOAWAY.ok));
    socket.on('close', () => this.teardown());
    socket.on('error', (e) => {
      this.log({ msg: 'spdy connection error', error: e.message });
      this.teardown();
    });
  }

  get streamCount(): number {
    return this.streams.size;
  }

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.inbound = this.inbound.then(() => this.fail(e as Error));
      return;
    }
    for (const f of frames) this.inbound = this.inbound.then(() => this.handle(f)).catch((e: Error) => this.fail(e));
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closed) return;
    switch (f.type) {
      case 'syn_stream': {
        // decompress first: the header context must follow every block, even of a refused stream
        let headers: SpdyHeaders | undefined;
        let bad: SpdyProtocolError | undefined;
        try {
          headers = await this.decompressor.decompress(f.headerBlock, f.streamId);
        } catch (e) {
          if (!(e instanceof SpdyProtocolError) || e.streamId === undefined) throw e;
          bad = e;
        }
        if (f.streamId % 2 === 0 || f.streamId <= this.lastClientId)
          throw new SpdyProtocolError(`SYN_STREAM for stream ${f.streamId}: client streams are odd and increasing (last ${this.lastClientId})`);
        this.lastClientId = f.streamId;
        if (bad) throw bad;
        if (this.goneAway) return void (await this.sendReset(f.streamId, RST.refusedStream));
        const s = new SpdyStream(this, f.streamId, headers!);
        this.streams.set(f.streamId, s);
        if (f.fin) s.remoteEnd();
        if (!this.emit('stream', s)) s.reset(RST.refusedStream);
        return;
      }
      case 'syn_reply':
      case 'headers': {
        await this.decompressor.decompress(f.headerBlock, f.streamId);
        if (f.type === 'headers' && f.fin) this.streams.get(f.streamId)?.remoteEnd();
        // this server opens no streams, so a SYN_REPLY can only be for a stream it does not know
        if (f.type === 'syn_reply') await this.sendReset(f.streamId, RST.invalidStream);
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s) {
          // late data for a stream already closed here is dropped; a stream never opened is an error
          if (f.streamId > this.lastClientId) await this.sendReset(f.streamId, RST.invalidStream);
          return;
        }
        if (s.remoteEnded) return void s.reset(RST.streamAlreadyClosed);
        if (f.data.length && !s.deliver(f.data)) this.socket.pause();
        if (f.fin) s.remoteEnd();
        return;
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.resetByPeer();
        return;
      case 'ping':
        // client pings are odd; an even id would answer a ping of ours, and this side sends none
        if (f.id % 2 === 1) await this.write(() => encodeFrame(f));
        return;
      case 'goaway':
        this.goneAway = true;
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        // no flow control (spdystream has none either); unknown control frames are ignored per the spec
        return;
    }
  }

  private async fail(e: Error): Promise<void> {
    if (this.closed) return;
    const err = e instanceof SpdyProtocolError ? e : new SpdyProtocolError(e.message, undefined, RST.internalError);
    this.log({ msg: 'spdy protocol error', error: err.message, stream: err.streamId });
    if (err.streamId !== undefined) {
      const s = this.streams.get(err.streamId);
      if (s) s.reset(err.status);
      else await this.sendReset(err.streamId, err.status).catch(() => undefined);
      return;
    }
    this.close(err.status === RST.internalError ? GOAWAY.internalError : GOAWAY.protocolError);
  }

  /** Sends GOAWAY with `status` and ends the connection; every open stream is torn down. */
  close(status: number = GOAWAY.ok): void {
    if (this.closed) return;
    const last = this.lastClientId;
    void this.write(() => encodeFrame({ type: 'goaway', lastGoodStreamId: last, status }))
      .catch(() => undefined)
      .finally(() => {
        this.socket.end();
        this.teardown();
      });
    this.goneAway = true;
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.resetByPeer();
    this.streams.clear();
    this.compressor.close();
    this.decompressor.close();
    if (!this.socket.destroyed) this.socket.destroy();
    this.emit('close');
  }

  /** Writes frames strictly in the order asked, waiting for the socket to drain. */
  private write(make: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.outbound.then(async () => {
      if (this.closed || this.socket.destroyed) throw new Error('SPDY connection closed');
      const buf = await make();
      if (this.socket.write(buf)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    });
    this.outbound = next.catch(() => undefined);
    return next;
  }

  sendReply(id: number): Promise<void> {
    return this.write(async () => encodeFrame({ type: 'syn_reply', streamId: id, fin: false, headerBlock: await this.compressor.compress({}) }));
  }

  sendReset(id: number, status: number): Promise<void> {
    return this.write(() => encodeFrame({ type: 'rst_stream', streamId: id, status }));
  }

  async sendData(id: number, data: Buffer, fin: boolean): Promise<void> {
    for (let off = 0; off < data.length || (fin && off === 0); off += DATA_CHUNK) {
      const part = data.subarray(off, off + DATA_CHUNK);
      const last = off + DATA_CHUNK >= data.length;
      await this.write(() => encodeFrame({ type: 'data', streamId: id, fin: fin && last, data: part }));
      if (!data.length) break;
    }
  }

  resumeInput(): void {
    if (!this.closed && this.socket.isPaused()) this.socket.resume();
  }

  forget(id: number): void {
    this.streams.delete(id);
  }
}
