import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageFramer, encodeMessage } from './framer.js';
import { BgpWireError } from './errors.js';
import { encodeKeepalive } from './keepalive.js';
import { MSG } from './constants.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('framer splits a stream fed byte by byte and across chunks', () => {
  const a = encodeKeepalive();
  const b = encodeMessage(MSG.UPDATE, Buffer.alloc(4));
  const stream = Buffer.concat([a, b, a]);
  const f = new MessageFramer();
  const got: number[] = [];
  for (const byte of stream) for (const m of f.push(Buffer.from([byte]))) got.push(m.type);
  assert.deepEqual(got, [4, 2, 4]);
  assert.equal(f.buffered, 0);
  const all = new MessageFramer().push(stream);
  assert.deepEqual(all.map((m) => m.body.length), [0, 4, 0]);
});

function expectErr(buf: Buffer, code: number, subcode: number, data: string, max?: number) {
  const f = new MessageFramer(max ? { maxMessageSize: max } : {});
  assert.throws(() => f.push(buf), (e: unknown) => {
    assert.ok(e instanceof BgpWireError);
    assert.equal(e.action, 'session-reset');
    assert.deepEqual([e.notification.code, e.notification.subcode, e.notification.data.toString('hex')], [code, subcode, data]);
    return true;
  });
}

test('bad marker → 1/1', () => expectErr(hex('ffffffffffffffffffffffffffff00ff 0013 04'), 1, 1, ''));
test('length below 19 → 1/2 with the length field as data', () => expectErr(hex('ffffffffffffffffffffffffffffffff 0012 04'), 1, 2, '0012'));
test('KEEPALIVE with a body → 1/2', () => expectErr(hex('ffffffffffffffffffffffffffffffff 0014 04 00'), 1, 2, '0014'));
test('UPDATE shorter than 23 → 1/2', () => expectErr(hex('ffffffffffffffffffffffffffffffff 0016 02 000000'), 1, 2, '0016'));
test('OPEN shorter than 29 → 1/2', () => expectErr(hex('ffffffffffffffffffffffffffffffff 001c 01'), 1, 2, '001c'));
test('type 9 → 1/3 with the type as data', () => expectErr(hex('ffffffffffffffffffffffffffffffff 0013 09'), 1, 3, '09'));
test('UPDATE over 4096 → 1/2; accepted after setMaxMessageSize(65535)', () => {
  const big = encodeMessage(MSG.UPDATE, Buffer.alloc(5000));
  expectErr(big, 1, 2, big.subarray(16, 18).toString('hex'));
  const f = new MessageFramer();
  f.setMaxMessageSize(65535);
  assert.equal(f.push(big)[0]!.body.length, 5000);
});
test('OPEN over 4096 is refused even with extended messages (RFC 8654 §3)', () => {
  const big = encodeMessage(MSG.OPEN, Buffer.alloc(5000));
  expectErr(big, 1, 2, big.subarray(16, 18).toString('hex'), 65535);
});
