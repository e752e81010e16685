/**
 * MetalLB IPAddressPool addresses as the speaker reads them: CIDRs (`192.168.10.0/24`, `fc00::/120`) and ranges
 * (`192.168.9.1-192.168.9.5`, either family), as bigint intervals, plus aggregation of a service IP to a prefix.
 * Pure; unusable entries are reported, never thrown.
 */
import { isIP } from 'node:net';

export interface PoolRange {
  family: 4 | 6;
  lo: bigint;
  hi: bigint;
  /** The prefix length when the entry was a CIDR; ranges are split into their CIDR blocks' lengths. */
  prefixLens: number[];
}

const bits = (f: 4 | 6): number => (f === 4 ? 32 : 128);

export function ipToBig(ip: string): { family: 4 | 6; n: bigint } | undefined {
  const t = ip.trim();
  const f = isIP(t);
  if (f === 4) return { family: 4, n: t.split('.').reduce((a, x) => a * 256n + BigInt(Number(x)), 0n) };
  if (f !== 6) return undefined;
  let text = t.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBig(v4[1]!)!.n;
    text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  return { family: 6, n: groups.reduce((a, g) => (a << 16n) + BigInt(parseInt(g || '0', 16)), 0n) };
}

export function bigToIp(family: 4 | 6, n: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const g: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) g.push(((n >> s) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

/** The CIDR block lengths covering [lo, hi] (the smallest set of aligned blocks). */
function blockLens(family: 4 | 6, lo: bigint, hi: bigint): number[] {
  const out: number[] = [];
  const w = bits(family);
  let cur = lo;
  while (cur <= hi && out.length < 256) {
    let size = 0;
    while (size < w && (cur & ((1n << BigInt(size + 1)) - 1n)) === 0n && cur + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    out.push(w - size);
    cur += 1n << BigInt(size);
  }
  return out;
}

/** One `addresses` entry; `undefined` when it is neither a CIDR nor a same-family range. */
export function parsePoolEntry(entry: unknown): PoolRange | undefined {
  if (typeof entry !== 'string' || entry.trim() === '') return undefined;
  const e = entry.trim();
  if (e.includes('/')) {
    const [a, l] = e.split('/');
    const ip = ipToBig(a ?? '');
    if (!ip || !/^\d{1,3}$/.test(l ?? '') || Number(l) > bits(ip.family)) return undefined;
    const len = Number(l);
    const host = BigInt(bits(ip.family) - len);
    const lo = (ip.n >> host) << host;
    return { family: ip.family, lo, hi: lo + (1n << host) - 1n, prefixLens: [len] };
  }
  const parts = e.split('-');
  if (parts.length !== 2) return undefined;
  const a = ipToBig(parts[0]!), b = ipToBig(parts[1]!);
  if (!a || !b || a.family !== b.family || a.n > b.n) return undefined;
  return { family: a.family, lo: a.n, hi: b.n, prefixLens: blockLens(a.family, a.n, b.n) };
}

export const rangeCovers = (r: PoolRange, ip: { family: 4 | 6; n: bigint }): boolean => r.family === ip.family && ip.n >= r.lo && ip.n <= r.hi;

/** `ip` masked to `len` bits, as a prefix text: aggregate(10.0.1.7, 24) = 10.0.1.0/24. */
export function aggregate(ip: { family: 4 | 6; n: bigint }, len: number): string {
  const host = BigInt(bits(ip.family) - len);
  return `${bigToIp(ip.family, (ip.n >> host) << host)}/${len}`;
}
