import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlPacket, decodeControl, encodeControl, type ControlPacket } from './packet.js';

const base = (over: Partial<ControlPacket> = {}): ControlPacket =>
  controlPacket({ state: 'Up', detectMult: 3, myDiscr: 0x01020304, yourDiscr: 0xa0b0c0d0, desiredMinTxUs: 300_000, requiredMinRxUs: 250_000, ...over });

test('round trip keeps every field', () => {
  for (const p of [
    base(),
    base({ state: 'Down', yourDiscr: 0, diag: 1, poll: true }),
    base({ state: 'Init', final: true, cpi: true, demand: true, requiredMinEchoRxUs: 50_000, diag: 31 }),
    base({ state: 'AdminDown', yourDiscr: 0, diag: 7, detectMult: 255, myDiscr: 0xffffffff, desiredMinTxUs: 0xffffffff }),
  ]) {
    const b = encodeControl(p);
    assert.equal(b.length, 24);
    const d = decodeControl(b);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    assert.deepEqual(d.packet, p);
  }
});

test('wire layout: version 1, state and flag bits, length 24, intervals in microseconds', () => {
  const b = encodeControl(base({ diag: 3, poll: true }));
  assert.equal(b[0], (1 << 5) | 3);
  assert.equal(b[1], (3 << 6) | 0x20);
  assert.equal(b[2], 3);
  assert.equal(b[3], 24);
  assert.equal(b.readUInt32BE(12), 300_000);
  assert.equal(b.readUInt32BE(16), 250_000);
});

test('a datagram longer than Length is accepted (trailing bytes ignored)', () => {
  const d = decodeControl(Buffer.concat([encodeControl(base()), Buffer.alloc(8)]));
  assert.ok(d.ok);
});

/** Each case: a change to a valid packet and the discard reason §6.8.6 calls for. */
const refused: Array<[string, (b: Buffer) => Buffer, RegExp]> = [
  ['version 0', (b) => ((b[0] = b[0]! & 0x1f), b), /version 0/],
  ['version 2', (b) => ((b[0] = (2 << 5) | (b[0]! & 0x1f)), b), /version 2/],
  ['length below 24', (b) => ((b[3] = 20), b), /length 20 below the minimum 24/],
  ['length beyond the datagram', (b) => ((b[3] = 48), b), /length 48 exceeds the 24-byte datagram/],
  ['truncated datagram', (b) => b.subarray(0, 20), /exceeds the 20-byte datagram/],
  ['too short for a header', (b) => b.subarray(0, 3), /shorter than a BFD header/],
  ['A bit with length 24 (below 26)', (b) => ((b[1] = b[1]! | 0x04), b), /length 24 below the minimum 26 with the A bit/],
  ['A bit without authentication in use', (b) => ((b[1] = b[1]! | 0x04), (b[3] = 28), Buffer.concat([b, Buffer.from([1, 4, 0, 0])])), /authentication present but not in use/],
  ['detect multiplier 0', (b) => ((b[2] = 0), b), /detect multiplier 0/],
  ['multipoint bit', (b) => ((b[1] = b[1]! | 0x01), b), /multipoint/],
  ['my discriminator 0', (b) => (b.writeUInt32BE(0, 4), b), /my discriminator 0/],
  ['your discriminator 0 in Up', (b) => (b.writeUInt32BE(0, 8), b), /your discriminator 0 in state Up/],
  ['your discriminator 0 in Init', (b) => (b.writeUInt32BE(0, 8), (b[1] = (2 << 6) | (b[1]! & 0x3f)), b), /your discriminator 0 in state Init/],
];

for (const [name, mutate, reason] of refused) {
  test(`refused: ${name}`, () => {
    const d = decodeControl(mutate(encodeControl(base())));
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.reason, reason);
  });
}

test('your discriminator 0 is fine in Down and AdminDown', () => {
  for (const state of ['Down', 'AdminDown'] as const) assert.ok(decodeControl(encodeControl(base({ state, yourDiscr: 0 }))).ok, state);
});

test('with authentication in use, a packet without the A bit is refused and one with it passes the codec', () => {
  const plain = decodeControl(encodeControl(base()), { authInUse: true });
  assert.equal(plain.ok, false);
  assert.match(plain.ok ? '' : plain.reason, /authentication missing but in use/);
  const b = encodeControl(base({ auth: true }));
  b[3] = 28;
  assert.ok(decodeControl(Buffer.concat([b, Buffer.from([1, 4, 0, 0])]), { authInUse: true }).ok);
});
