/** Public API of the BGP speaker library. */
import { Rib } from './rib/index.js';
import { BgpSpeaker, type SpeakerOptions } from './speaker.js';
import type { SpeakerConfig } from './speaker-types.js';

export { BgpSpeaker, type SpeakerOptions } from './speaker.js';
export type { SpeakerConfig, NeighborConfig, NeighborStatus, OriginateAttrs, RibApi } from './speaker-types.js';
export { Session, type SessionHandler } from './session/session.js';
export { neighborKey, normalizeNeighborKey } from './neighbor-key.js';
export type { SessionConfig, Negotiated } from './session/negotiate.js';
export { transition, type FsmState, type FsmEvent, type FsmAction } from './session/fsm.js';
export { connectTcp, TcpListener } from './session/transport.js';
export { createLogger, type Logger } from './session/log.js';
export { Rib, routeFilterVerdict } from './rib/index.js';

/** A speaker with its own RIB. */
export function createSpeaker(cfg: SpeakerConfig, opts: Omit<SpeakerOptions, 'rib'> = {}): BgpSpeaker {
  const rib = new Rib({ localAsn: cfg.asn, routerId: cfg.routerId, multipath: cfg.multipath });
  return new BgpSpeaker(cfg, { ...opts, rib });
}
export type { Family } from './wire/constants.js';
export type { ExportPolicy, RouteFilterRule, RouteFilterAction } from './rib/types.js';
export { ipv4ToNumber, ipv6ToBytes, isIpv4 } from './wire/ip.js';
export type { LogLevel } from './session/log.js';
