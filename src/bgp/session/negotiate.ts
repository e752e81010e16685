/**
 * Pure OPEN handling: our OPEN from the peer configuration, checks of the peer's OPEN (RFC 4271 §6.2, RFC 6286,
 * RFC 6793), and the negotiated result (hold time, families, capabilities both sides announced).
 */
import { AFI, AS_TRANS, BGP_VERSION, NOTIF, OPEN_ERR, afiSafiOf, familyOf, type Family } from '../wire/constants.js';
import type { Capabilities } from '../wire/capabilities.js';
import type { OpenMessage } from '../wire/open.js';
import type { Notification } from './fsm.js';

export interface SessionConfig {
  localAsn: number;
  routerId: string;
  peerAddress: string;
  peerAsn: number;
  port?: number;
  localAddress?: string;
  passive?: boolean;
  /** Outgoing TTL; default 1 for eBGP, 64 for iBGP. */
  ttl?: number;
  /** GTSM: minimum TTL accepted from the peer. */
  minTtl?: number;
  password?: string;
  holdTime?: number;
  keepaliveTime?: number;
  connectRetryTime?: number;
  /** Seconds in Idle before an automatic restart after an error. */
  idleHoldTime?: number;
  /** DelayOpen (RFC 4271 §8.1.1), seconds; 0/undefined = off. */
  delayOpenTime?: number;
  families?: Family[];
  gracefulRestart?: { enabled: boolean; restartTime?: number };
  extendedMessage?: boolean;
  extendedNextHop?: boolean;
  maxPrefixes?: number;
}

export interface Negotiated {
  peerAsn: number;
  peerRouterId: string;
  holdTime: number;
  keepaliveTime: number;
  families: Family[];
  fourOctetAs: boolean;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  /** IPv4 unicast NLRI with IPv6 next hops (RFC 8950) in both directions. */
  extendedNextHop: boolean;
  /** The peer's graceful restart capability (we keep its routes on session loss when present). */
  peerGracefulRestart?: { restarting: boolean; restartTime: number; notification: boolean; families: Array<{ family: Family; forwardingPreserved: boolean }> };
  /** Whether we announced graceful restart. */
  localGracefulRestart: boolean;
}

export const DEFAULTS = { port: 179, holdTime: 90, connectRetryTime: 120, idleHoldTime: 5, restartTime: 120 } as const;

export const isIbgp = (c: SessionConfig): boolean => c.localAsn === c.peerAsn;
export const families = (c: SessionConfig): Family[] => c.families ?? ['ipv4-unicast'];

/** Our OPEN. `restarting` sets the R bit (we restarted and preserved forwarding). */
export function buildOpen(c: SessionConfig, opts: { restarting?: boolean } = {}): OpenMessage {
  const fams = families(c);
  const caps: Capabilities = {
    multiprotocol: fams.map(afiSafiOf),
    routeRefresh: true,
    enhancedRouteRefresh: true,
    fourOctetAsn: c.localAsn,
    extendedNextHop: c.extendedNextHop && fams.includes('ipv4-unicast') ? [{ afi: AFI.IPV4, safi: 1, nextHopAfi: AFI.IPV6 }] : [],
    extendedMessage: c.extendedMessage ?? true,
    unknown: [],
  };
  if (c.gracefulRestart?.enabled) {
    caps.gracefulRestart = {
      restarting: opts.restarting ?? false,
      notification: false,
      restartTime: Math.min(c.gracefulRestart.restartTime ?? DEFAULTS.restartTime, 4095),
      families: fams.map((f) => ({ ...afiSafiOf(f), forwardingPreserved: opts.restarting ?? false })),
    };
  }
  return { version: BGP_VERSION, asn: c.localAsn > 0xffff ? AS_TRANS : c.localAsn, holdTime: c.holdTime ?? DEFAULTS.holdTime, routerId: c.routerId, capabilities: caps };
}

const asnData = (asn: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(asn > 0xffff ? AS_TRANS : asn);
  return b;
};

/** Checks the decoded peer OPEN against the configuration; returns the NOTIFICATION to send when it is unacceptable. */
export function checkPeerOpen(c: SessionConfig, o: OpenMessage): Notification | undefined {
  if (o.asn !== c.peerAsn) return { code: NOTIF.OPEN_MESSAGE_ERROR, subcode: OPEN_ERR.BAD_PEER_AS, data: asnData(o.asn) };
  // RFC 6286 §2.2: identical BGP Identifiers are an error only within one AS.
  if (o.routerId === c.routerId && isIbgp(c)) return { code: NOTIF.OPEN_MESSAGE_ERROR, subcode: OPEN_ERR.BAD_BGP_IDENTIFIER };
  if (o.holdTime !== 0 && o.holdTime < 3) return { code: NOTIF.OPEN_MESSAGE_ERROR, subcode: OPEN_ERR.UNACCEPTABLE_HOLD_TIME };
  return undefined;
}

/** The session parameters both sides agreed on. */
export function negotiate(c: SessionConfig, ours: OpenMessage, peer: OpenMessage): Negotiated {
  const holdTime = Math.min(ours.holdTime, peer.holdTime);
  const wantedKeepalive = c.keepaliveTime ?? Math.floor(holdTime / 3);
  const keepaliveTime = holdTime === 0 ? 0 : Math.max(1, Math.min(wantedKeepalive, Math.floor(holdTime / 3)));
  const pc = peer.capabilities;
  // RFC 4760 §8: a peer without multiprotocol capabilities speaks IPv4 unicast only.
  const peerFams = pc.multiprotocol.length === 0 ? ['ipv4-unicast'] : pc.multiprotocol.map((m) => familyOf(m.afi, m.safi)).filter(Boolean);
  const fams = families(c).filter((f) => peerFams.includes(f));
  const gr = pc.gracefulRestart;
  const n: Negotiated = {
    peerAsn: peer.asn,
    peerRouterId: peer.routerId,
    holdTime,
    keepaliveTime,
    families: fams,
    fourOctetAs: pc.fourOctetAsn !== undefined,
    routeRefresh: pc.routeRefresh || pc.enhancedRouteRefresh,
    enhancedRouteRefresh: pc.enhancedRouteRefresh && ours.capabilities.enhancedRouteRefresh,
    extendedMessage: pc.extendedMessage && ours.capabilities.extendedMessage,
    extendedNextHop:
      ours.capabilities.extendedNextHop.length > 0 && pc.extendedNextHop.some((e) => e.afi === AFI.IPV4 && e.nextHopAfi === AFI.IPV6),
    localGracefulRestart: ours.capabilities.gracefulRestart !== undefined,
  };
  if (gr) {
    n.peerGracefulRestart = {
      restarting: gr.restarting,
      restartTime: gr.restartTime,
      notification: gr.notification,
      families: gr.families.flatMap((f) => {
        const fam = familyOf(f.afi, f.safi);
        return fam ? [{ family: fam, forwardingPreserved: f.forwardingPreserved }] : [];
      }),
    };
  }
  return n;
}

/** RFC 4271 §6.8: the connection initiated by the speaker with the higher BGP Identifier survives. */
export function collisionKeepsOurs(localRouterId: string, peerRouterId: string): boolean {
  const n = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return n(localRouterId) > n(peerRouterId);
}
