/** The five configuration dialects, selection by name and detection from which objects/flags exist. */
import { calico } from './calico.js';
import { cilium } from './cilium.js';
import { kubeOvn } from './kube-ovn.js';
import { kubeRouter } from './kube-router.js';
import { metallb } from './metallb.js';
import type { AgentIntent, ClusterView, Dialect, DialectName } from './types.js';

export type { AgentIntent, PeerIntent, Advertisement, ClusterView, DialectName, CustomKind, Secret } from './types.js';
export { DIALECTS } from './types.js';

// Options differ per dialect; the registry only passes them back to the dialect that parsed them.
type AnyDialect = Dialect<unknown>;
export const DIALECT_MODULES: Record<DialectName, AnyDialect> = { cilium, calico, 'kube-router': kubeRouter, 'kube-ovn': kubeOvn, metallb };

/** A dialect with its parsed flags: `intent(view, node)` is the pure function the agent runs on every change. */
export interface BoundDialect {
  name: DialectName;
  kinds: AnyDialect['kinds'];
  intent(view: ClusterView, node: string): AgentIntent;
}

export function bindDialect(name: DialectName, argv: string[]): BoundDialect {
  const d = DIALECT_MODULES[name];
  const opts: unknown = d.parseFlags(argv);
  return { name, kinds: d.kinds, intent: (v, n) => d.compute(v, n, opts) };
}

/**
 * Detection when no --dialect is given: kube-router / kube-ovn flags name themselves; otherwise whichever
 * dialect's objects exist (Cilium policies, Calico BGPConfiguration/BGPPeer, MetalLB metallb.io BGPPeer, Kube-OVN
 * speaker node labels). MetalLB's BGPPeer is keyed by group (metallb.io/BGPPeer), so it never reads as Calico's.
 */
export function detectDialect(view: ClusterView, argv: string[]): DialectName | undefined {
  if (argv.some((a) => /^--(peer-router-ips|cluster-asn|advertise-pod-cidr|run-router|nodes-full-mesh)\b/.test(a))) return 'kube-router';
  if (argv.some((a) => /^--(neighbor-address|neighbor-as|cluster-as|announce-cluster-ip)\b/.test(a))) return 'kube-ovn';
  const has = (k: string) => (view.objects[k]?.length ?? 0) > 0;
  if (has('CiliumBGPPeeringPolicy') || has('CiliumBGPClusterConfig')) return 'cilium';
  if (has('BGPPeer') || has('BGPConfiguration')) return 'calico';
  if (has('metallb.io/BGPPeer')) return 'metallb';
  if (view.nodes.some((n) => n.metadata.labels?.['ovn.kubernetes.io/bgp'] === 'true')) return 'kube-ovn';
  if (view.nodes.some((n) => Object.keys(n.metadata.annotations ?? {}).some((k) => k.startsWith('kube-router.io/')))) return 'kube-router';
  return undefined;
}
