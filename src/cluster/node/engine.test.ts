import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Demuxer } from './engine.js';

const frame = (stream: number, s: string) => {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(Buffer.byteLength(s), 4);
  return Buffer.concat([h, Buffer.from(s)]);
};

it('demuxer: splits the engine\'s multiplexed stream, across chunk borders', () => {
  const got: string[] = [];
  const d = new Demuxer((s, b) => got.push(`${s}:${b.toString()}`));
  const all = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, 'more')]);
  d.push(all.subarray(0, 3));
  d.push(all.subarray(3, 12));
  d.push(all.subarray(12));
  assert.deepEqual(got, ['1:out', '2:err', '1:more']);
});
