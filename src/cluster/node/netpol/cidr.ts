/** IPv4 CIDR arithmetic for ipBlock `except`: cidr minus the excepted blocks as a list of CIDRs. Pure. */

import { ipv4ToNumber as toInt, numberToIpv4 as toText } from '../../../lib/index.js';

export interface Block {
  base: number;
  len: number;
}

export function parseV4Cidr(c: string): Block | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(c.trim());
  if (!m || m[1]!.split('.').some((o) => Number(o) > 255)) return undefined;
  const len = m[2] === undefined ? 32 : Number(m[2]);
  if (len > 32) return undefined;
  const size = 2 ** (32 - len);
  return { base: toInt(m[1]!) - (toInt(m[1]!) % size), len };
}

export const blockText = (b: Block): string => `${toText(b.base)}/${b.len}`;
const size = (b: Block) => 2 ** (32 - b.len);
const inside = (inner: Block, outer: Block) => inner.len >= outer.len && inner.base >= outer.base && inner.base < outer.base + size(outer);

/** `cidr` without every block of `except` (blocks outside `cidr` are ignored). Unparsable input gives []. */
export function subtractCidrs(cidr: string, except: string[] = []): string[] {
  const whole = parseV4Cidr(cidr);
  if (!whole) return [];
  let blocks: Block[] = [whole];
  for (const e of except) {
    const x = parseV4Cidr(e);
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
        const lo = { base: cur.base, len: cur.len + 1 };
        const hi = { base: cur.base + size(lo), len: cur.len + 1 };
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
  return blocks.sort((a, b) => a.base - b.base || a.len - b.len).map(blockText);
}
