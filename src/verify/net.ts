/** Address helpers for expectations and probes (IPv4 and IPv6, no dependencies). */
import { isIP, isIPv4 } from 'node:net';

export function isAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** `10.0.1.0/24` or `fd00::/64` in canonical network form; an error message otherwise. */
export function checkPrefix(s: string): string | undefined {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(s);
  if (!m) return `"${s}" is not a prefix (write ADDRESS/LENGTH, e.g. 10.1.0.0/24)`;
  const [, addr, lenText] = m;
  const v = isIP(addr!);
  if (v === 0) return `"${addr}" in "${s}" is not an IP address`;
  const len = Number(lenText);
  if (len > (v === 4 ? 32 : 128)) return `prefix length /${len} is too long for IPv${v}`;
  if (v === 4 && (ipv4Int(addr!) & ~mask4(len)) >>> 0 !== 0) return `"${s}" has host bits set (the network is ${ipv4Int(addr!) === 0 ? '' : networkOf4(addr!, len)})`;
  return undefined;
}

export function ipv4Int(s: string): number {
  return s.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}

function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

function networkOf4(addr: string, len: number): string {
  const n = (ipv4Int(addr) & mask4(len)) >>> 0;
  return `${[24, 16, 8, 0].map((b) => (n >>> b) & 255).join('.')}/${len}`;
}

export function familyOf(prefixOrAddress: string): 4 | 6 {
  return isIPv4(prefixOrAddress.split('/')[0]!) ? 4 : 6;
}
