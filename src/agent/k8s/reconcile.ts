/**
 * Pure planning of how to move the running speaker from one AgentIntent to the next: which neighbors to add,
 * change (the speaker resets only those whose session parameters differ) or remove, and which prefixes to
 * originate or withdraw (no session reset). A new local ASN or router id needs a new speaker.
 */
import { neighborKey, type NeighborConfig, type OriginateAttrs } from '../../bgp/index.js';
import type { BfdPeerConfig } from '../../bfd/index.js';
import type { Advertisement, AgentIntent, PeerIntent } from '../dialects/types.js';

export function neighborConfig(p: PeerIntent): NeighborConfig {
  const c: NeighborConfig = {
    name: neighborKey(p.address, p.port),
    peerAddress: p.address,
    peerAsn: p.asn,
    port: p.port,
    passive: p.passive,
    holdTime: p.holdTime,
    keepaliveTime: p.keepalive,
    connectRetryTime: p.connectRetry,
    families: [...p.families],
    gracefulRestart: { enabled: p.gracefulRestart.enabled, restartTime: p.gracefulRestart.restartTime },
    nextHopSelf: p.nextHopSelf,
    routeReflectorClient: p.rrClient,
    exportPolicy: p.exportPolicy,
  };
  if (p.multihopTtl !== undefined) c.ttl = p.multihopTtl;
  if (p.minTtl !== undefined) c.minTtl = p.minTtl;
  if (p.localAsn !== undefined) c.localAsn = p.localAsn;
  if (p.password !== undefined) c.password = p.password;
  if (p.localAddress !== undefined) c.localAddress = p.localAddress;
  if (p.importRules?.length) c.importRules = p.importRules;
  if (p.exportRules?.length) c.exportRules = p.exportRules;
  return c;
}

/**
 * The BFD sessions the intent asks for (peers with `bfd`). Multihop (RFC 5883) for an eBGP peer with a multihop TTL
 * above 1, as FRR decides for `neighbor X bfd`; single hop otherwise.
 */
export function bfdPeers(i: AgentIntent): BfdPeerConfig[] {
  const seen = new Set<string>();
  return i.peers.flatMap((p) => {
    // BFD runs per address: sessions to one address on several ports share one BFD session (the first asks).
    if (!p.bfd || seen.has(p.address)) return [];
    seen.add(p.address);
    const multihop = p.asn !== (p.localAsn ?? i.localAsn) && (p.multihopTtl ?? 1) > 1;
    const c: BfdPeerConfig = { peer: p.address, minTxMs: p.bfd.minTxMs, minRxMs: p.bfd.minRxMs, multiplier: p.bfd.multiplier };
    if (p.localAddress !== undefined) c.local = p.localAddress;
    if (multihop) c.multihop = true;
    if (multihop && p.bfd.minTtl !== undefined) c.minTtl = p.bfd.minTtl;
    if (p.bfd.passive) c.passive = true;
    return [c];
  });
}

export function originateAttrs(a: Advertisement): OriginateAttrs {
  return {
    ...(a.communities.length ? { communities: a.communities } : {}),
    ...(a.largeCommunities.length ? { largeCommunities: a.largeCommunities } : {}),
    ...(a.localPref !== undefined ? { localPref: a.localPref } : {}),
    ...(a.asPathPrepend ? { asPathPrepend: new Array<number>(a.asPathPrepend.count).fill(a.asPathPrepend.asn) } : {}),
  };
}

export interface ReconcilePlan {
  /** Local ASN or router id changed (or first run): build a new speaker, then add everything. */
  newSpeaker: boolean;
  addNeighbors: NeighborConfig[];
  /** Session parameters changed: the speaker resets these (Cease 6/6) and reconnects. */
  changeNeighbors: NeighborConfig[];
  removeNeighbors: string[];
  originate: Array<{ prefix: string; attrs: OriginateAttrs }>;
  withdraw: string[];
}

const key = (x: unknown) => JSON.stringify(x);

export function planReconcile(prev: AgentIntent | undefined, next: AgentIntent): ReconcilePlan {
  const newSpeaker = !prev || prev.localAsn !== next.localAsn || prev.routerId !== next.routerId;
  // Neighbors are keyed by address and port: two ports at one address are two sessions.
  const before = newSpeaker ? new Map<string, NeighborConfig>() : new Map(prev!.peers.map((p) => [neighborKey(p.address, p.port), neighborConfig(p)]));
  const after = new Map(next.peers.map((p) => [neighborKey(p.address, p.port), neighborConfig(p)]));
  const plan: ReconcilePlan = { newSpeaker, addNeighbors: [], changeNeighbors: [], removeNeighbors: [], originate: [], withdraw: [] };
  for (const [addr, c] of after) {
    const old = before.get(addr);
    if (!old) plan.addNeighbors.push(c);
    else if (key(old) !== key(c)) plan.changeNeighbors.push(c);
  }
  for (const addr of before.keys()) if (!after.has(addr)) plan.removeNeighbors.push(addr);
  const oldAds = newSpeaker ? new Map<string, OriginateAttrs>() : new Map(prev!.advertise.map((a) => [a.prefix, originateAttrs(a)]));
  const newAds = new Map(next.advertise.map((a) => [a.prefix, originateAttrs(a)]));
  for (const [prefix, attrs] of newAds) if (!oldAds.has(prefix) || key(oldAds.get(prefix)) !== key(attrs)) plan.originate.push({ prefix, attrs });
  for (const prefix of oldAds.keys()) if (!newAds.has(prefix)) plan.withdraw.push(prefix);
  return plan;
}

export const planIsEmpty = (p: ReconcilePlan): boolean =>
  !p.newSpeaker && p.addNeighbors.length + p.changeNeighbors.length + p.removeNeighbors.length + p.originate.length + p.withdraw.length === 0;
