/** Address pools: /32 loopbacks, /31 point-to-point links and /24 access subnets, handed out in order. */
import { intToIpv4, ipv4ToInt, mask4, parseCidr4 } from '../topology/index.js';

export class Pool {
  private next: number;
  private readonly end: number;
  private readonly used = new Set<number>();

  /** `cidr` split into blocks of `/len`, first block first. */
  constructor(readonly cidr: string, readonly len: number) {
    const c = parseCidr4(cidr);
    if (typeof c === 'string') throw new RangeError(c);
    const base = (c.addr & mask4(c.len)) >>> 0;
    this.next = base;
    this.end = base + 2 ** (32 - c.len);
  }

  /** Marks a block (by any address in it) as taken, e.g. one the user wrote by hand. */
  reserve(addr: string): void {
    const a = ipv4ToInt(addr);
    if (a !== undefined) this.used.add(((a & mask4(this.len)) >>> 0));
  }

  /** The next free block's first address, or undefined when the pool is exhausted. */
  take(): string | undefined {
    const size = 2 ** (32 - this.len);
    while (this.next + size <= this.end) {
      const b = this.next;
      this.next += size;
      if (!this.used.has(b)) {
        this.used.add(b);
        return intToIpv4(b);
      }
    }
    return undefined;
  }
}

/** `base` + n as an address ("10.0.1.0", 2 → "10.0.1.2"). */
export function addrPlus(base: string, n: number): string {
  return intToIpv4(((ipv4ToInt(base) ?? 0) + n) >>> 0);
}

/** The /len network of an address ("10.0.1.2", 24 → "10.0.1.0"). */
export function networkOf(addr: string, len: number): string {
  return intToIpv4(((ipv4ToInt(addr) ?? 0) & mask4(len)) >>> 0);
}
