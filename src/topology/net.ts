/**
 * Address helpers for topology checks: IPv4/IPv6 addresses and CIDRs, MACs, interface names.
 * Each parser returns a value or an error string suitable for a user message.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ipv4ToNumber, numberToIpv4 as intToIpv4 } from '../lib/index.js';

export interface Cidr4 {
  addr: number; // host byte order, unsigned
  len: number;
}

export function ipv4ToInt(s: string): number | undefined {
  if (!isIPv4(s)) return undefined;
  return ipv4ToNumber(s);
}

export { intToIpv4 };

/** Network mask as an unsigned number. */
export function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function parseCidr4(s: string): Cidr4 | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m) return `"${s}" is not an IPv4 CIDR (expected address/prefix, e.g. 10.0.0.1/31)`;
  const addr = ipv4ToInt(m[1]!);
  const len = Number(m[2]);
  if (addr === undefined) return `"${m[1]}" is not an IPv4 address`;
  if (len > 32) return `prefix length /${len} is out of range for IPv4 (0-32)`;
  return { addr, len };
}

export function parseCidr6(s: string): { addr: string; len: number } | string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return `"${s}" is not an IPv6 CIDR (expected address/prefix, e.g. 2001:db8::1/64)`;
  if (!isIPv6(m[1]!)) return `"${m[1]}" is not an IPv6 address`;
  const len = Number(m[2]);
  if (len > 128) return `prefix length /${len} is out of range for IPv6 (0-128)`;
  return { addr: m[1]!, len };
}

/** A network CIDR (host bits zero), e.g. a subnet declaration. */
export function parseNetwork4(s: string): Cidr4 | string {
  const c = parseCidr4(s);
  if (typeof c === 'string') return c;
  const net = (c.addr & mask4(c.len)) >>> 0;
  if (net !== c.addr) return `"${s}" has host bits set (did you mean "${intToIpv4(net)}/${c.len}"?)`;
  if (c.len > 30) return `subnet "${s}" is too small for a management network (at most /30)`;
  return c;
}

export function inSubnet4(addr: number, net: Cidr4): boolean {
  return ((addr & mask4(net.len)) >>> 0) === net.addr;
}

/** Broadcast address of a subnet. */
export function lastAddr4(net: Cidr4): number {
  return (net.addr | (~mask4(net.len) >>> 0)) >>> 0;
}

/** Expands an IPv6 address into 8 hextets (numbers). */
export function ipv6Words(s: string): number[] | undefined {
  if (!isIPv6(s)) return undefined;
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]!)!;
    text = text.slice(0, v4.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

export function inSubnet6(addr: string, net: { addr: string; len: number }): boolean {
  const a = ipv6Words(addr);
  const n = ipv6Words(net.addr);
  if (!a || !n) return false;
  for (let bit = 0; bit < net.len; bit++) {
    const w = bit >> 4;
    const m = 0x8000 >> (bit & 15);
    if ((a[w]! & m) !== (n[w]! & m)) return false;
  }
  return true;
}

export function checkMac(s: string): string | undefined {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s)) return `"${s}" is not a MAC address (expected six hex octets, e.g. 02:42:ac:14:00:02)`;
  const first = parseInt(s.slice(0, 2), 16);
  if (first & 1) return `"${s}" is a multicast MAC address; an interface needs a unicast one (first octet even, e.g. 02:...)`;
  if (/^(00:){5}00$/.test(s)) return `"${s}" is the all-zero MAC address`;
  return undefined;
}

/** Linux interface name rules (IFNAMSIZ 16 including the NUL). */
export function checkIfaceName(s: string): string | undefined {
  if (s.length === 0) return 'interface name is empty';
  if (s.length > 15) return `interface name "${s}" is ${s.length} characters long; Linux allows at most 15`;
  if (s === '.' || s === '..') return `"${s}" is not a valid interface name`;
  if (!/^[A-Za-z0-9_.@-]+$/.test(s)) return `interface name "${s}" may only contain letters, digits, '_', '.', '-' and '@'`;
  return undefined;
}
