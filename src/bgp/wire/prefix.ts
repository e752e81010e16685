import { AFI, NOTIF, UPDATE_ERR } from './constants.js';
import { wireError, type WireErrorAction } from './errors.js';
import { bytesToIpv6, ipv4ToNumber, ipv6ToBytes, numberToIpv4 } from './ip.js';

/** A prefix parsed from text: address bytes (4 or 16) and length. */
export interface ParsedPrefix {
  afi: number;
  bytes: Buffer;
  len: number;
}

export function parsePrefix(s: string): ParsedPrefix {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const v6 = addr.includes(':');
  const max = v6 ? 128 : 32;
  const len = slash < 0 ? max : Number(s.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) throw new RangeError(`bad prefix length in ${s}`);
  let bytes: Buffer;
  if (v6) bytes = ipv6ToBytes(addr);
  else {
    bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(ipv4ToNumber(addr));
  }
  maskBytes(bytes, len);
  return { afi: v6 ? AFI.IPV6 : AFI.IPV4, bytes, len };
}

function maskBytes(b: Buffer, len: number): void {
  for (let i = 0; i < b.length; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    b[i] = b[i]! & ((0xff << (8 - keep)) & 0xff);
  }
}

export function formatPrefix(afi: number, bytes: Uint8Array, len: number): string {
  if (afi === AFI.IPV4) {
    return `${numberToIpv4(((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0)}/${len}`;
  }
  return `${bytesToIpv6(bytes)}/${len}`;
}

/** Encodes prefixes as NLRI (length octet + significant octets). */
export function encodePrefixes(prefixes: string[], afi: number): Buffer {
  const parts: Buffer[] = [];
  for (const s of prefixes) {
    const p = parsePrefix(s);
    if (p.afi !== afi) throw new RangeError(`prefix ${s} is not of AFI ${afi}`);
    const n = (p.len + 7) >> 3;
    const b = Buffer.alloc(1 + n);
    b[0] = p.len;
    p.bytes.copy(b, 1, 0, n);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/**
 * Decodes NLRI in buf[start, end). Trailing host bits are cleared. A prefix longer than the address or
 * running past `end` throws BgpWireError with the given subcode and action (RFC 7606 §5.3: session reset).
 */
export function decodePrefixes(
  buf: Buffer,
  start: number,
  end: number,
  afi: number,
  subcode: number = UPDATE_ERR.INVALID_NETWORK_FIELD,
  action: WireErrorAction = 'session-reset',
): string[] {
  const out: string[] = [];
  const size = afi === AFI.IPV4 ? 4 : 16;
  const tmp = Buffer.alloc(size);
  let off = start;
  while (off < end) {
    const len = buf[off]!;
    const n = (len + 7) >> 3;
    if (len > size * 8 || off + 1 + n > end) {
      throw wireError(`NLRI: bad prefix length ${len} at offset ${off}`, NOTIF.UPDATE_MESSAGE_ERROR, subcode, undefined, action);
    }
    tmp.fill(0);
    buf.copy(tmp, 0, off + 1, off + 1 + n);
    if (n > 0 && len % 8 !== 0) tmp[n - 1] = tmp[n - 1]! & ((0xff << (8 - (len % 8))) & 0xff);
    out.push(formatPrefix(afi, tmp, len));
    off += 1 + n;
  }
  return out;
}
