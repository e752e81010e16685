/** Types of the BGP speaker: configuration, status views, and the RIB surface it drives (agreed with rib/). */
import type { Family } from './wire/constants.js';
import type { SessionConfig } from './session/negotiate.js';
import type { FsmState } from './session/fsm.js';

export type { Family };

export interface NeighborConfig extends Omit<SessionConfig, 'localAsn' | 'routerId'> {
  name?: string;
  nextHopSelf?: boolean;
  routeReflectorClient?: boolean;
  /** Seconds to wait for End-of-RIB after a graceful restart before sweeping stale routes (default 360). */
  stalePathTime?: number;
}

export interface SpeakerConfig {
  asn: number;
  routerId: string;
  /** Where to accept BGP connections; port 0 = do not listen. */
  listen?: { address: string; port: number };
  neighbors: NeighborConfig[];
  multipath?: number;
}

export interface OriginateAttrs {
  communities?: string[];
  largeCommunities?: string[];
  med?: number;
  localPref?: number;
  nextHop?: string;
}

export interface NeighborStatus {
  address: string;
  name: string;
  asn: number;
  state: FsmState;
  uptimeSeconds: number;
  received: number;
  accepted: number;
  advertised: number;
  reason: string;
  lastError?: string;
  flaps: number;
  routerId?: string;
  holdTime?: number;
  keepaliveTime?: number;
  families: Family[];
  gracefulRestart?: { peerRestartTime: number; staleRoutes: boolean };
  messages: { received: Record<string, number>; sent: Record<string, number> };
  local?: { address: string; port: number };
  remote?: { address: string; port: number };
}

/** Matches rib/index.ts (CORE): the parts of `Rib` the speaker uses. */
export interface RibPeerInfo {
  name: string;
  address: string;
  localAddress: string;
  localAddress6?: string;
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

export interface RibUpdateResult {
  action: 'ok' | 'treat-as-withdraw' | 'session-reset' | 'max-prefix';
  notification?: { code: number; subcode: number; data: Buffer };
  endOfRib?: Family;
  announced: number;
  withdrawn: number;
  errors: string[];
}

export interface RibRouteView {
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
  peer: string;
  stale: boolean;
  reason?: string;
}

export interface RibApi {
  addPeer(p: RibPeerInfo): number;
  removePeer(peer: number): void;
  peerUp(peer: number): void;
  peerDown(peer: number, opts: { graceful: boolean }): void;
  sweepStale(peer: number, family?: Family): number;
  applyUpdate(peer: number, body: Buffer): RibUpdateResult;
  originate(prefix: string, attrs?: OriginateAttrs): void;
  withdrawOriginated(prefix: string): void;
  takeUpdates(peer: number, opts: { maxMessageSize: number; resend?: boolean; endOfRib?: boolean }): Buffer[];
  routes(q: { family: Family; peer?: number; table: 'loc' | 'adj-in' | 'adj-out' }): Iterable<RibRouteView>;
  stats(peer: number): { received: number; accepted: number; advertised: number };
  counts(family: Family): { destinations: number; paths: number };
  on(event: 'dirty', cb: (peers: number[]) => void): unknown;
}
