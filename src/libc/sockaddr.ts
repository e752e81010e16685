/** struct sockaddr_in / sockaddr_in6 for the libc socket calls. */
import { isIPv4, isIPv6 } from 'node:net';
import { ip6ToBig } from '../lib/index.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

/** The address family of a literal address; undefined for anything that is not one. */
export function familyOf(address: string): number | undefined {
  if (isIPv4(address)) return AF_INET;
  if (isIPv6(address)) return AF_INET6;
  return undefined;
}

/**
 * The sockaddr for `address`:`port` in `family`, padded to 128 bytes (sockaddr_storage) with its real length. An
 * IPv4 address in an AF_INET6 sockaddr is written IPv4-mapped; a `%zone` suffix is dropped. `address` undefined is
 * the wildcard address. The caller has checked the address (familyOf).
 */
export function sockaddr(address: string | undefined, port: number, family: number): { buf: Buffer; len: number } {
  const buf = Buffer.alloc(128);
  buf.writeUInt16LE(family, 0);
  buf.writeUInt16BE(port, 2);
  if (family === AF_INET) {
    if (address !== undefined) address.split('.').forEach((o, i) => (buf[4 + i] = Number(o)));
    return { buf, len: 16 };
  }
  if (address !== undefined) {
    const bare = address.split('%')[0]!;
    const n = ip6ToBig(isIPv4(bare) ? `::ffff:${bare}` : bare);
    for (let i = 0; i < 16; i++) buf[8 + i] = Number((n >> BigInt((15 - i) * 8)) & 0xffn);
  }
  return { buf, len: 28 };
}
