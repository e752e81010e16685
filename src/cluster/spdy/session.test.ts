import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { FrameReader, GOAWAY, RST, encodeFrame, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './header-zlib.js';
import { SpdySession, type SpdyStream } from './session.js';

/** A real TCP connection: a SpdySession on the server end, raw frames on the client end. */
async function pair(onStream: (s: SpdyStream) => void) {
  const server = net.createServer((sock) => new SpdySession(sock).on('stream', onStream));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const reader = new FrameReader();
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  let closed = false;
  sock.on('data', (d: Buffer) => {
    frames.push(...reader.push(d));
    waiters.splice(0).forEach((w) => w());
  });
  sock.on('close', () => {
    closed = true;
    waiters.splice(0).forEach((w) => w());
  });
  const comp = new HeaderCompressor();
  const decomp = new HeaderDecompressor();
  const until = async (what: string, ok: () => boolean) => {
    while (!ok()) {
      if (closed) assert.fail(`connection closed while waiting for ${what}; frames: ${JSON.stringify(frames.map((f) => f.type))}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return {
    frames,
    send: (f: Frame) => sock.write(encodeFrame(f)),
    raw: (b: Buffer) => sock.write(b),
    open: async (id: number, headers: Record<string, string[]>, fin = false) =>
      sock.write(encodeFrame({ type: 'syn_stream', streamId: id, associatedTo: 0, priority: 0, fin, unidirectional: false, headerBlock: await comp.compress(headers) })),
    replyHeaders: (f: Frame) => (f.type === 'syn_reply' ? decomp.decompress(f.headerBlock) : Promise.reject(new Error(f.type))),
    until,
    closed: () => until('close', () => closed).catch(() => undefined).then(() => new Promise<void>((r) => (closed ? r() : sock.once('close', () => r())))),
    end: () => {
      sock.destroy();
      server.close();
      comp.close();
      decomp.close();
    },
  };
}

const ends: Array<() => void> = [];
after(() => ends.forEach((e) => e()));

test('session: a client stream is accepted with SYN_REPLY, data flows both ways, FIN both ways', async () => {
  const got: Array<{ headers: Record<string, string[]>; body: string }> = [];
  const c = await pair((s) => {
    s.reply();
    let body = '';
    s.on('data', (d: Buffer) => (body += d.toString()));
    s.on('end', () => {
      got.push({ headers: s.headers, body });
      s.end(body.toUpperCase());
    });
  });
  ends.push(c.end);
  await c.open(1, { streamtype: ['data'], port: ['80'] });
  await c.until('SYN_REPLY', () => c.frames.some((f) => f.type === 'syn_reply'));
  assert.deepEqual(await c.replyHeaders(c.frames[0]!), {});
  c.send({ type: 'data', streamId: 1, fin: false, data: Buffer.from('hello ') });
  c.send({ type: 'data', streamId: 1, fin: true, data: Buffer.from('world') });
  await c.until('FIN', () => c.frames.some((f) => f.type === 'data' && f.fin));
  assert.deepEqual(got, [{ headers: { streamtype: ['data'], port: ['80'] }, body: 'hello world' }]);
  const data = c.frames.filter((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data');
  assert.equal(Buffer.concat(data.map((f) => f.data)).toString(), 'HELLO WORLD');
  assert.ok(data.every((f) => f.streamId === 1));
  assert.ok(!c.frames.some((f) => f.type === 'rst_stream'), 'a stream closed by FIN both ways is not reset');
});

test('session: pings are echoed; a second stream reuses the header context; RST from the client closes the stream', async () => {
  const streams: SpdyStream[] = [];
  const c = await pair((s) => {
    streams.push(s);
    s.reply();
  });
  ends.push(c.end);
  c.send({ type: 'ping', id: 1 });
  await c.until('PING', () => c.frames.some((f) => f.type === 'ping'));
  assert.deepEqual(c.frames.find((f) => f.type === 'ping'), { type: 'ping', id: 1 });
  await c.open(1, { streamtype: ['error'], port: ['80'], requestid: ['0'] }, true);
  await c.open(3, { streamtype: ['data'], port: ['80'], requestid: ['0'] });
  await c.until('two replies', () => c.frames.filter((f) => f.type === 'syn_reply').length === 2);
  assert.deepEqual(streams.map((s) => [s.id, s.headers.streamtype![0]]), [[1, 'error'], [3, 'data']]);
  const closed = new Promise((r) => streams[1]!.once('close', r));
  c.send({ type: 'rst_stream', streamId: 3, status: RST.cancel });
  await closed;
  assert.ok(!c.frames.some((f) => f.type === 'rst_stream'), 'no RST answers an RST');
});

test('session: a refused stream gets RST_STREAM; data for a stream never opened gets INVALID_STREAM', async () => {
  const c = await pair((s) => s.reset(RST.refusedStream));
  ends.push(c.end);
  await c.open(1, { port: ['x'] });
  c.send({ type: 'data', streamId: 9, fin: false, data: Buffer.from('?') });
  await c.until('two resets', () => c.frames.filter((f) => f.type === 'rst_stream').length === 2);
  assert.deepEqual(c.frames.filter((f) => f.type === 'rst_stream'), [
    { type: 'rst_stream', streamId: 1, status: RST.refusedStream },
    { type: 'rst_stream', streamId: 9, status: RST.invalidStream },
  ]);
});

test('session: a malformed frame ends the connection with GOAWAY PROTOCOL_ERROR', async () => {
  const c = await pair((s) => s.reply());
  ends.push(c.end);
  c.raw(Buffer.from([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 5, 0, 0, 0, 1, 0]));
  await c.closed();
  assert.deepEqual(c.frames, [{ type: 'goaway', lastGoodStreamId: 0, status: GOAWAY.protocolError }]);
});

test('session: stream ids must be odd and increasing, a garbled header block is a session error', async () => {
  const a = await pair((s) => s.reply());
  ends.push(a.end);
  await a.open(3, { a: ['1'] });
  await a.open(1, { a: ['2'] });
  await a.closed();
  assert.deepEqual(a.frames.map((f) => f.type), ['syn_reply', 'goaway']);
  assert.deepEqual(a.frames[1], { type: 'goaway', lastGoodStreamId: 3, status: GOAWAY.protocolError });
  const b = await pair((s) => s.reply());
  ends.push(b.end);
  b.send({ type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headerBlock: Buffer.from('garbage') });
  await b.closed();
  assert.deepEqual(b.frames, [{ type: 'goaway', lastGoodStreamId: 0, status: GOAWAY.protocolError }]);
});
