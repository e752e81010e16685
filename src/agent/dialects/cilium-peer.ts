/**
 * One Cilium BGP peer from either API: the v2alpha1 neighbor fields or a v2 CiliumBGPPeerConfig, checked against
 * the bounds of Cilium's CRDs (a value outside them is an object the API server refuses, so the peer is refused
 * here, named in the problems) and defaulted as Cilium's SetDefaults does (absent or 0 = the default).
 */
import type { PeerIntent } from './types.js';
import type { ClusterView } from './types.js';
import { CILIUM_DEFAULTS, peerDefaults } from './common.js';
import { authPassword, familiesOf, intField, isObj, MAX_ASN, objOf } from './cilium-common.js';

/** The raw values of a peer's settings and the field names to use in messages. */
export interface PeerSettings {
  port: [unknown, string];
  ttl: [unknown, string];
  connectRetry: [unknown, string];
  hold: [unknown, string];
  keepalive: [unknown, string];
  gracefulRestart: [unknown, string];
  families: [unknown, string];
  auth: [unknown, string];
}

/** Peer ASN as Cilium's schema allows it; 0/absent means "learn it from the OPEN", which this agent does not do. */
export function peerAsnOf(x: unknown): { asn?: number; error?: string } {
  if (x === undefined || x === null || x === 0) return { error: 'no peerASN (Cilium would take the ASN from the peer\'s OPEN; this agent needs it configured)' };
  const r = intField(x, 1, MAX_ASN);
  return r.error ? { error: `peerASN ${r.error}` } : { asn: r.value! };
}

export function buildPeer(v: ClusterView, localAsn: number, address: string, asn: number, s: PeerSettings, source: string, who: string, problems: string[]): PeerIntent | undefined {
  const errors: string[] = [];
  const int = ([x, field]: [unknown, string], min: number, max: number, zeroIsUnset = true): number | undefined => {
    const r = intField(x, min, max, zeroIsUnset);
    if (r.error) errors.push(`${field} ${r.error}`);
    return r.value;
  };
  const port = int(s.port, 1, 65535) ?? 179;
  const ttl = int(s.ttl, 1, 255, false) ?? 1;
  const connectRetry = int(s.connectRetry, 1, 2147483647) ?? CILIUM_DEFAULTS.connectRetry;
  const hold = int(s.hold, 3, 65535) ?? 90;
  const keepalive = int(s.keepalive, 1, 65535) ?? 30;
  if (keepalive > hold) errors.push(`${s.keepalive[1]} ${keepalive} is larger than ${s.hold[1]} ${hold}`);
  const gr = s.gracefulRestart[0];
  if (gr !== undefined && gr !== null && !isObj(gr)) errors.push(`${s.gracefulRestart[1]} is not an object`);
  const grEnabled = objOf(gr).enabled;
  if (grEnabled !== undefined && typeof grEnabled !== 'boolean') errors.push(`${s.gracefulRestart[1]}.enabled is not a boolean`);
  const restartTime = int([objOf(gr).restartTimeSeconds, `${s.gracefulRestart[1]}.restartTimeSeconds`], 1, 4095) ?? 120;
  if (s.families[0] !== undefined && s.families[0] !== null && !Array.isArray(s.families[0])) errors.push(`${s.families[1]} is not a list`);
  if (errors.length) {
    problems.push(`${who}: ${errors.join('; ')}; peer refused`);
    return undefined;
  }
  const fams = familiesOf(s.families[0]);
  if (fams.ignored.length) problems.push(`${who}: ${s.families[1]} ${fams.ignored.join(', ')} not supported by this agent (IPv4/IPv6 unicast only)`);
  if (fams.families.length === 0) {
    problems.push(`${who}: no IPv4/IPv6 unicast family left; peer refused`);
    return undefined;
  }
  const auth = authPassword(v, s.auth[0], problems, who);
  if (auth.refused) return undefined;
  const p = peerDefaults(address, asn, source, CILIUM_DEFAULTS);
  p.port = port;
  // TTL 1 is the eBGP default; Cilium ignores the field for iBGP peers (the speaker's iBGP TTL applies).
  p.multihopTtl = ttl > 1 && asn !== localAsn ? ttl : undefined;
  // The wait after a failed connect; the first attempt is made when the session starts.
  p.connectRetry = connectRetry;
  p.holdTime = hold;
  p.keepalive = keepalive;
  p.gracefulRestart = { enabled: grEnabled === true, restartTime };
  p.families = fams.families;
  if (auth.password !== undefined) p.password = auth.password;
  return p;
}
