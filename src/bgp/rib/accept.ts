import { SEG } from '../wire/attrs/types.js';

/**
 * The RIB's acceptance rules for a received path, in one place for the full decoder path (receive.ts) and the
 * byte-level fast path (receive-fast.ts). Each path extracts the facts from its own representation.
 */
export interface LoopFacts {
  /** Our AS appears in AS_PATH. */
  asLoop: boolean;
  /** ORIGINATOR_ID as a number, -1 when absent. */
  originatorId: number;
  /** Our cluster id appears in CLUSTER_LIST. */
  clusterLoop: boolean;
}

/** Why a path must not be accepted (RFC 4271 §9.1.2 AS loop, RFC 4456 §8 route reflection loops), or undefined. */
export function loopReason(ibgp: boolean, routerId: number, f: LoopFacts): string | undefined {
  if (f.asLoop) return 'AS path loop';
  if (ibgp) {
    if (f.originatorId === routerId) return 'ORIGINATOR_ID is our router id';
    if (f.clusterLoop) return 'CLUSTER_LIST loop';
  }
  return undefined;
}

/**
 * RFC 4271 §6.3: from an external peer the leftmost AS of AS_PATH (first AS_SEQUENCE/AS_SET segment) must be
 * an AS_SEQUENCE starting with the peer's AS. `firstSegType` 0 = no such segment.
 */
export function leftmostAsOk(ibgp: boolean, firstSegType: number, firstAs: number, peerAs: number): boolean {
  return ibgp || (firstSegType === SEG.AS_SEQUENCE && firstAs === peerAs);
}
