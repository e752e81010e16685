/** Decoded path attributes. Absent attributes are absent keys (not `undefined`), so decoded values deep-equal. */

export const SEG = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const;

export interface AsPathSegment {
  type: 1 | 2 | 3 | 4;
  asns: number[];
}

export interface Aggregator {
  asn: number;
  address: string;
}

export interface MpReach {
  afi: number;
  safi: number;
  /** IPv4 or IPv6 global next hop (for IPv4 NLRI an IPv6 one under RFC 8950). */
  nextHop: string;
  /** IPv6 link-local next hop when the next hop field carries 32 octets. */
  linkLocal?: string;
  nlri: string[];
}

export interface MpUnreach {
  afi: number;
  safi: number;
  withdrawn: string[];
}

export interface UnknownAttribute {
  /** Flag bits without Extended Length (it is computed). */
  flags: number;
  type: number;
  value: Buffer;
}

export interface PathAttributes {
  origin?: number;
  asPath?: AsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: true;
  aggregator?: Aggregator;
  communities?: number[];
  originatorId?: string;
  clusterList?: string[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  as4Path?: AsPathSegment[];
  as4Aggregator?: Aggregator;
  largeCommunities?: Array<[number, number, number]>;
  unknown?: UnknownAttribute[];
}

/** How the peer encodes AS numbers, and what kind of session it is (RFC 7606 rules depend on it). */
export interface AttrContext {
  fourOctetAs: boolean;
  ibgp?: boolean;
}

/** Thrown by attribute decoders; the dispatcher adds the attribute bytes and the RFC 7606 action. */
export class AttrMalformed extends Error {
  constructor(
    readonly subcode: number,
    message: string,
    /** Overrides the attribute's RFC 7606 action (e.g. a martian MP_REACH next hop is treat-as-withdraw). */
    readonly action?: 'treat-as-withdraw',
  ) {
    super(message);
  }
}
