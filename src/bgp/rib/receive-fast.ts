import { numberToIpv4 } from '../wire/ip.js';
import { AttrWalk, CODECS, ScanOut, flagsConflict, type ScanContext } from '../wire/attrs/index.js';
import { leftmostAsOk, loopReason } from './accept.js';
import type { RibCore } from './core.js';
import { HAS_LOCAL_PREF, HAS_MED, HAS_ORIGINATOR_ID } from './path-info.js';
import type { PeerState } from './peer-state.js';

// Reused across calls (the function does not re-enter itself).
const out = new ScanOut();
const walk = new AttrWalk(Buffer.alloc(0), 0, 0);
const ctx: ScanContext = { localAsn: 0, clusterId: 0 };

/**
 * Interns a plain IPv4 attribute set straight from its wire bytes, filling the best-path columns without
 * building objects. The set is fast when every attribute present has a codec `scan` hook that accepts it (so
 * the decoder would accept it unchanged, with no RFC 7606 action), and the RIB's rules (accept.ts) accept the
 * path. Returns -1 for anything else; the caller then takes the full decoder path, which produces the reports.
 */
export function internPlainV4(core: RibCore, p: PeerState, b: Buffer, start: number, end: number, hash?: number): number {
  if (!p.ctx.fourOctetAs) return -1;
  const ibgp = p.info.ibgp;
  ctx.localAsn = p.info.localAsn;
  ctx.clusterId = core.clusterIdNum;
  out.reset();
  let seen = 0; // types 0..31 (bitmask); 32..63 in seenHigh; no scan hook exists above 63
  let seenHigh = 0;
  const w = walk.reset(b, start, end);
  while (w.step()) {
    const type = w.type;
    const codec = CODECS[type];
    if (type > 63 || !codec?.scan || flagsConflict(codec, w.flags) || (codec.ibgpOnly && !ibgp)) return -1;
    const bit = 1 << (type & 31);
    if (type < 32 ? seen & bit : seenHigh & bit) return -1; // a repeat is discarded by the decoder
    if (type < 32) seen |= bit;
    else seenHigh |= bit;
    if (!codec.scan(b, w.value, w.end, ctx, out)) return -1;
  }
  if (w.error !== 0 || out.origin < 0 || out.asPathLen < 0 || out.nextHop < 0) return -1;
  if (!leftmostAsOk(ibgp, out.firstSegType, out.neighborAs, p.info.asn)) return -1;
  if (loopReason(ibgp, core.routerIdNum, out) !== undefined) return -1;
  const { id, created } = core.store.intern(b, start, end, hash);
  if (created) {
    const info = core.info;
    info.localPref[id] = out.localPref >= 0 ? out.localPref : 100;
    info.med[id] = out.med >= 0 ? out.med : 0;
    info.flags[id] = (out.med >= 0 ? HAS_MED : 0) | (out.localPref >= 0 ? HAS_LOCAL_PREF : 0) | (out.originatorId >= 0 ? HAS_ORIGINATOR_ID : 0);
    info.origin[id] = out.origin;
    info.asPathLen[id] = out.asPathLen;
    info.neighborAs[id] = out.neighborAs;
    info.originatorId[id] = out.originatorId >= 0 ? out.originatorId : 0;
    info.clusterLen[id] = out.clusterLen;
    info.nextHop[id] = info.nextHopId(numberToIpv4(out.nextHop));
  }
  return id;
}
