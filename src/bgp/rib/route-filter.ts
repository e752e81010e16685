/**
 * Per-peer prefix filters: an ordered rule list where the first rule that matches decides (accept or reject), as
 * BIRD filter functions built from a list of `if (...) then { accept; }` lines behave. No rule matching = no
 * verdict: the caller's default applies (import: accept; export: the peer's export policy).
 */
import { isIP } from 'node:net';
import type { Family } from '../wire/constants.js';
import { ipv4ToNumber, ipv6ToBytes } from '../wire/ip.js';
import { keyOf, v4KeyAddr, v4KeyLen, type PrefixKey } from './prefix-key.js';

export type RouteFilterAction = 'accept' | 'reject';

export interface RouteFilterRule {
  family: Family;
  /**
   * BIRD's `net = P` (equal), `net != P` (not-equal), `net ~ P` (in: P itself or a more specific prefix inside it),
   * `net !~ P` (not-in); minLen/maxLen narrow `in`/`not-in` to prefix lengths in that range (`P{min,max}`).
   */
  prefix?: { cidr: string; match: 'equal' | 'not-equal' | 'in' | 'not-in'; minLen?: number; maxLen?: number };
  /** true: only routes learned from a BGP peer match (BIRD `source ~ [RTS_BGP]`). */
  learned?: boolean;
  /** Shell-style glob (`*`, `?`) on the route's interface; a route with no known interface never matches. */
  ifname?: string;
  action: RouteFilterAction;
}

/** What a filter looks at for one route. */
export interface RouteFacts {
  family: Family;
  key: PrefixKey;
  learned: boolean;
  ifname?: string;
}

export type RouteFilter = (r: RouteFacts) => RouteFilterAction | undefined;

/** Network bytes and length of a prefix key. */
function keyBytes(family: Family, key: PrefixKey): { bytes: Uint8Array; len: number } {
  if (family === 'ipv4-unicast') {
    const a = v4KeyAddr(key as number);
    return { bytes: Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff), len: v4KeyLen(key as number) };
  }
  const s = key as string;
  const bytes = new Uint8Array(16);
  for (let i = 1; i < s.length; i++) bytes[i - 1] = s.charCodeAt(i);
  return { bytes, len: s.charCodeAt(0) };
}

/** First `bits` bits of a and b equal. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Parses "10.0.0.0/8" / "fd00::/64" for a rule of `family`; throws with the reason when it is not one. */
function parseCidr(cidr: string, family: Family): { bytes: Uint8Array; len: number } {
  const [addr, lenS, extra] = cidr.split('/');
  const v = isIP(addr ?? '');
  const want = family === 'ipv4-unicast' ? 4 : 6;
  const len = Number(lenS);
  const max = want === 4 ? 32 : 128;
  if (extra !== undefined || v !== want || lenS === undefined || !/^\d+$/.test(lenS) || len > max) throw new Error(`${JSON.stringify(cidr)} is not an IPv${want} CIDR`);
  if (want === 6) return { bytes: Uint8Array.from(ipv6ToBytes(addr!)), len };
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipv4ToNumber(addr!));
  return { bytes: Uint8Array.from(b), len };
}

/** Compiles the rules (all of one peer and direction, any family); throws on a rule that cannot be compiled. */
export function compileRouteFilter(rules: readonly RouteFilterRule[]): RouteFilter | undefined {
  if (rules.length === 0) return undefined;
  const tests = rules.map((r) => {
    const parts: Array<(x: RouteFacts, kb: () => { bytes: Uint8Array; len: number }) => boolean> = [(x) => x.family === r.family];
    if (r.prefix) {
      const p = parseCidr(r.prefix.cidr, r.family);
      const max = r.family === 'ipv4-unicast' ? 32 : 128;
      const lo = Math.max(p.len, r.prefix.minLen ?? p.len);
      const hi = Math.min(max, r.prefix.maxLen ?? max);
      const m = r.prefix.match;
      parts.push((_x, kb) => {
        const k = kb();
        const inside = k.len >= p.len && samePrefix(k.bytes, p.bytes, p.len);
        if (m === 'equal' || m === 'not-equal') return (inside && k.len === p.len) === (m === 'equal');
        return (inside && k.len >= lo && k.len <= hi) === (m === 'in');
      });
    }
    if (r.learned) parts.push((x) => x.learned);
    if (r.ifname !== undefined) {
      const re = globToRegExp(r.ifname);
      parts.push((x) => x.ifname !== undefined && re.test(x.ifname));
    }
    return { parts, action: r.action };
  });
  return (x) => {
    let cached: { bytes: Uint8Array; len: number } | undefined;
    const kb = () => (cached ??= keyBytes(x.family, x.key));
    for (const t of tests) if (t.parts.every((f) => f(x, kb))) return t.action;
    return undefined;
  };
}

/** What `rules` decide for one prefix ("10.0.0.0/8"); undefined = no rule matched (the caller's default applies). */
export function routeFilterVerdict(rules: readonly RouteFilterRule[], prefix: string, facts: { learned: boolean; ifname?: string }): RouteFilterAction | undefined {
  const { family, key } = keyOf(prefix);
  return compileRouteFilter(rules)?.({ family, key, ...facts });
}
