/**
 * Routing intent (the lab-wide `routing:` section and the `bgp:` blocks of router nodes) and
 * what kindlab derives from it: addresses, sessions, router configs, the cluster side's peering
 * objects and the checks that prove them. Pure data; nothing here touches Docker.
 */
import type { SourcePos } from '../topology/index.js';

export const ROUTER_DAEMONS = ['frr', 'bird', 'gobgp'] as const;
export type RouterDaemon = (typeof ROUTER_DAEMONS)[number];

/** An ASN scheme for a role: one fixed ASN, or one per router counting up from `start`. */
export type AsnScheme = { fixed: number } | { start: number };

export interface RoutingDefaults {
  /** Role → ASN scheme (`spine: 65000`, `leaf: "65010+"`). */
  asns: Record<string, AsnScheme>;
  /** Pool of /32 loopbacks, which are also the router IDs (node order). */
  loopbacks?: string;
  /** Pool of /31s for router–router links, or unnumbered (FRR: BGP on the interface, IPv6 LL). */
  links: { pool: string } | { unnumbered: true };
  /** Pool of /24s for router–Kubernetes node links (router .1, node .2) when the node has no node-ip. */
  access: string;
  multipath: boolean;
  bfd: boolean;
  password?: string;
  redistributeConnected: boolean;
  /** The cluster's ASN; undefined: each node shares its ToR's ASN (iBGP), as the Cilium article does. */
  clusterAsn?: number;
  /** Generate the cluster dialect's peering objects (default true). */
  clusterObjects: boolean;
  /** LoadBalancer addresses for MetalLB's generated IPAddressPool (`routing.cluster.lb-pool`). */
  lbPool?: string;
  /** OSPF (`routing.ospf`) on every router–router link between FRR and BIRD routers, in this area. */
  ospf?: { area: number };
  pos: SourcePos;
}

/** A router's `bgp:` block after defaults. */
export interface RouterIntent {
  node: string;
  role: string;
  daemon: RouterDaemon;
  asn?: number;
  routerId?: string;
  loopback?: string;
  /** Prefixes announced as originated (static/blackhole + network statement). */
  originate: string[];
  defaultOriginate: boolean;
  password?: string;
  bfd: boolean;
  multipath: boolean;
  /** Prefix lists applied to every session: accept/deny in, announce out. */
  prefixIn: string[];
  prefixOut: string[];
  /** Communities set on what this router announces. */
  communities: string[];
  pos: SourcePos;
}

/** One side of an addressed link. */
export interface LinkAddress {
  node: string;
  iface: string;
  /** CIDR (10.0.255.0/31), undefined on unnumbered links. */
  cidr?: string;
}

export type SessionKind = 'fabric' | 'cluster' | 'external';

/** A BGP session derived from a link: `local` peers with `peer` at `peerAddress` (or on `iface`). */
export interface Session {
  kind: SessionKind;
  local: string;
  peer: string;
  localAsn: number;
  peerAsn: number;
  /** Undefined on unnumbered sessions (FRR `neighbor IFACE interface`). */
  peerAddress?: string;
  localAddress?: string;
  iface: string;
  password?: string;
  bfd: boolean;
}

/** A Kubernetes node reached over an access link from a router (its ToR). */
export interface ClusterAttachment {
  /** Kubernetes Node name. */
  k8sNode: string;
  /** Topology node whose netns holds the link (the k8s node or a server sharing its netns). */
  via: string;
  tor: string;
  torAddress: string;
  nodeAddress: string;
  prefixLength: number;
  iface: string;
  nodeAsn: number;
}

export interface RenderedFile {
  /** Path inside the container. */
  path: string;
  content: string;
}

export interface RenderedRouter {
  node: string;
  daemon: RouterDaemon;
  asn: number;
  routerId: string;
  files: RenderedFile[];
  /** Exec lines: addressing, then the daemon's start. */
  exec: string[];
}

/** A check `lab verify` runs, in its expectation syntax. */
export type DerivedCheck = Record<string, unknown>;

export interface RoutingPlan {
  routers: RenderedRouter[];
  addresses: LinkAddress[];
  sessions: Session[];
  attachments: ClusterAttachment[];
  /** Exec lines for non-router nodes (hosts and the netns owners of Kubernetes nodes). */
  hostExec: Record<string, string[]>;
  /** Kubernetes objects for the cluster's dialect (YAML documents). */
  clusterObjects: Array<Record<string, unknown>>;
  /** The dialect's flags derived from the intent (Kube-OVN's speaker), used when cluster.bgp.flags is empty. */
  clusterFlags: string[];
  /** What could not be generated or was overridden by the user's own config. */
  notes: string[];
  checks: DerivedCheck[];
}
