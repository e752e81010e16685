import type { Family } from '../wire/constants.js';

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
}

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
