import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { FrameReader, SpdyProtocolError, decodeHeaderBlock, encodeFrame, encodeHeaderBlock, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, MAX_HEADER_BLOCK } from './header-zlib.js';

const ALL: Frame[] = [
  { type: 'data', streamId: 1, fin: false, data: Buffer.from('hello') },
  { type: 'data', streamId: 0x7fffffff, fin: true, data: Buffer.alloc(0) },
  { type: 'syn_stream', streamId: 3, associatedTo: 0, priority: 7, fin: true, unidirectional: false, headerBlock: Buffer.from([1, 2, 3]) },
  { type: 'syn_stream', streamId: 5, associatedTo: 1, priority: 0, fin: false, unidirectional: true, headerBlock: Buffer.alloc(0) },
  { type: 'syn_reply', streamId: 3, fin: false, headerBlock: Buffer.from([9]) },
  { type: 'headers', streamId: 3, fin: true, headerBlock: Buffer.from([8, 7]) },
  { type: 'rst_stream', streamId: 3, status: 5 },
  { type: 'settings', clear: true, entries: [{ flags: 1, id: 7, value: 65536 }, { flags: 0, id: 4, value: 100 }] },
  { type: 'settings', clear: false, entries: [] },
  { type: 'ping', id: 1 },
  { type: 'goaway', lastGoodStreamId: 9, status: 0 },
  { type: 'window_update', streamId: 3, delta: 1024 },
  { type: 'unknown', frameType: 10, flags: 0, payload: Buffer.from('cred') },
];

test('dictionary: the 1423 bytes of SPDY/3 (adler32 e3c6a7c2, the dictionary id peers check)', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('utf-,*,enq=0.'));
});

test('frames: every type round-trips through the bytes, in one push and byte by byte', () => {
  const wire = Buffer.concat(ALL.map(encodeFrame));
  assert.deepEqual(new FrameReader().push(wire), ALL);
  const r = new FrameReader();
  const got: Frame[] = [];
  for (const b of wire) got.push(...r.push(Buffer.from([b])));
  assert.deepEqual(got, ALL);
  assert.equal(r.pending, 0);
});

test('frames: wire layout of a control and a data frame (version 3, flags, 24-bit length)', () => {
  assert.deepEqual([...encodeFrame({ type: 'ping', id: 7 })], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 7]);
  assert.deepEqual([...encodeFrame({ type: 'data', streamId: 5, fin: true, data: Buffer.from('ab') })], [0, 0, 0, 5, 0x01, 0, 0, 2, 0x61, 0x62]);
  const syn = encodeFrame({ type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 3, fin: false, unidirectional: true, headerBlock: Buffer.alloc(0) });
  assert.deepEqual([...syn.subarray(0, 8)], [0x80, 0x03, 0x00, 0x01, 0x02, 0, 0, 10]);
  assert.equal(syn[16], 3 << 5);
});

const refused = (bytes: number[] | Buffer, re: RegExp) => {
  const r = new FrameReader();
  assert.throws(() => r.push(Buffer.from(bytes)), (e: unknown) => e instanceof SpdyProtocolError && re.test(e.message));
  // the reader stays failed: the byte stream has no framing left
  assert.throws(() => r.push(encodeFrame({ type: 'ping', id: 1 })), SpdyProtocolError);
};

test('frames: malformed input is refused with a SpdyProtocolError', () => {
  refused([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1], /SPDY version 2/);
  refused([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 5, 0, 0, 0, 1, 0], /PING frame has length 5, want 4/);
  refused([0x80, 0x03, 0x00, 0x03, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0], /RST_STREAM with status 0/);
  refused([0x80, 0x03, 0x00, 0x03, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 5], /RST_STREAM frame for stream 0/);
  refused([0x80, 0x03, 0x00, 0x01, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0], /SYN_STREAM frame has length 9/);
  refused([0x80, 0x03, 0x00, 0x01, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], /SYN_STREAM frame for stream 0/);
  refused([0x80, 0x03, 0x00, 0x04, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0], /cannot hold 2 entries/);
  refused([0x80, 0x03, 0x00, 0x07, 0, 0, 0, 4, 0, 0, 0, 0], /GOAWAY frame has length 4/);
  refused([0x80, 0x03, 0x00, 0x09, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0], /delta of 0/);
  refused([0, 0, 0, 0, 0, 0, 0, 1, 0x41], /DATA frame for stream 0/);
  const big = new FrameReader(1024);
  assert.throws(() => big.push(Buffer.from([0, 0, 0, 1, 0, 0, 0x04, 0x01])), /1025 bytes is over the limit of 1024/);
});

