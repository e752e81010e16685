/** IPv4/IPv6 address parsing and formatting without per-call allocations beyond the result. */

import { formatIpv6Groups, ipv4ToNumber, numberToIpv4 } from '../../lib/index.js';

export { ipv4ToNumber, numberToIpv4 };

export function isIpv4(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
}

/** Parses an IPv6 address (with optional embedded IPv4 tail, no zone) into 16 bytes. */
export function ipv6ToBytes(s: string): Buffer {
  const out = Buffer.alloc(16);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  let groups: number[] = [];
  const dbl = s.indexOf('::');
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const res: number[] = [];
    const items = part.split(':');
    items.forEach((g, i) => {
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = ipv4ToNumber(g);
        res.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new RangeError(`not an IPv6 address: ${s}`);
        res.push(parseInt(g, 16));
      }
    });
    return res;
  };
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) throw new RangeError(`not an IPv6 address: ${s}`);
    const head = parse(s.slice(0, dbl));
    const tail = parse(s.slice(dbl + 2));
    const fill = 8 - head.length - tail.length;
    if (fill < 1) throw new RangeError(`not an IPv6 address: ${s}`);
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    groups = parse(s);
  }
  if (groups.length !== 8) throw new RangeError(`not an IPv6 address: ${s}`);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** RFC 5952 text form of 16 bytes at `off`. */
export function bytesToIpv6(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + i * 2]! << 8) | b[off + i * 2 + 1]!);
  return formatIpv6Groups(g);
}

export function isLinkLocal6(b: Uint8Array, off = 0): boolean {
  return b[off] === 0xfe && (b[off + 1]! & 0xc0) === 0x80;
}
