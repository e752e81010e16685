import { AFI, ATTR, FLAG, SAFI, UPDATE_ERR } from '../constants.js';
import { bytesToIpv6, ipv4ToNumber, ipv6ToBytes, isLinkLocal6, numberToIpv4 } from '../ip.js';
import { decodePrefixes, encodePrefixes } from '../prefix.js';
import { BgpWireError } from '../errors.js';
import type { AttrCodec } from './codec.js';
import { isMartianNextHop } from './next-hop.js';
import { AttrMalformed, type MpReach } from './types.js';

const OPT = UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR;

export function isUnicastFamily(afi: number, safi: number): boolean {
  return safi === SAFI.UNICAST && (afi === AFI.IPV4 || afi === AFI.IPV6);
}

function decodeNextHop(nh: Buffer, afi: number): { nextHop: string; linkLocal?: string } {
  if (nh.length === 4 && afi === AFI.IPV4) {
    const n = nh.readUInt32BE(0);
    if (isMartianNextHop(n)) throw new AttrMalformed(UPDATE_ERR.INVALID_NEXT_HOP_ATTRIBUTE, `MP_REACH next hop ${numberToIpv4(n)}`, 'treat-as-withdraw');
    return { nextHop: numberToIpv4(n) };
  }
  // IPv6 NLRI, or IPv4 NLRI with an IPv6 next hop (RFC 8950).
  if (nh.length === 16 || nh.length === 32) {
    const g = bytesToIpv6(nh, 0);
    if (nh[0] === 0xff || nh.subarray(0, 16).every((b) => b === 0)) {
      throw new AttrMalformed(UPDATE_ERR.INVALID_NEXT_HOP_ATTRIBUTE, `MP_REACH next hop ${g}`, 'treat-as-withdraw');
    }
    if (nh.length === 16) return { nextHop: g };
    if (!isLinkLocal6(nh, 16)) {
      // Second address must be link-local (RFC 2545 §3); keep the global only.
      return { nextHop: g };
    }
    return { nextHop: g, linkLocal: bytesToIpv6(nh, 16) };
  }
  throw new AttrMalformed(OPT, `MP_REACH next hop length ${nh.length} for AFI ${afi}`);
}

/** MP_REACH_NLRI (RFC 4760, RFC 2545, RFC 8950). Malformed → session reset (RFC 7606 §7.11: NLRI cannot be located). */
export const mpReach: AttrCodec<'mpReach'> = {
  type: ATTR.MP_REACH_NLRI,
  key: 'mpReach',
  flags: FLAG.OPTIONAL,
  onError: 'session-reset',
  lengthSubcode: OPT,
  decode(v) {
    if (v.length < 5) throw new AttrMalformed(OPT, `MP_REACH_NLRI length ${v.length}`);
    const afi = v.readUInt16BE(0);
    const safi = v[2]!;
    const nhLen = v[3]!;
    if (4 + nhLen + 1 > v.length) throw new AttrMalformed(OPT, `MP_REACH_NLRI next hop length ${nhLen} overruns the attribute`);
    let nlri: string[] = [];
    if (isUnicastFamily(afi, safi)) {
      try {
        nlri = decodePrefixes(v, 4 + nhLen + 1, v.length, afi, OPT);
      } catch (e) {
        throw new AttrMalformed(OPT, e instanceof BgpWireError ? `MP_REACH_NLRI: ${e.message}` : String(e));
      }
    }
    // Next hop checked after NLRI: a bad NLRI is a session reset, a martian next hop only a withdraw.
    const nh = decodeNextHop(v.subarray(4, 4 + nhLen), afi);
    return { afi, safi, ...nh, nlri };
  },
  encode(x: MpReach) {
    return Buffer.concat([encodeMpReachHeader(x.afi, x.safi, x.nextHop, x.linkLocal), encodePrefixes(x.nlri, x.afi)]);
  },
};

/** AFI, SAFI, next hop and the reserved octet: everything of MP_REACH_NLRI before the NLRI. */
export function encodeMpReachHeader(afi: number, safi: number, nextHop: string, linkLocal?: string): Buffer {
  let nh: Buffer;
  if (nextHop.includes(':')) nh = linkLocal ? Buffer.concat([ipv6ToBytes(nextHop), ipv6ToBytes(linkLocal)]) : ipv6ToBytes(nextHop);
  else {
    nh = Buffer.alloc(4);
    nh.writeUInt32BE(ipv4ToNumber(nextHop));
  }
  const b = Buffer.alloc(5 + nh.length);
  b.writeUInt16BE(afi, 0);
  b[2] = safi;
  b[3] = nh.length;
  nh.copy(b, 4);
  return b;
}
