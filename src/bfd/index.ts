/**
 * Public API of BFD (RFC 5880 asynchronous mode, RFC 5881 single hop, RFC 5883 multihop): the packet codec, the
 * state table, one session, and the manager that runs sessions over UDP. Imports nothing from bgp/ or agent/:
 * the agent ties a BFD session going down to the BGP session of the same peer.
 */
export { BFD_VERSION, DIAG, MIN_LENGTH, controlPacket, decodeControl, describeDiag, encodeControl, type BfdState, type ControlPacket, type DecodeResult } from './packet.js';
export { bfdTransition, type BfdCause, type BfdEvent, type BfdTransition } from './fsm.js';
export { BfdSession, SLOW_TX_US, type BfdClock, type BfdSessionStatus, type BfdStateChange, type BfdTimers } from './session.js';
export { BfdManager, MULTIHOP_PORT, SINGLE_HOP_PORT, type BfdLogger, type BfdManagerOptions, type BfdPeerConfig, type BfdPeerStatus } from './manager.js';
export { SOURCE_PORT_MAX, SOURCE_PORT_MIN } from './socket.js';

/** FRR bfdd's defaults (receive-interval, transmit-interval 300 ms, detect-multiplier 3). */
export const BFD_DEFAULTS = { minTxMs: 300, minRxMs: 300, multiplier: 3 } as const;
