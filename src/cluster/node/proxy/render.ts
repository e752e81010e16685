import { createHash } from 'node:crypto';
import type { ServicePortModel } from './model.js';

/**
 * Service NAT as iptables-restore input (kube-proxy's iptables design, our own chains):
 *
 *   nat PREROUTING/OUTPUT → KINDLAB-SERVICES
 *     -d clusterIP:port            → KINDLAB-SVC-<h>  (all ready endpoints); in it first, for a source outside
 *                                    the cluster CIDR: mark 0x4000 (kube-proxy's `! -s <cluster CIDR>` rule), so
 *                                    a reply from an endpoint on another node comes back through this node
 *     -d externalIP|lbIP:port      → KINDLAB-EXT-<h>
 *     dst-type LOCAL               → KINDLAB-NODEPORTS: --dport nodePort → KINDLAB-EXT-<h>
 *   KINDLAB-EXT-<h>  eTP Cluster: mark 0x4000 (masquerade if it leaves the node), → SVC
 *                    eTP Local:   local pods and the node itself → SVC; others → SVL (local
 *                                 endpoints only) or nothing, and the filter rule drops them
 *   KINDLAB-SVC/SVL-<h>  ClientIP affinity via `recent`, then statistic random 1/n, 1/(n-1)…
 *   KINDLAB-SEP-<h>  hairpin (source = the endpoint) → mark 0x8000; DNAT to ip:port
 *   nat POSTROUTING → KINDLAB-POSTROUTING: masquerade 0x8000, and 0x4000 when not out the bridge
 *   filter INPUT/FORWARD/OUTPUT (ctstate NEW) → KINDLAB-FIREWALL: REJECT for services without
 *     endpoints, DROP for eTP Local destinations with no endpoint on this node.
 *
 * Pod-to-pod traffic is never masqueraded. Pure: the caller applies it with
 * `iptables-restore --noflush` (one transaction per table).
 */
export interface RenderInput {
  services: ServicePortModel[];
  /** This node's pod CIDR (its pods use cluster policy for eTP Local services). */
  podCIDR?: string;
  /**
   * The cluster's pod range (kube-proxy's --cluster-cidr; cluster-cidr.ts): cluster IP traffic from any other
   * source is marked for masquerade when it leaves the node. Default: podCIDR; neither: nothing is marked.
   */
  clusterCIDR?: string;
  bridge: string;
  /** Address family of the rules (default 4, for iptables-restore; 6 for ip6tables-restore). */
  family?: 4 | 6;
  /** KINDLAB-* chains that exist now (from iptables-save), so stale ones are removed. */
  existing?: { nat: string[]; filter: string[] };
}

export const MARK_MASQ_REMOTE = '0x4000';
export const MARK_MASQ_ALWAYS = '0x8000';
export const BASE_CHAINS = { nat: ['KINDLAB-SERVICES', 'KINDLAB-NODEPORTS', 'KINDLAB-POSTROUTING', 'KINDLAB-MARK-MASQ', 'KINDLAB-MARK-HAIRPIN', 'KINDLAB-MASQ'], filter: ['KINDLAB-FIREWALL'] } as const;

