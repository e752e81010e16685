/** Types of the BGP speaker: configuration, status views, and the RIB surface it drives (agreed with rib/). */
import type { Family } from './wire/constants.js';
import type { SessionConfig } from './session/negotiate.js';
import type { FsmState } from './session/fsm.js';
import type { RouteFilterRule } from './rib/index.js';

export type { Family };

export interface NeighborConfig extends Omit<SessionConfig, 'localAsn' | 'routerId'> {
  name?: string;
  /** Our AS on this session when it is not the speaker's (BIRD `local as` per protocol); default SpeakerConfig.asn. */
  localAsn?: number;
  nextHopSelf?: boolean;
  routeReflectorClient?: boolean;
  /** Seconds to wait for End-of-RIB after a graceful restart before sweeping stale routes (default 360). */
  stalePathTime?: number;
  /** 'originated': send this peer only the routes we originate (RIB PeerInfo.exportPolicy); default 'all'. */
  exportPolicy?: 'all' | 'originated';
  /** Prefix filters on routes from / to this peer (RIB PeerInfo.importRules / exportRules). */
  importRules?: RouteFilterRule[];
  exportRules?: RouteFilterRule[];
}

export interface SpeakerConfig {
  asn: number;
  routerId: string;
  /** Where to accept BGP connections; port 0 = do not listen. */
  listen?: { address: string; port: number };
  neighbors: NeighborConfig[];
  multipath?: number;
}

export interface NeighborStatus {
  address: string;
  /** The peer's port when it is not 179 (the neighbor is then named "address:port"). */
  port?: number;
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

/**
 * The speaker uses the RIB's own types (rib/types.ts): peers, update results, route views and the
 * attributes of originated routes. RibApi names the part of `Rib` it needs.
 */
export type {
  PeerInfo as RibPeerInfo,
  UpdateResult as RibUpdateResult,
  RouteView as RibRouteView,
  OriginateOptions as OriginateAttrs,
} from './rib/types.js';
import type { PeerInfo as RibPeerInfo, UpdateResult as RibUpdateResult, RouteView as RibRouteView, OriginateOptions as OriginateAttrs } from './rib/types.js';

export interface RibApi {
  addPeer(p: RibPeerInfo): number;
  removePeer(peer: number): void;
  peerUp(peer: number): void;
  peerDown(peer: number, opts: { graceful: boolean }): void;
  sweepStale(peer: number, family?: Family): number;
  applyUpdate(peer: number, body: Buffer): RibUpdateResult;
  originate(prefix: string, attrs?: OriginateAttrs): void;
  withdrawOriginated(prefix: string): void;
  /** UPDATEs for the peer; with `coalesceBytes` a returned Buffer may hold several whole messages back to back. */
  takeUpdates(peer: number, opts: { maxMessageSize: number; resend?: boolean; endOfRib?: boolean; coalesceBytes?: number; maxRows?: number }): Buffer[];
  /** Whether the peer has changes a takeUpdates would still send (e.g. left by maxRows). */
  behind(peer: number): boolean;
  routes(q: { family: Family; peer?: number; table: 'loc' | 'adj-in' | 'adj-out' }): Iterable<RibRouteView>;
  stats(peer: number): { received: number; accepted: number; advertised: number };
  counts(family: Family): { destinations: number; paths: number };
  on(event: 'dirty', cb: (peers: number[]) => void): unknown;
}
