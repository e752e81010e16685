import { SEG, type PathAttributes } from '../wire/attrs/types.js';
import { AFI, SAFI, type Family } from '../wire/constants.js';
import { isIpv4 } from '../wire/ip.js';
import { splitAs4 } from '../wire/as4.js';
import { encodeAttributes } from '../wire/attrs/index.js';
import type { PeerInfo } from './types.js';

import { WELL_KNOWN_COMMUNITY } from '../wire/attrs/communities.js';

const { NO_EXPORT, NO_ADVERTISE, NO_EXPORT_SUBCONFED } = WELL_KNOWN_COMMUNITY; // no confederations here: same as NO_EXPORT

/** The side of a route's source the export rules need. */
export interface ExportSource {
  local: boolean;
  ibgp: boolean;
  routeReflectorClient: boolean;
  routerId: string;
}

/**
 * RFC 4271 §9.2 and RFC 4456 §6, then dst's export policy: may a route from `src` be sent to `dst` at all?
 * `exportPolicy: 'originated'` lets only our own routes through (no transit of learned routes).
 */
export function mayExport(src: ExportSource, dst: PeerInfo): boolean {
  if (src.local) return true;
  if (dst.exportPolicy === 'originated') return false;
  if (!src.ibgp || !dst.ibgp) return true;
  return src.routeReflectorClient || !!dst.routeReflectorClient;
}

function prependAs(segs: PathAttributes['asPath'], asn: number): NonNullable<PathAttributes['asPath']> {
  const plain = (segs ?? []).filter((s) => s.type === SEG.AS_SEQUENCE || s.type === SEG.AS_SET);
  const first = plain[0];
  if (first && first.type === SEG.AS_SEQUENCE) return [{ type: SEG.AS_SEQUENCE, asns: [asn, ...first.asns] }, ...plain.slice(1)];
  return [{ type: SEG.AS_SEQUENCE, asns: [asn] }, ...plain];
}

/** Our next hop towards `dst` for `family`, or undefined when we have no usable address. */
function selfNextHop(dst: PeerInfo, family: Family): { v4?: string; v6?: string; ll?: string } | undefined {
  const v6 = dst.localAddress6 ?? (isIpv4(dst.localAddress) ? undefined : dst.localAddress);
  if (family === 'ipv4-unicast') {
    if (isIpv4(dst.localAddress)) return { v4: dst.localAddress };
    if (dst.extendedNextHop && v6) return { v6, ll: dst.linkLocalAddress6 };
    return undefined;
  }
  if (!v6) return undefined;
  return { v6, ll: dst.linkLocalAddress6 && dst.linkLocalAddress6 !== v6 ? dst.linkLocalAddress6 : undefined };
}

/**
 * Attributes to send to `dst` for a route with canonical attributes `a` (4-octet form), or undefined when
 * the route must not be sent. The result carries the next hop in NEXT_HOP (IPv4) or in an MP_REACH_NLRI
 * with no NLRI (the packer adds them). Does not modify `a`.
 */
export function exportAttributes(a: PathAttributes, src: ExportSource, dst: PeerInfo, family: Family, clusterId: string): PathAttributes | undefined {
  if (!mayExport(src, dst)) return undefined;
  const comms = a.communities ?? [];
  if (comms.includes(NO_ADVERTISE)) return undefined;
  if (!dst.ibgp && (comms.includes(NO_EXPORT) || comms.includes(NO_EXPORT_SUBCONFED))) return undefined;
  const { mpReach, mpUnreach: _u, nextHop, ...rest } = a;
  const out: PathAttributes = rest;
  let self = dst.nextHopSelf || src.local;
  if (!dst.ibgp) {
    out.asPath = prependAs(a.asPath, dst.localAsn);
    delete out.localPref;
    delete out.originatorId;
    delete out.clusterList;
    if (!src.local) delete out.med;
    self = true;
  } else {
    // A local route's AS path holds only its eBGP prepend (Rib.originate): iBGP peers get the empty path.
    out.asPath = src.local ? [] : (a.asPath ?? []);
    out.localPref = a.localPref ?? 100;
    if (!src.local && src.ibgp) {
      out.originatorId = a.originatorId ?? src.routerId;
      out.clusterList = [clusterId, ...(a.clusterList ?? [])];
    }
  }
  const afi = family === 'ipv4-unicast' ? AFI.IPV4 : AFI.IPV6;
  let nh: { v4?: string; v6?: string; ll?: string } | undefined;
  const orig = mpReach?.nextHop ?? nextHop;
  if (!self && orig !== undefined) {
    nh = isIpv4(orig) ? { v4: orig } : { v6: orig };
    if (family === 'ipv4-unicast' && nh.v6 && !dst.extendedNextHop) nh = selfNextHop(dst, family);
  } else nh = selfNextHop(dst, family);
  if (!nh) return undefined;
  if (family === 'ipv4-unicast' && nh.v4) out.nextHop = nh.v4;
  else if (nh.v6) out.mpReach = { afi, safi: SAFI.UNICAST, nextHop: nh.v6, ...(nh.ll ? { linkLocal: nh.ll } : {}), nlri: [] };
  else return undefined;
  return out;
}

/** Wire bytes of exported attributes for dst's AS width. */
export function encodeExport(a: PathAttributes, dst: PeerInfo): Buffer {
  return dst.fourOctetAs ? encodeAttributes(a, { fourOctetAs: true }) : encodeAttributes(splitAs4(a), { fourOctetAs: false });
}
