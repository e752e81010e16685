import { ATTR, FLAG } from '../wire/constants.js';
import { ipv4ToNumber, isIpv4 } from '../wire/ip.js';
import { AttrWalk, WALK } from '../wire/attrs/walk.js';
import { mayExport, type ExportSource } from './export.js';
import type { PeerInfo } from './types.js';

import { WELL_KNOWN_COMMUNITY } from '../wire/attrs/communities.js';

const { NO_EXPORT, NO_ADVERTISE, NO_EXPORT_SUBCONFED } = WELL_KNOWN_COMMUNITY;

/**
 * Byte-level version of exportAttributes for the common case: IPv4 route learned from a peer, sent to a
 * 4-octet eBGP peer with an IPv4 session. Prepends our AS, sets NEXT_HOP to self, drops MED, LOCAL_PREF,
 * ORIGINATOR_ID and CLUSTER_LIST, copies the rest. Returns null when the attributes need the general path
 * (confederation segments, MP attributes, no NEXT_HOP), or 'filtered' for NO_EXPORT/NO_ADVERTISE and
 * for routes dst's export policy keeps back (mayExport).
 */
export function exportEbgpV4Bytes(canon: Buffer, src: ExportSource, dst: PeerInfo): Buffer | null | 'filtered' {
  if (src.local || dst.ibgp || !dst.fourOctetAs || !isIpv4(dst.localAddress)) return null;
  if (!mayExport(src, dst)) return 'filtered';
  const out = Buffer.allocUnsafe(canon.length + 4 + 6 + 4);
  let o = 0;
  let sawPath = false;
  let sawNh = false;
  const w = new AttrWalk(canon, 0, canon.length);
  while (w.step()) {
    const { type, len, at: i, value: vs, end: next } = w;
    switch (type) {
      case ATTR.MULTI_EXIT_DISC:
      case ATTR.LOCAL_PREF:
      case ATTR.ORIGINATOR_ID:
      case ATTR.CLUSTER_LIST:
        break;
      case ATTR.MP_REACH_NLRI:
      case ATTR.MP_UNREACH_NLRI:
        return null;
      case ATTR.NEXT_HOP:
        sawNh = true;
        out[o] = FLAG.TRANSITIVE;
        out[o + 1] = ATTR.NEXT_HOP;
        out[o + 2] = 4;
        out.writeUInt32BE(ipv4ToNumber(dst.localAddress), o + 3);
        o += 7;
        break;
      case ATTR.COMMUNITIES:
        for (let k = vs; k + 4 <= next; k += 4) {
          const c = canon.readUInt32BE(k);
          if (c === NO_EXPORT || c === NO_ADVERTISE || c === NO_EXPORT_SUBCONFED) return 'filtered';
        }
        canon.copy(out, o, i, next);
        o += next - i;
        break;
      case ATTR.AS_PATH: {
        sawPath = true;
        for (let k = vs; k < next; k += 2 + canon[k + 1]! * 4) if (canon[k] === 3 || canon[k] === 4) return null;
        const extendFirst = len > 0 && canon[vs] === 2 && canon[vs + 1]! < 255;
        const newLen = len + (extendFirst ? 4 : 6);
        if (newLen > 0xffff) return null;
        out[o + 1] = ATTR.AS_PATH;
        if (newLen > 255) {
          out[o] = FLAG.TRANSITIVE | FLAG.EXTENDED_LENGTH;
          out.writeUInt16BE(newLen, o + 2);
          o += 4;
        } else {
          out[o] = FLAG.TRANSITIVE;
          out[o + 2] = newLen;
          o += 3;
        }
        if (extendFirst) {
          out[o] = 2;
          out[o + 1] = canon[vs + 1]! + 1;
          out.writeUInt32BE(dst.localAsn >>> 0, o + 2);
          o += 6;
          canon.copy(out, o, vs + 2, next);
          o += len - 2;
        } else {
          out[o] = 2;
          out[o + 1] = 1;
          out.writeUInt32BE(dst.localAsn >>> 0, o + 2);
          o += 6;
          canon.copy(out, o, vs, next);
          o += len;
        }
        break;
      }
      default:
        canon.copy(out, o, i, next);
        o += next - i;
    }
  }
  if (w.error !== WALK.OK) return null; // cannot happen for interned sets; the general path would report it
  if (!sawPath || !sawNh) return null;
  return out.subarray(0, o);
}
