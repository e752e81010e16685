import { parseIpv4 } from './ipv4.js';

/** IPv6 text form with one owner: eight 16-bit groups → RFC 5952 text (lower case, the longest run of two or more zero groups as `::`). */
export function formatIpv6Groups(g: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: readonly number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** `fd00:10:244::1` → bigint; throws on anything that is not an IPv6 address (IPv4-suffixed forms included). */
export function ip6ToBig(ip: string): bigint {
  const bad = () => new Error(`invalid IPv6 address "${ip}"`);
  if (!/^[0-9a-fA-F:.]+$/.test(ip)) throw bad();
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = text.slice(lastColon + 1);
    if (parseIpv4(v4) === undefined) throw bad();
    const o = v4.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${(o[0]! * 256 + o[1]!).toString(16)}:${(o[2]! * 256 + o[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (halves.length === 2 && head.length + rest.length > 7) throw bad();
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0)) throw bad();
  return groups.reduce((a, g) => (a << 16n) | BigInt(g), 0n);
}

/** bigint → RFC 5952 text (lower case, longest run of two or more zero groups as `::`). */
export function bigToIp6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  return formatIpv6Groups(g);
}