/** Hook rules in the built-in chains (checked with -C and inserted with -I once). */
export const HOOKS: Array<{ table: 'nat' | 'filter'; chain: string; rule: string[] }> = [
  { table: 'nat', chain: 'PREROUTING', rule: ['-m', 'comment', '--comment', 'kindlab service portals', '-j', 'KINDLAB-SERVICES'] },
  { table: 'nat', chain: 'OUTPUT', rule: ['-m', 'comment', '--comment', 'kindlab service portals', '-j', 'KINDLAB-SERVICES'] },
  { table: 'nat', chain: 'POSTROUTING', rule: ['-m', 'comment', '--comment', 'kindlab service masquerade', '-j', 'KINDLAB-POSTROUTING'] },
  ...(['INPUT', 'FORWARD', 'OUTPUT'] as const).map((chain) => ({ table: 'filter' as const, chain, rule: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kindlab service firewall', '-j', 'KINDLAB-FIREWALL'] })),
];

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'X').slice(0, 12).toUpperCase();
export const svcChain = (id: string, proto: string) => `KINDLAB-SVC-${hash(`${id}/${proto}`)}`;
export const svlChain = (id: string, proto: string) => `KINDLAB-SVL-${hash(`${id}/${proto}`)}`;
export const extChain = (id: string, proto: string) => `KINDLAB-EXT-${hash(`${id}/${proto}`)}`;
export const sepChain = (id: string, proto: string, ip: string, port: number) => `KINDLAB-SEP-${hash(`${id}/${proto}/${ip}:${port}`)}`;

const q = (s: string) => `"${s.replace(/"/g, '')}"`;
const prob = (n: number) => (1 / n).toFixed(10);

export function renderRules(input: RenderInput): { nat: string; filter: string; chains: { nat: string[]; filter: string[] } } {
  const nat: string[] = [];
  const filter: string[] = [];
  const natChains: string[] = [...BASE_CHAINS.nat];
  const add = (...r: string[]) => nat.push(`-A ${r.join(' ')}`);
  const fw = (...r: string[]) => filter.push(`-A KINDLAB-FIREWALL ${r.join(' ')}`);
  const v6 = input.family === 6;
  const host = (ip: string) => `${ip}/${v6 ? 128 : 32}`;
  const dest = (ip: string, port: number) => (v6 ? `[${ip}]:${port}` : `${ip}:${port}`);

  add('KINDLAB-MARK-MASQ', '-j MARK --or-mark', MARK_MASQ_REMOTE);
  add('KINDLAB-MARK-HAIRPIN', '-j MARK --or-mark', MARK_MASQ_ALWAYS);
  add('KINDLAB-POSTROUTING', `-m mark --mark ${MARK_MASQ_ALWAYS}/${MARK_MASQ_ALWAYS}`, '-m comment --comment "hairpin service traffic"', '-j KINDLAB-MASQ');
  add('KINDLAB-POSTROUTING', `-m mark --mark ${MARK_MASQ_REMOTE}/${MARK_MASQ_REMOTE}`, `! -o ${input.bridge}`, '-m comment --comment "external service traffic to a remote endpoint"', '-j KINDLAB-MASQ');
  add('KINDLAB-MASQ', '-j MARK --and-mark 0xffff3fff');
  add('KINDLAB-MASQ', '-j MASQUERADE');

  /** Endpoint selection chain: affinity first, then random. */
  const balance = (chain: string, s: ServicePortModel, eps: ServicePortModel['endpoints']) => {
    natChains.push(chain);
    const seps = eps.map((e) => sepChain(s.id, s.protocol, e.ip, e.port));
    if (s.affinitySeconds !== undefined)
      seps.forEach((sep, i) => add(chain, `-m comment --comment ${q(`${s.id} -> ${eps[i]!.ip}:${eps[i]!.port}`)}`, `-m recent --name ${sep} --rcheck --seconds ${s.affinitySeconds} --reap`, `-j ${sep}`));
    seps.forEach((sep, i) => {
      const left = seps.length - i;
      add(chain, `-m comment --comment ${q(`${s.id} -> ${eps[i]!.ip}:${eps[i]!.port}`)}`, ...(left > 1 ? [`-m statistic --mode random --probability ${prob(left)}`] : []), `-j ${sep}`);
    });
  };

  for (const s of input.services) {
    const p = `-p ${s.protocol}`;
    const cmt = `-m comment --comment ${q(s.id)}`;
    const svc = svcChain(s.id, s.protocol);
    const ext = extChain(s.id, s.protocol);
    const external = [...s.externalIPs, ...s.loadBalancerIPs];
    const hasExternal = external.length > 0 || s.nodePort !== undefined;
    const local = s.endpoints.filter((e) => e.local);

    if (!s.endpoints.length) {
      for (const ip of [...s.clusterIPs, ...external]) fw(`-d ${host(ip)}`, p, `--dport ${s.port}`, `-m comment --comment ${q(`${s.id} has no endpoints`)}`, '-j REJECT');
      if (s.nodePort !== undefined) fw('-m addrtype --dst-type LOCAL', p, `--dport ${s.nodePort}`, `-m comment --comment ${q(`${s.id} has no endpoints`)}`, '-j REJECT');
      continue;
    }
    for (const e of s.endpoints) {
      const sep = sepChain(s.id, s.protocol, e.ip, e.port);
      natChains.push(sep);
      add(sep, cmt, `-s ${host(e.ip)}`, '-j KINDLAB-MARK-HAIRPIN');
      add(sep, cmt, p, ...(s.affinitySeconds !== undefined ? [`-m recent --name ${sep} --set`] : []), `-j DNAT --to-destination ${dest(e.ip, e.port)}`);
    }
    const cluster = input.clusterCIDR ?? input.podCIDR;
    if (cluster) {
      for (const ip of s.clusterIPs) add(svc, `! -s ${cluster}`, `-d ${host(ip)}`, p, `--dport ${s.port}`, `-m comment --comment ${q(`${s.id} cluster IP from outside the cluster`)}`, '-j KINDLAB-MARK-MASQ');
    }
    balance(svc, s, s.endpoints);
    for (const ip of s.clusterIPs) add('KINDLAB-SERVICES', `-d ${host(ip)}`, p, `--dport ${s.port}`, `-m comment --comment ${q(`${s.id} cluster IP`)}`, `-j ${svc}`);
    if (!hasExternal) continue;

    natChains.push(ext);
    if (!s.externalLocal) {
      add(ext, cmt, '-j KINDLAB-MARK-MASQ');
      add(ext, cmt, `-j ${svc}`);
    } else {
      if (input.podCIDR) add(ext, `-s ${input.podCIDR}`, `-m comment --comment ${q(`${s.id} pods on this node use the cluster policy`)}`, `-j ${svc}`);
      add(ext, '-m addrtype --src-type LOCAL', `-m comment --comment ${q(`${s.id} from the node itself`)}`, '-j KINDLAB-MARK-MASQ');
      add(ext, '-m addrtype --src-type LOCAL', cmt, `-j ${svc}`);
      if (local.length) {
        const svl = svlChain(s.id, s.protocol);
        add(ext, cmt, `-j ${svl}`);
        balance(svl, s, local);
      } else {
        const why = `-m comment --comment ${q(`${s.id} externalTrafficPolicy Local: no endpoint on this node`)}`;
        for (const ip of external) fw(`-d ${host(ip)}`, p, `--dport ${s.port}`, why, '-j DROP');
        if (s.nodePort !== undefined) fw('-m addrtype --dst-type LOCAL', p, `--dport ${s.nodePort}`, why, '-j DROP');
      }
    }
    for (const ip of external) add('KINDLAB-SERVICES', `-d ${host(ip)}`, p, `--dport ${s.port}`, `-m comment --comment ${q(`${s.id} external IP`)}`, `-j ${ext}`);
    if (s.nodePort !== undefined) add('KINDLAB-NODEPORTS', p, `--dport ${s.nodePort}`, cmt, `-j ${ext}`);
  }
  add('KINDLAB-SERVICES', '-m addrtype --dst-type LOCAL', '-m comment --comment "node ports; keep last"', '-j KINDLAB-NODEPORTS');

  const wantNat = [...new Set(natChains)];
  const wantFilter: string[] = [...BASE_CHAINS.filter];
  const staleNat = (input.existing?.nat ?? []).filter((c) => !wantNat.includes(c));
  const staleFilter = (input.existing?.filter ?? []).filter((c) => !wantFilter.includes(c));
  const table = (name: string, chains: string[], stale: string[], rules: string[]) =>
    [`*${name}`, ...[...chains, ...stale].map((c) => `:${c} - [0:0]`), ...rules, ...stale.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
  return { nat: table('nat', wantNat, staleNat, nat), filter: table('filter', wantFilter, staleFilter, filter), chains: { nat: wantNat, filter: wantFilter } };
}

/** iptables-restore input that empties and deletes every given chain. */
export function renderCleanup(existing: { nat: string[]; filter: string[] }): string {
  const t = (name: string, chains: string[]) => (chains.length ? [`*${name}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n') : '');
  return t('nat', existing.nat) + t('filter', existing.filter);
}

/** KINDLAB-* chain names in `iptables-save -t TABLE` output. */
export function chainsInSave(save: string): string[] {
  return [...save.matchAll(/^:(KINDLAB-\S+)/gm)].map((m) => m[1]!);
}
