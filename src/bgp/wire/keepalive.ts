import { MSG } from './constants.js';
import { encodeMessage } from './framer.js';

const KEEPALIVE = encodeMessage(MSG.KEEPALIVE, Buffer.alloc(0));

/** A fresh copy each call, so callers may keep or modify it. */
export function encodeKeepalive(): Buffer {
  return Buffer.from(KEEPALIVE);
}
