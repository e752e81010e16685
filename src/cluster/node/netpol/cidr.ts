/**
 * CIDR arithmetic for ipBlock `except`, for both families: cidr minus the excepted blocks as a
 * list of CIDRs. Addresses are bigints so one splitter serves IPv4 (32 bits) and IPv6 (128). Pure.
 */

import { bigToIp6, ip6ToBig, ipv4ToNumber, numberToIpv4, parseIpv4 } from '../../../lib/index.js';

export type Family = 4 | 6;

export interface Block {
  family: Family;
  base: bigint;
  len: number;
}

const bitsOf = (f: Family) => (f === 4 ? 32 : 128);

/** The family of an address or CIDR text (a colon means IPv6). */
export const familyOf = (addrOrCidr: string): Family => (addrOrCidr.includes(':') ? 6 : 4);

/** `10.0.0.0/8`, `fd00::/64` or a bare address (a host block); undefined when unparsable. Host bits are cleared. */
export function parseCidr(c: string): Block | undefined {
  const [addr = '', lenText, extra] = c.trim().split('/');
  if (extra !== undefined || (lenText !== undefined && !/^\d{1,3}$/.test(lenText))) return undefined;
  const family = familyOf(addr);
  let value: bigint;
  if (family === 4) {
    if (parseIpv4(addr) === undefined) return undefined;
    value = BigInt(ipv4ToNumber(addr));
  } else {
    try {
      value = ip6ToBig(addr);
    } catch {
      return undefined;
    }
  }
  const bits = bitsOf(family);
  const len = lenText === undefined ? bits : Number(lenText);
  if (len > bits) return undefined;
  const size = 1n << BigInt(bits - len);
  return { family, base: value - (value % size), len };
}

export const blockText = (b: Block): string => `${b.family === 4 ? numberToIpv4(Number(b.base)) : bigToIp6(b.base)}/${b.len}`;
const size = (b: Block) => 1n << BigInt(bitsOf(b.family) - b.len);
const inside = (inner: Block, outer: Block) => inner.family === outer.family && inner.len >= outer.len && inner.base >= outer.base && inner.base < outer.base + size(outer);

/** A pod address as a host block: `/32` or `/128`. */
export const hostCidr = (ip: string): string => `${ip}/${familyOf(ip) === 4 ? 32 : 128}`;

/** `cidr` without every block of `except` (blocks outside `cidr` or of the other family are ignored). Unparsable input gives []. */
export function subtractCidrs(cidr: string, except: string[] = []): string[] {
  const whole = parseCidr(cidr);
  if (!whole) return [];
  let blocks: Block[] = [whole];
  for (const e of except) {
    const x = parseCidr(e);
    if (!x) continue;
    const next: Block[] = [];
    for (const b of blocks) {
      if (inside(b, x)) continue; // wholly excepted
      if (!inside(x, b)) {
        next.push(b);
        continue;
      }
      // Split b in halves until x is one of them; keep the halves that do not hold x.
      let cur = b;
      while (cur.len < x.len) {
        const lo = { family: cur.family, base: cur.base, len: cur.len + 1 };
        const hi = { family: cur.family, base: cur.base + size(lo), len: cur.len + 1 };
        if (inside(x, lo)) {
          next.push(hi);
          cur = lo;
        } else {
          next.push(lo);
          cur = hi;
        }
      }
    }
    blocks = next;
  }
  return blocks.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.len - b.len)).map(blockText);
}
