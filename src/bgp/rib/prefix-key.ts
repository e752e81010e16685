import { AFI, type Family } from '../wire/constants.js';
import { formatPrefix, parsePrefix } from '../wire/prefix.js';

/**
 * Prefix keys: IPv4 = address * 64 + length (a safe integer); IPv6 = a latin1 string of the length octet
 * followed by the significant address octets (at most 17 characters).
 */
export type PrefixKey = number | string;

export function v4Key(addr: number, len: number): number {
  return addr * 64 + len;
}

export function v4KeyLen(key: number): number {
  return key % 64;
}

export function v4KeyAddr(key: number): number {
  return Math.floor(key / 64);
}

const hexByte = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/** IPv6 key from NLRI bytes buf[off] = length, then the significant octets. Host bits are cleared. */
export function v6KeyFromNlri(buf: Uint8Array, off: number, len: number): string {
  const n = (len + 7) >> 3;
  let s = hexByte[len]!;
  for (let i = 0; i < n; i++) {
    let b = buf[off + i]!;
    if (i === n - 1 && len % 8 !== 0) b &= (0xff << (8 - (len % 8))) & 0xff;
    s += hexByte[b]!;
  }
  return s;
}

export function keyOf(prefix: string): { family: Family; key: PrefixKey } {
  const p = parsePrefix(prefix);
  if (p.afi === AFI.IPV4) return { family: 'ipv4-unicast', key: v4Key(p.bytes.readUInt32BE(0), p.len) };
  return { family: 'ipv6-unicast', key: v6KeyFromNlri(p.bytes, 0, p.len) };
}

export function keyToPrefix(family: Family, key: PrefixKey): string {
  if (family === 'ipv4-unicast') {
    const k = key as number;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v4KeyAddr(k));
    return formatPrefix(AFI.IPV4, b, v4KeyLen(k));
  }
  const s = key as string;
  const b = Buffer.alloc(16);
  for (let i = 1; i < s.length; i++) b[i - 1] = s.charCodeAt(i);
  return formatPrefix(AFI.IPV6, b, s.charCodeAt(0));
}

/** Writes the NLRI encoding of a key at buf[off]; returns the number of octets written. */
export function writeNlri(family: Family, key: PrefixKey, buf: Buffer, off: number): number {
  if (family === 'ipv4-unicast') {
    const k = key as number;
    const len = k % 64;
    const addr = Math.floor(k / 64);
    const n = (len + 7) >> 3;
    buf[off] = len;
    for (let i = 0; i < n; i++) buf[off + 1 + i] = (addr >>> (24 - 8 * i)) & 0xff;
    return 1 + n;
  }
  const s = key as string;
  for (let i = 0; i < s.length; i++) buf[off + i] = s.charCodeAt(i);
  return s.length;
}

export function nlriSize(family: Family, key: PrefixKey): number {
  return family === 'ipv4-unicast' ? 1 + (((key as number) % 64) + 7 >> 3) : (key as string).length;
}
