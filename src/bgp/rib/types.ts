import type { Family } from '../wire/constants.js';
import type { RouteFilterRule } from './route-filter.js';

export type { RouteFilterRule };
export type { RouteFilterAction } from './route-filter.js';

export type { Family };

export interface PeerInfo {
  name: string;
  address: string;
  localAddress: string;
  localAddress6?: string;
  /** Our IPv6 link-local address on the peer's link, sent as the second MP_REACH next hop when known. */
  linkLocalAddress6?: string;
  asn: number;
  localAsn: number;
  routerId: string;
  ibgp: boolean;
  fourOctetAs: boolean;
  families: Family[];
  extendedNextHop?: boolean;
  routeReflectorClient?: boolean;
  nextHopSelf?: boolean;
  maxPrefixes?: number;
  /**
   * What this peer may receive (default 'all'): 'all' = every best route the RFC rules allow (RFC 4271 §9.2,
   * RFC 4456 reflection); 'originated' = only routes this speaker originates (Rib.originate), as the node
   * agents a CNI runs advertise to external routers (GoBGP export policies with default reject, Calico's
   * BIRD export filters). Applies on top of the RFC rules, so it only ever removes routes.
   */
  exportPolicy?: ExportPolicy;
  /** Prefix rules on what this peer sends us (route-filter.ts); no verdict = accept. */
  importRules?: RouteFilterRule[];
  /**
   * Prefix rules on what we send this peer, before the export policy: accept sends the route even where the
   * policy would keep it back (the RFC rules still apply), reject keeps it back; no verdict = the policy decides.
   */
  exportRules?: RouteFilterRule[];
  /** The interface the session runs over: the interface of the routes learned from this peer (filter `ifname`). */
  ifname?: string;
}

/** Per-peer export policy (PeerInfo.exportPolicy). */
export type ExportPolicy = 'all' | 'originated';

export interface UpdateResult {
  action: 'ok' | 'treat-as-withdraw' | 'session-reset' | 'max-prefix';
  notification?: { code: number; subcode: number; data: Buffer };
  endOfRib?: Family;
  announced: number;
  withdrawn: number;
  errors: string[];
}

export interface RouteView {
  family: Family;
  prefix: string;
  nextHop: string;
  asPath: number[];
  origin: string;
  med?: number;
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
  best: boolean;
  /** Peer name, 'local' for originated routes. */
  peer: string;
  stale: boolean;
  reason?: string;
}

export interface RibOptions {
  localAsn: number;
  routerId: string;
  /** Maximum ECMP paths (1 = no multipath). */
  multipath?: number;
  /** ECMP across paths with different neighbour ASes (as-path multipath-relax). */
  multipathRelax?: boolean;
  /** Compare MED between paths from different neighbour ASes. */
  alwaysCompareMed?: boolean;
  /** Route reflector cluster id (default: routerId). */
  clusterId?: string;
}

/** Attributes of a locally originated route. */
export interface OriginateOptions {
  communities?: string[];
  largeCommunities?: string[];
  med?: number;
  localPref?: number;
  nextHop?: string;
  /** AS numbers sent after our own AS to eBGP peers (path prepending); not sent to iBGP peers. */
  asPathPrepend?: number[];
}
