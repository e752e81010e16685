import fs from 'node:fs';
import path from 'node:path';
import { cidrSize, intToIp, ipToInt, parseCidr } from '../controllers/ipam.js';
import { gateway6, nextFree6, parseCidr6 } from '../controllers/cidr6.js';

/** One allocation: the pod (namespace/name) and uid that holds an address. */
export interface IpamEntry {
  ip: string;
  pod: string;
  uid: string;
}

export interface IpamState {
  cidr: string;
  /** Last address handed out; the next search starts after it (host-local's round-robin). */
  last?: string;
  entries: IpamEntry[];
}

/** Gateway of a pod CIDR: its first address (the bridge's). */
export function gatewayOf(cidr: string): string {
  if (cidr.includes(':')) return gateway6(cidr);
  return intToIp(parseCidr(cidr).base + 1);
}

/**
 * The next free address of `cidr` after `last` (wrapping), skipping the network address,
 * the gateway (first address) and the broadcast address (IPv6: see nextFree6). Pure.
 */
export function nextFree(cidr: string, used: Set<string>, last?: string): string | undefined {
  if (cidr.includes(':')) return nextFree6(cidr, used, last);
  const c = parseCidr(cidr);
  const first = c.base + 2;
  const end = c.base + cidrSize(c) - 2; // inclusive; broadcast excluded
  if (end < first) return undefined;
  const span = end - first + 1;
  const lastN = last ? ipToInt(last) : end;
  const start = lastN >= first && lastN <= end ? lastN - first + 1 : 0;
  for (let i = 0; i < span; i++) {
    const ip = intToIp(first + ((start + i) % span));
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** Allocate for a pod uid: its existing address, else the next free one. Pure. */
export function allocate(state: IpamState, pod: string, uid: string): { state: IpamState; ip: string } {
  const have = state.entries.find((e) => e.uid === uid);
  if (have) return { state, ip: have.ip };
  const ip = nextFree(state.cidr, new Set(state.entries.map((e) => e.ip)), state.last);
  if (!ip) throw new Error(`pod CIDR ${state.cidr} is exhausted (${state.entries.length} addresses in use)`);
  return { state: { ...state, last: ip, entries: [...state.entries, { ip, pod, uid }] }, ip };
}

export function release(state: IpamState, uid: string): IpamState {
  return { ...state, entries: state.entries.filter((e) => e.uid !== uid) };
}

/**
 * host-local IPAM over the node's pod CIDR, persisted as JSON (written to a temp file and
 * renamed, so a crash leaves the old or the new state). A changed CIDR drops old entries.
 */
export class HostLocalIpam {
  private state: IpamState;

  constructor(private readonly file: string, readonly cidr: string) {
    let s: IpamState | undefined;
    try {
      s = JSON.parse(fs.readFileSync(file, 'utf8')) as IpamState;
    } catch {
      s = undefined;
    }
    this.state = s && s.cidr === cidr ? s : { cidr, entries: [] };
  }

  get gateway(): string {
    return gatewayOf(this.cidr);
  }

  get prefix(): number {
    return this.cidr.includes(':') ? parseCidr6(this.cidr).prefix : parseCidr(this.cidr).prefix;
  }

  entries(): IpamEntry[] {
    return [...this.state.entries];
  }

  allocate(pod: string, uid: string): string {
    const r = allocate(this.state, pod, uid);
    if (r.state !== this.state) {
      this.state = r.state;
      this.save();
    }
    return r.ip;
  }

  release(uid: string): void {
    const next = release(this.state, uid);
    if (next.entries.length !== this.state.entries.length) {
      this.state = next;
      this.save();
    }
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    fs.renameSync(tmp, this.file);
  }
}
