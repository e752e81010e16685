/**
 * The one internal model of what a node's BGP agent does, whatever dialect the user wrote: peers with native
 * values (numbers, seconds, booleans) and the prefixes to originate. Dialect modules convert their objects,
 * flags and annotations into an AgentIntent with a pure function over a ClusterView.
 */
import type { EndpointSlice, KubeObject, Node, Pod, Service } from '../../cluster/client/index.js';
import type { Family } from '../../bgp/index.js';
import type { ExportPolicy, RouteFilterRule } from '../../bgp/index.js';

export type { ExportPolicy };

export type DialectName = 'cilium' | 'calico' | 'kube-router' | 'kube-ovn' | 'metallb';
export const DIALECTS: readonly DialectName[] = ['cilium', 'calico', 'kube-router', 'kube-ovn', 'metallb'];

export interface Secret extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

/**
 * Everything the pure intent functions read. `objects` holds the dialects' custom resources by `group/kind`
 * (`metallb.io/BGPPeer`) and, except for MetalLB's group, also by bare kind (`BGPPeer`); see view.ts.
 */
export interface ClusterView {
  nodes: Node[];
  pods: Pod[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  secrets: Secret[];
  objects: Record<string, KubeObject[]>;
}

export interface PeerIntent {
  /** Plain address (no /32). */
  address: string;
  asn: number;
  port: number;
  /** Outgoing TTL (eBGP multihop); undefined = the speaker's default (1 eBGP, 64 iBGP). */
  multihopTtl?: number;
  /**
   * GTSM (RFC 5082, Calico ttlSecurity / BIRD `ttl security on`): drop the peer's packets whose TTL is below this
   * (IP_MINTTL on the session socket); the speaker then sends with TTL 255 (`multihopTtl`).
   */
  minTtl?: number;
  /** Our AS towards this peer when not the node's (Calico localASNumber / BIRD `local as`). */
  localAsn?: number;
  password?: string;
  /** Source address the session binds to (kube-router localip / peer.localips); undefined = the kernel's choice. */
  localAddress?: string;
  /**
   * BFD on this session (Kube-OVN --enable-bfd, MetalLB bfdProfile): the agent runs a BFD session with the peer and
   * tears the BGP session down when it goes Down. `passive` / `minTtl` (multihop only) as FRR's profile settings.
   */
  bfd?: { minTxMs: number; minRxMs: number; multiplier: number; passive?: boolean; minTtl?: number };
  holdTime: number;
  keepalive: number;
  connectRetry: number;
  gracefulRestart: { enabled: boolean; restartTime: number };
  passive: boolean;
  families: Family[];
  /** Always rewrite the next hop to ours (also over iBGP). */
  nextHopSelf: boolean;
  /** Keep the original next hop over eBGP (Calico keepOriginalNextHop). Informational: the speaker rewrites on eBGP. */
  keepOriginalNextHop: boolean;
  /** We reflect routes to this peer (we are its route reflector). */
  rrClient: boolean;
  /**
   * What the speaker sends this peer: 'originated' = only what this node originates (its pod CIDR, service IPs),
   * as the CNIs' daemons do towards external routers; 'all' = whatever the BGP rules allow (route reflection).
   */
  exportPolicy: ExportPolicy;
  /** Prefix rules on routes from / to this peer, first match decides (Calico BGPFilter); absent = none. */
  importRules?: RouteFilterRule[];
  exportRules?: RouteFilterRule[];
  /** Where the peer comes from: "policy rack0", "BGPPeer global-64512", "node mesh", ... */
  source: string;
}

export interface Advertisement {
  prefix: string;
  communities: string[];
  largeCommunities: string[];
  localPref?: number;
  /** Extra copies of `asn` in front of the AS path (kube-router path-prepend). */
  asPathPrepend?: { asn: number; count: number };
  /** Why: "pod CIDR", "service default/nginx clusterIP (eTP Local)", ... */
  reason: string;
}

export interface AgentIntent {
  dialect: DialectName;
  node: string;
  /** 0 = this node runs no BGP (not selected by any policy / not a speaker node). */
  localAsn: number;
  routerId: string;
  peers: PeerIntent[];
  advertise: Advertisement[];
  /** Install learned best routes into the kernel FIB (kube-router yes, Cilium no). */
  installRoutes: boolean;
  /** iBGP mesh between nodes is part of the peers. */
  ibgpMesh: boolean;
  /** Route reflector: our cluster id when this node is a route reflector server. */
  routeReflector?: { clusterId: string };
  /** Problems found in the configuration (logged; the rest still applies). */
  problems: string[];
  /**
   * LoadBalancer addresses for Service status.loadBalancer.ingress (kube-router's allocator, `--run-loadbalancer`);
   * the agent writes them only while it holds the allocator's Lease. Absent = the agent allocates nothing.
   */
  lbStatus?: Array<{ namespace: string; name: string; ips: string[] }>;
}

/** One dialect: what it watches and how its configuration becomes an AgentIntent. */
export interface Dialect<Opts> {
  name: DialectName;
  /** Custom resource kinds this dialect reads (keys of ClusterView.objects). */
  kinds: readonly CustomKind[];
  /** Dialect flags (the project's own CLI flags) → options with the project's defaults. */
  parseFlags(argv: string[]): Opts;
  compute(view: ClusterView, nodeName: string, opts: Opts): AgentIntent;
}

export interface CustomKind {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}
