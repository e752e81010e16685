/** BGP message types, notification codes and subcodes, address families (RFC 4271, 4486, 4760, 7313). */

export const MSG = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;
export type MessageType = (typeof MSG)[keyof typeof MSG];

export const MARKER_LEN = 16;
export const HEADER_LEN = 19;
export const MAX_MESSAGE_SIZE = 4096;
export const EXTENDED_MAX_MESSAGE_SIZE = 65535;
export const BGP_VERSION = 4;
export const AS_TRANS = 23456;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 §5). */
export const NOTIF = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
} as const;

/** Message Header Error subcodes. */
export const HEADER = { CONNECTION_NOT_SYNCHRONIZED: 1, BAD_MESSAGE_LENGTH: 2, BAD_MESSAGE_TYPE: 3 } as const;

/** OPEN Message Error subcodes (RFC 4271, RFC 5492 §5 unsupported capability, RFC 9234 role mismatch). */
export const OPEN_ERR = {
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
} as const;

/** UPDATE Message Error subcodes (RFC 4271 §6.3). */
export const UPDATE_ERR = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** FSM Error subcodes (RFC 6608). */
export const FSM_ERR = {
  UNSPECIFIED: 0,
  UNEXPECTED_MESSAGE_IN_OPENSENT: 1,
  UNEXPECTED_MESSAGE_IN_OPENCONFIRM: 2,
  UNEXPECTED_MESSAGE_IN_ESTABLISHED: 3,
} as const;

/** Cease subcodes (RFC 4486, RFC 8203 shutdown communication, RFC 9003, RFC 9384). */
export const CEASE = {
  MAX_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  /** RFC 9384. */
  BFD_DOWN: 10,
} as const;

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). */
export const ROUTE_REFRESH_ERR = { INVALID_MESSAGE_LENGTH: 1 } as const;

export const AFI = { IPV4: 1, IPV6: 2 } as const;
export const SAFI = { UNICAST: 1 } as const;
export type Family = 'ipv4-unicast' | 'ipv6-unicast';

export function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== SAFI.UNICAST) return undefined;
  if (afi === AFI.IPV4) return 'ipv4-unicast';
  if (afi === AFI.IPV6) return 'ipv6-unicast';
  return undefined;
}

export function afiSafiOf(f: Family): { afi: number; safi: number } {
  return f === 'ipv4-unicast' ? { afi: AFI.IPV4, safi: SAFI.UNICAST } : { afi: AFI.IPV6, safi: SAFI.UNICAST };
}

/** Path attribute type codes. */
export const ATTR = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const;

/** Path attribute flag bits. */
export const FLAG = { OPTIONAL: 0x80, TRANSITIVE: 0x40, PARTIAL: 0x20, EXTENDED_LENGTH: 0x10 } as const;

/** Capability codes (IANA). */
export const CAP = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ENHANCED_ROUTE_REFRESH: 70,
} as const;

/** Minimum message length per type (header included). */
export const MIN_LENGTH: Record<number, number> = {
  [MSG.OPEN]: 29,
  [MSG.UPDATE]: 23,
  [MSG.NOTIFICATION]: 21,
  [MSG.KEEPALIVE]: 19,
  [MSG.ROUTE_REFRESH]: 23,
};