test('frames: encoding refuses what the wire cannot carry', () => {
  assert.throws(() => encodeFrame({ type: 'data', streamId: 0, fin: false, data: Buffer.alloc(0) }), /stream id 0/);
  assert.throws(() => encodeFrame({ type: 'data', streamId: 1, fin: false, data: Buffer.alloc(0x1000000) }), /24-bit length/);
});

test('header block: round trip, multi-values joined by NUL, malformed blocks refused', () => {
  const h = { streamtype: ['data'], port: ['80'], requestid: ['0'], multi: ['a', 'b'], empty: [''] };
  const b = encodeHeaderBlock(h);
  assert.deepEqual(decodeHeaderBlock(b), h);
  assert.deepEqual([...b.subarray(0, 8)], [0, 0, 0, 5, 0, 0, 0, 10]);
  assert.throws(() => encodeHeaderBlock({ Port: ['80'] }), /lower case/);
  const bad = (bytes: Buffer, re: RegExp) => assert.throws(() => decodeHeaderBlock(bytes), (e: unknown) => e instanceof SpdyProtocolError && re.test(e.message));
  bad(b.subarray(0, b.length - 1), /runs past the end/);
  bad(Buffer.concat([b, Buffer.from([0])]), /1 bytes after the last pair/);
  bad(Buffer.from([0xff, 0xff, 0xff, 0xff]), /cannot fit/);
  const pair = (name: string, value: string) => Buffer.concat([u32(name.length), Buffer.from(name), u32(value.length), Buffer.from(value)]);
  bad(Buffer.concat([u32(1), pair('Port', '80')]), /not lower case/);
  bad(Buffer.concat([u32(2), pair('port', '80'), pair('port', '81')]), /appears twice/);
  bad(Buffer.concat([u32(1), pair('', 'x')]), /empty header name/);
  bad(Buffer.concat([u32(1), pair('x', 'a\0\0b')]), /empty value in its list/);
});

test('header compression: one zlib context per direction, blocks decompress in order', async () => {
  const c = new HeaderCompressor();
  const d = new HeaderDecompressor();
  const blocks = await Promise.all(Array.from({ length: 50 }, (_, i) => c.compress({ streamtype: [i % 2 ? 'data' : 'error'], port: ['80'], requestid: [String(i)] })));
  for (let i = 0; i < blocks.length; i++) assert.deepEqual(await d.decompress(blocks[i]!), { streamtype: [i % 2 ? 'data' : 'error'], port: ['80'], requestid: [String(i)] });
  // later blocks refer back to earlier ones: the shared context is what makes them small
  assert.ok(blocks[10]!.length < blocks[0]!.length, `${blocks[10]!.length} < ${blocks[0]!.length}`);
  // a block alone, out of its context, does not decompress to the same headers
  await assert.rejects(new HeaderDecompressor().decompress(blocks[10]!));
  c.close();
  d.close();
});

test('header compression: interoperates with a one-shot zlib stream preset with the dictionary', async () => {
  const h = { streamtype: ['error'], port: ['8080'], requestid: ['3'] };
  const oneShot = zlib.deflateSync(encodeHeaderBlock(h), { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.deepEqual(await new HeaderDecompressor().decompress(oneShot), h);
  const block = await new HeaderCompressor().compress(h);
  assert.equal(block.readUInt16BE(0) & 0x20, 0x20, 'FDICT set in the zlib header');
  assert.equal(block.readUInt32BE(2), 0xe3c6a7c2, 'dictionary id in the zlib header');
  assert.deepEqual(decodeHeaderBlock(zlib.inflateSync(block, { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH })), h);
});

test('header decompression: garbage, a wrong dictionary and an inflation bomb are refused', async () => {
  await assert.rejects(new HeaderDecompressor().decompress(Buffer.from('not zlib at all')), (e: unknown) => e instanceof SpdyProtocolError && /cannot decompress/.test(e.message));
  const otherDict = zlib.deflateSync(encodeHeaderBlock({ a: ['b'] }), { dictionary: Buffer.from('another dictionary'), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  await assert.rejects(new HeaderDecompressor().decompress(otherDict), SpdyProtocolError);
  const bomb = zlib.deflateSync(Buffer.alloc(MAX_HEADER_BLOCK * 4), { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.ok(bomb.length < 4096);
  await assert.rejects(new HeaderDecompressor().decompress(bomb), (e: unknown) => e instanceof SpdyProtocolError && /more than 262144 bytes/.test(e.message));
  // a decompressor that failed stays failed: its context is gone
  const d = new HeaderDecompressor();
  await assert.rejects(d.decompress(Buffer.from('junk')));
  await assert.rejects(d.decompress(await new HeaderCompressor().compress({ a: ['b'] })));
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Adler-32 (RFC 1950 §8.2), the checksum zlib uses as the dictionary id. */
function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}
