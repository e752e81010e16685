/**
 * SPDY/3 header compression: each direction of a connection is ONE zlib stream preset with the
 * SPDY dictionary, and every header block is the output of a sync flush of that stream, so a
 * block can refer back to bytes of earlier blocks. Hence a context per direction per
 * connection, used strictly in frame order (calls are queued).
 */
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError, decodeHeaderBlock, encodeHeaderBlock, type SpdyHeaders } from './frames.js';

/** A decompressed header block larger than this is refused (a small compressed block can inflate to a lot). */
export const MAX_HEADER_BLOCK = 256 * 1024;

type Z = zlib.Deflate | zlib.Inflate;

/** Runs chunks through one zlib stream with a sync flush after each, one at a time. */
class FlushedZlib {
  private tail: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;

  constructor(private readonly z: Z, private readonly limit: number) {
    z.on('error', (e: Error) => (this.broken ??= e));
  }

  run(input: Buffer): Promise<Buffer> {
    const next = this.tail.then(() => this.once(input));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private once(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      const out: Buffer[] = [];
      let size = 0;
      const onData = (d: Buffer) => {
        out.push(d);
        size += d.length;
        if (size <= this.limit) return;
        // stop inflating at once: the rest of the block is never read
        this.broken = new RangeError(`header block inflates to more than ${this.limit} bytes`);
        done();
        this.z.close();
        reject(this.broken);
      };
      const onError = (e: Error) => {
        done();
        reject(e);
      };
      const done = () => {
        this.z.off('data', onData);
        this.z.off('error', onError);
      };
      this.z.on('data', onData);
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        done();
        if (this.broken) return reject(this.broken);
        resolve(Buffer.concat(out, size));
      });
    });
  }

  close(): void {
    this.z.close();
  }
}

/** Compresses the header blocks one side sends. */
export class HeaderCompressor {
  private readonly z = new FlushedZlib(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY, level: zlib.constants.Z_DEFAULT_COMPRESSION }), Number.MAX_SAFE_INTEGER);

  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.z.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.z.close();
  }
}

/** Decompresses the header blocks the other side sends; any zlib or block error is a SpdyProtocolError (a session error: the context is lost). */
export class HeaderDecompressor {
  private readonly z = new FlushedZlib(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }), MAX_HEADER_BLOCK);

  async decompress(block: Buffer, streamId?: number): Promise<SpdyHeaders> {
    let raw: Buffer;
    try {
      raw = await this.z.run(block);
    } catch (e) {
      throw new SpdyProtocolError(`cannot decompress the header block: ${(e as Error).message}`);
    }
    return decodeHeaderBlock(raw, streamId);
  }

  close(): void {
    this.z.close();
  }
}
