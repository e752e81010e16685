/** IPv4 address <-> unsigned 32-bit integer (host order). The one owner of this rule; allocation-free (BGP's hot path uses it). */

/** The address as an unsigned integer; a RangeError when `s` is not a dotted-quad IPv4 address. */
export function ipv4ToNumber(s: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) break;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      dots = -1;
      break;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) throw new RangeError(`not an IPv4 address: ${s}`);
  return n * 256 + part;
}

export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Like ipv4ToNumber, but undefined for anything that is not an IPv4 address. */
export function parseIpv4(s: string): number | undefined {
  try {
    return ipv4ToNumber(s);
  } catch {
    return undefined;
  }
}
