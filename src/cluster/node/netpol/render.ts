/**
 * The NetworkPolicy model as iptables-restore input for the filter table (our own chains, KLNP-*,
 * not KINDLAB-*: the Service proxier owns and sweeps those):
 *
 *   FORWARD → KLNP-INGRESS
 *     replies (ctstate ESTABLISHED,RELATED)  RETURN
 *     -d <isolated pod IP>                   → KLNP-POD-<hash of namespace/name>
 *   KLNP-POD-<h>
 *     -s <allowed source> -p <proto> --dport <port>  RETURN   (one rule per source × port)
 *     DROP                                           (ingress no policy allows)
 *
 * FORWARD sees traffic routed to the pod from other nodes and, with bridge-nf-call-iptables,
 * bridged traffic between pods of the same node; Service traffic has been DNATed to the pod IP
 * by then, so policies apply to it too. Traffic from the node itself (OUTPUT) is not filtered,
 * as kubelet probes must pass.
 *
 * One model, two renderings: family 4 for iptables-restore, 6 for ip6tables-restore. Each keeps the
 * pod addresses and sources of its family; an allow whose sources are all of the other family
 * allows nothing here (it must not become "any source"). A pod with no address of the family has
 * no chain in that table. Pure.
 */
import { createHash } from 'node:crypto';
import { familyOf, type Family } from './cidr.js';
import type { IsolatedPod } from './types.js';

export const INGRESS_CHAIN = 'KLNP-INGRESS';
export const HOOK = { table: 'filter', chain: 'FORWARD', rule: ['-m', 'comment', '--comment', 'kindlab network policy', '-j', INGRESS_CHAIN] } as const;

export const podChain = (pod: string): string => `KLNP-POD-${createHash('sha256').update(pod).digest('hex').slice(0, 16).toUpperCase()}`;
const NDP_TYPES = ['router-solicitation', 'router-advertisement', 'neighbour-solicitation', 'neighbour-advertisement', 'redirect'];
const q = (s: string) => `"${s.replace(/"/g, '')}"`;

export function renderNetpol(model: IsolatedPod[], existing: string[] = [], family: Family = 4): string {
  const chains = [INGRESS_CHAIN];
  const rules: string[] = [`-A ${INGRESS_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "replies" -j RETURN`];
  const host = family === 4 ? 32 : 128;
  // IPv6 neighbour discovery is IP traffic (ARP is not): unicast solicitations to an isolated pod
  // must pass or its neighbours' entries fail, so NDP goes through as Calico and Cilium let it.
  if (family === 6) for (const t of NDP_TYPES) rules.push(`-A ${INGRESS_CHAIN} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment "neighbour discovery" -j RETURN`);
  for (const p of model) {
    const ips = p.ips.filter((ip) => familyOf(ip) === family);
    if (!ips.length) continue;
    const chain = podChain(p.pod);
    chains.push(chain);
    for (const ip of ips) rules.push(`-A ${INGRESS_CHAIN} -d ${ip}/${host} -m comment --comment ${q(`${p.pod} isolated by ${p.isolatedBy.join(', ')}`)} -j ${chain}`);
    for (const a of p.allow) {
      const cmt = `-m comment --comment ${q(`allowed by ${a.policy}`)}`;
      const sources = a.sources?.filter((c) => familyOf(c) === family);
      if (sources && !sources.length) continue; // only sources of the other family
      for (const src of sources ?? [undefined]) {
        for (const port of a.ports ?? [undefined]) {
          const parts = [`-A ${chain}`];
          if (src) parts.push(`-s ${src}`);
          if (port) {
            parts.push(`-p ${port.protocol}`);
            if (port.port !== undefined) parts.push(`-m ${port.protocol} --dport ${port.port}${port.endPort ? `:${port.endPort}` : ''}`);
          }
          parts.push(cmt, '-j RETURN');
          rules.push(parts.join(' '));
        }
      }
    }
    rules.push(`-A ${chain} -m comment --comment ${q(`${p.pod}: ingress no policy allows`)} -j DROP`);
  }
  const stale = existing.filter((c) => !chains.includes(c));
  return ['*filter', ...[...chains, ...stale].map((c) => `:${c} - [0:0]`), ...rules, ...stale.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
}

/** Empties and deletes the given chains (after the hook is gone). */
export function renderNetpolCleanup(existing: string[]): string {
  if (!existing.length) return '';
  return ['*filter', ...existing.map((c) => `:${c} - [0:0]`), ...existing.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
}

/** KLNP-* chain names in `iptables-save -t filter` (or ip6tables-save) output. */
export function netpolChainsInSave(save: string): string[] {
  return [...save.matchAll(/^:(KLNP-\S+)/gm)].map((m) => m[1]!);
}
