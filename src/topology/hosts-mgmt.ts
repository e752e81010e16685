/**
 * The management network of a lab spanning several engines (`hosts:`), planned. Pure.
 * Each engine gets its own Docker network of the same name and subnet, joined at L2 by a VXLAN
 * device on each engine's bridge (runtime/engines-mgmt.ts). So that nothing clashes on the shared
 * segment, each engine's bridge has its own gateway address (the first engine the topology's, the
 * others counted down from the top of the subnet, which node addresses, filled from the bottom,
 * never reach: assignMgmtIPv4 skips them) and its own slice of the subnet (or of ipv4-range) for
 * whatever Docker hands out itself.
 */
import { createHash } from 'node:crypto';
import { KindlabError } from '../errors.js';
import { intToIpv4, lastAddr4, parseCidr4, parseNetwork4 } from './net.js';

export interface EngineMgmt {
  host: string;
  /** The address of this engine's mgmt bridge. */
  gateway: string;
  /** Docker's IPAM range on this engine (disjoint from the others'). */
  ipRange: string;
}

export interface MgmtAddressing {
  ipv4Subnet: string;
  ipv4Gateway?: string;
  ipv4Range?: string;
}

/** The gateway addresses of the engines after the first (top of the subnet, counting down). */
export function extraEngineGateways(subnet: string, hostCount: number): number[] {
  const net = parseNetwork4(subnet);
  if (typeof net === 'string' || hostCount < 2) return [];
  const last = lastAddr4(net);
  return Array.from({ length: hostCount - 1 }, (_, i) => last - 1 - i);
}

export function mgmtPerEngine(mgmt: MgmtAddressing, hosts: string[]): EngineMgmt[] {
  const subnet = parseNetwork4(mgmt.ipv4Subnet);
  const rangeText = mgmt.ipv4Range ?? mgmt.ipv4Subnet;
  const range = parseCidr4(rangeText);
  if (typeof subnet === 'string' || typeof range === 'string') throw new KindlabError('INTERNAL', `mgmt subnet ${mgmt.ipv4Subnet} / range ${rangeText} survived normalize unparsed`);
  const bits = Math.ceil(Math.log2(Math.max(1, hosts.length)));
  const len = range.len + bits;
  if (len > 30) {
    throw new KindlabError('MGMT_SUBNET', `mgmt.${mgmt.ipv4Range ? 'ipv4-range' : 'ipv4-subnet'} ${rangeText} is too small to give each of the ${hosts.length} hosts (${hosts.join(', ')}) its own address range`, { hint: 'use a larger management subnet (a /24 serves up to 64 hosts)' });
  }
  const size = 2 ** (32 - len);
  const extra = extraEngineGateways(mgmt.ipv4Subnet, hosts.length);
  return hosts.map((host, i) => ({
    host,
    gateway: i === 0 ? (mgmt.ipv4Gateway ?? intToIpv4(subnet.addr + 1)) : intToIpv4(extra[i - 1]!),
    ipRange: `${intToIpv4(range.addr + i * size)}/${len}`,
  }));
}

/** The VXLAN id of the lab's management segment: a hash of the lab, kept clear of the links' (crossLinkVnis). */
export function mgmtVni(lab: string): number {
  return (createHash('sha256').update(`${lab}/mgmt`).digest().readUInt32BE(0) % 0xfffffe) + 1;
}

/** The mgmt VXLAN device's name on each engine (15 characters at most). */
export function mgmtVxlanName(lab: string): string {
  return `klm-${createHash('sha256').update(lab).digest('hex').slice(0, 10)}`;
}
