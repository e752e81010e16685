import { ATTR, FLAG } from '../wire/constants.js';
import { numberToIpv4, ipv4ToNumber } from '../wire/ip.js';
import { isMartianNextHop } from '../wire/attrs/next-hop.js';
import { CODECS } from '../wire/attrs/index.js';
import type { RibCore } from './core.js';
import { HAS_LOCAL_PREF, HAS_MED, HAS_ORIGINATOR_ID } from './path-info.js';
import type { PeerState } from './peer-state.js';

/** The attribute types this fast path reads; anything else goes to the full decoder. */
const FAST_TYPES = [
  ATTR.ORIGIN, ATTR.AS_PATH, ATTR.NEXT_HOP, ATTR.MULTI_EXIT_DISC, ATTR.LOCAL_PREF, ATTR.ATOMIC_AGGREGATE,
  ATTR.AGGREGATOR, ATTR.COMMUNITIES, ATTR.ORIGINATOR_ID, ATTR.CLUSTER_LIST, ATTR.LARGE_COMMUNITY,
];
/** Expected flags (Optional|Transitive) per type, taken from the attribute codecs (their one owner); 0xff = not fast. */
const FLAGS = new Uint8Array(256).fill(0xff);
for (const t of FAST_TYPES) FLAGS[t] = CODECS[t]!.flags;

/**
 * Interns a plain IPv4 attribute set straight from its wire bytes, filling the best-path columns without
 * building objects. Accepts only sets the full decoder would accept unchanged (4-octet AS, known attributes,
 * every length and value valid, no loop, no attribute to discard); returns -1 for anything else, and the
 * caller then takes the full RFC 7606 path, which also produces the error reports.
 */
export function internPlainV4(core: RibCore, p: PeerState, b: Buffer, start: number, end: number): number {
  if (!p.ctx.fourOctetAs) return -1;
  const ibgp = p.info.ibgp;
  let seen = 0; // bitmask over types < 32; LARGE_COMMUNITY (32) tracked apart
  let seenLarge = false;
  let origin = -1;
  let asLen = -1;
  let neighborAs = 0;
  let nh = -1;
  let med = 0;
  let lp = 100;
  let flags = 0;
  let originator = 0;
  let clusterLen = 0;
  let o = start;
  while (o < end) {
    if (end - o < 3) return -1;
    const fl = b[o]!;
    const ext = (fl & FLAG.EXTENDED_LENGTH) !== 0;
    const hl = ext ? 4 : 3;
    if (end - o < hl) return -1;
    const type = b[o + 1]!;
    const len = ext ? b.readUInt16BE(o + 2) : b[o + 2]!;
    const v = o + hl;
    const next = v + len;
    if (next > end) return -1;
    const want = FLAGS[type]!;
    if (want === 0xff) return -1;
    const optTrans = want === (FLAG.OPTIONAL | FLAG.TRANSITIVE);
    if ((fl & 0xc0) !== want || (!optTrans && (fl & FLAG.PARTIAL) !== 0)) return -1;
    if (type === ATTR.LARGE_COMMUNITY) {
      if (seenLarge || len === 0 || len % 12 !== 0) return -1;
      seenLarge = true;
    } else {
      const bit = 1 << type;
      if (seen & bit) return -1;
      seen |= bit;
    }
    switch (type) {
      case ATTR.ORIGIN:
        if (len !== 1 || b[v]! > 2) return -1;
        origin = b[v]!;
        break;
      case ATTR.AS_PATH: {
        let n = 0;
        let k = v;
        let first = true;
        while (k < next) {
          if (next - k < 2) return -1;
          const st = b[k]!;
          const cnt = b[k + 1]!;
          if (st < 1 || st > 4 || cnt === 0 || k + 2 + cnt * 4 > next) return -1;
          for (let i = 0; i < cnt; i++) {
            const asn = b.readUInt32BE(k + 2 + i * 4);
            if (asn === 0 || asn === p.info.localAsn) return -1;
          }
          if (first && (st === 1 || st === 2)) {
            neighborAs = st === 2 ? b.readUInt32BE(k + 2) : 0;
            if (!ibgp && (st !== 2 || neighborAs !== p.info.asn)) return -1;
            first = false;
          }
          n += st === 2 ? cnt : st === 1 ? 1 : 0;
          k += 2 + cnt * 4;
        }
        if (first && !ibgp) return -1;
        asLen = Math.min(n, 0xffff);
        break;
      }
      case ATTR.NEXT_HOP:
        if (len !== 4) return -1;
        nh = b.readUInt32BE(v);
        if (isMartianNextHop(nh)) return -1;
        break;
      case ATTR.MULTI_EXIT_DISC:
        if (len !== 4) return -1;
        med = b.readUInt32BE(v);
        flags |= HAS_MED;
        break;
      case ATTR.LOCAL_PREF:
        if (!ibgp || len !== 4) return -1;
        lp = b.readUInt32BE(v);
        flags |= HAS_LOCAL_PREF;
        break;
      case ATTR.ATOMIC_AGGREGATE:
        if (len !== 0) return -1;
        break;
      case ATTR.AGGREGATOR:
        if (len !== 8 || b.readUInt32BE(v) === 0) return -1;
        break;
      case ATTR.COMMUNITIES:
        if (len === 0 || len % 4 !== 0) return -1;
        break;
      case ATTR.ORIGINATOR_ID:
        if (!ibgp || len !== 4) return -1;
        originator = b.readUInt32BE(v);
        if (numberToIpv4(originator) === core.opts.routerId) return -1;
        flags |= HAS_ORIGINATOR_ID;
        break;
      case ATTR.CLUSTER_LIST:
        if (!ibgp || len === 0 || len % 4 !== 0) return -1;
        for (let k = v; k < next; k += 4) if (b.readUInt32BE(k) === ipv4ToNumber(core.clusterId)) return -1;
        clusterLen = len / 4;
        break;
    }
    o = next;
  }
  if (origin < 0 || asLen < 0 || nh < 0) return -1;
  const { id, created } = core.store.intern(b, start, end);
  if (created) {
    const info = core.info;
    info.localPref[id] = lp;
    info.med[id] = med;
    info.flags[id] = flags;
    info.origin[id] = origin;
    info.asPathLen[id] = asLen;
    info.neighborAs[id] = neighborAs;
    info.originatorId[id] = originator;
    info.clusterLen[id] = clusterLen;
    info.nextHop[id] = info.nextHopId(numberToIpv4(nh));
  }
  return id;
}
