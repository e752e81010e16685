import { AFI, ATTR, CEASE, NOTIF, UPDATE_ERR, familyOf, type Family } from '../wire/constants.js';
import { BgpWireError, wireError } from '../wire/errors.js';
import { AttrWalk, WALK, decodeAttributes, encodeAttributes } from '../wire/attrs/index.js';
import { ipv4ToNumber } from '../wire/ip.js';
import { leftmostAsOk, loopReason } from './accept.js';
import { SEG, type PathAttributes } from '../wire/attrs/types.js';
import { mergeAs4 } from '../wire/as4.js';
import { missingMandatory, splitUpdate } from '../wire/update.js';
import { endOfRibOf } from '../wire/end-of-rib.js';
import { packSets, releasePacked, unpackMp, unpackV4, type RibCore } from './core.js';
import type { PeerState } from './peer-state.js';
import { internPlainV4 } from './receive-fast.js';
import { AttrStore } from './attr-store.js';
import { v4Key, v6KeyFromNlri } from './prefix-key.js';
import type { UpdateResult } from './types.js';

const RAW_CACHE_MAX = 65536;
const CANON = { fourOctetAs: true, ibgp: true };

/** Validates an NLRI field without decoding it (RFC 7606 §5.3: a bad one resets the session). */
function checkNlri(b: Buffer, start: number, end: number, maxLen: number, subcode: number): void {
  let o = start;
  while (o < end) {
    const len = b[o]!;
    if (len > maxLen || o + 1 + ((len + 7) >> 3) > end) {
      throw wireError(`NLRI: bad prefix length ${len} at offset ${o}`, NOTIF.UPDATE_MESSAGE_ERROR, subcode);
    }
    o += 1 + ((len + 7) >> 3);
  }
}

/** Applies every prefix in an NLRI field: set >= 0 announces with that set, -1 withdraws. */
function applyNlri(core: RibCore, p: PeerState, family: Family, b: Buffer, start: number, end: number, set: number): number {
  let n = 0;
  let o = start;
  const v4 = family === 'ipv4-unicast';
  while (o < end) {
    const len = b[o]!;
    const nb = (len + 7) >> 3;
    let key: number | string;
    if (v4) {
      // integer ops on the address's bytes (the bytes past the prefix are 0, host bits masked off): with a float
      // multiply, modulo and power per prefix this loop had 239 ms of self time in the agent's profile of a 1M-prefix
      // receive, 10 ms after (bench/bgp-receive.ts, KL_BENCH_AGENT_PROF)
      const a = o + 1;
      const bits = nb === 0 ? 0 : (b[a]! << 24) | (nb > 1 ? b[a + 1]! << 16 : 0) | (nb > 2 ? b[a + 2]! << 8 : 0) | (nb > 3 ? b[a + 3]! : 0);
      key = v4Key(len === 0 ? 0 : (bits & (-1 << (32 - len))) >>> 0, len);
    } else key = v6KeyFromNlri(b, o + 1, len);
    o += 1 + nb;
    // An import filter's reject drops the route as a withdraw would (it may replace an accepted one).
    if (set >= 0 && p.importFilter?.({ family, key, learned: true, ifname: p.info.ifname }) !== 'reject') core.announce(p, family, key, set);
    else if (!core.withdraw(p, family, key)) continue;
    n++;
  }
  return n;
}

interface Scan {
  reach?: { start: number; end: number; nlriStart: number; afi: number; safi: number };
  unreach?: { start: number; end: number; afi: number; safi: number };
  /**
   * Attribute bytes as received minus MP NLRI: the raw cache key. Left unset on a list without MP attributes
   * (`plain`), where the key is the whole list and is only built when the numeric cache (rawIds) cannot serve.
   */
  key?: string;
  plain?: boolean;
}

const scanWalk = new AttrWalk(Buffer.alloc(0), 0, 0);

/** Finds MP_REACH/MP_UNREACH without decoding; leaves `key` unset when the list does not parse (full decode reports it). */
function scanAttrs(b: Buffer, start: number, end: number): Scan {
  const s: Scan = {};
  let keyStart = start;
  let key = '';
  const w = scanWalk.reset(b, start, end);
  while (w.step()) {
    const type = w.type;
    if (type === ATTR.MP_REACH_NLRI || type === ATTR.MP_UNREACH_NLRI) {
      const vs = w.value;
      const len = w.len;
      if (type === ATTR.MP_REACH_NLRI ? s.reach : s.unreach) return {};
      if (len < (type === ATTR.MP_REACH_NLRI ? 5 : 3)) return {};
      const afi = b.readUInt16BE(vs);
      const safi = b[vs + 2]!;
      key += b.toString('latin1', keyStart, w.at);
      if (type === ATTR.MP_REACH_NLRI) {
        const nlriStart = vs + 4 + b[vs + 3]! + 1;
        if (nlriStart > vs + len) return {};
        s.reach = { start: vs, end: vs + len, nlriStart, afi, safi };
        key += b.toString('latin1', w.at, nlriStart);
      } else s.unreach = { start: vs, end: vs + len, afi, safi };
      keyStart = vs + len;
    }
  }
  if (w.error !== WALK.OK) return {};
  if (!s.reach && !s.unreach) s.plain = true;
  else s.key = key + b.toString('latin1', keyStart, end);
  return s;
}

/** Per-peer semantic checks on canonical attributes (the rules are accept.ts's); a reason string means "do not accept". */
function rejectReason(core: RibCore, p: PeerState, a: PathAttributes): string | undefined {
  return loopReason(p.info.ibgp, core.routerIdNum, {
    asLoop: (a.asPath ?? []).some((s) => s.asns.includes(p.info.localAsn)),
    originatorId: a.originatorId === undefined ? -1 : ipv4ToNumber(a.originatorId),
    clusterLoop: a.clusterList?.includes(core.clusterId) ?? false,
  });
}

function internBytes(core: RibCore, bytes: Buffer, a: PathAttributes): number {
  const { id, created } = core.store.intern(bytes, 0, bytes.length);
  if (created) core.info.set(id, a);
  return id;
}

function internCanonical(core: RibCore, a: PathAttributes): number {
  const bytes = encodeAttributes(a, CANON);
  const { id, created } = core.store.intern(bytes, 0, bytes.length);
  if (created) core.info.set(id, a);
  return id;
}

/** Full decode of a distinct attribute set: returns packed canonical set ids, or -1 (treat-as-withdraw / rejected). */
function resolveSets(core: RibCore, p: PeerState, body: Buffer, aStart: number, aEnd: number, hasV4: boolean, res: UpdateResult): number {
  const d = decodeAttributes(body, aStart, aEnd, p.ctx);
  for (const e of d.errors) res.errors.push(`${e.action}: ${e.message}`);
  let withdraw = d.treatAsWithdraw;
  const reach = hasV4 || (d.attrs.mpReach?.nlri.length ?? 0) > 0;
  if (!withdraw && reach) {
    const missing = missingMandatory(d.attrs, hasV4);
    if (missing !== undefined) {
      withdraw = true;
      res.errors.push(`treat-as-withdraw: missing well-known attribute ${missing}`);
      res.notification ??= { code: NOTIF.UPDATE_MESSAGE_ERROR, subcode: UPDATE_ERR.MISSING_WELL_KNOWN_ATTRIBUTE, data: Buffer.from([missing]) };
    }
  }
  const firstAs = d.attrs.asPath?.find((s) => s.type === SEG.AS_SEQUENCE || s.type === SEG.AS_SET);
  const peerAs = p.ctx.fourOctetAs || p.info.asn <= 0xffff ? p.info.asn : 23456;
  if (!withdraw && reach && !leftmostAsOk(p.info.ibgp, firstAs?.type ?? 0, firstAs?.asns[0] ?? 0, peerAs)) {
    withdraw = true;
    res.errors.push('treat-as-withdraw: leftmost AS in AS_PATH is not the peer AS');
    res.notification ??= { code: NOTIF.UPDATE_MESSAGE_ERROR, subcode: UPDATE_ERR.MALFORMED_AS_PATH, data: Buffer.alloc(0) };
  }
  if (withdraw) {
    res.action = 'treat-as-withdraw';
    const e = d.errors.find((x) => x.action === 'treat-as-withdraw');
    if (e) res.notification ??= e.notification;
    return -1;
  }
  const a = mergeAs4(d.attrs, p.ctx.fourOctetAs);
  const why = rejectReason(core, p, a);
  if (why) {
    res.errors.push(`rejected: ${why}`);
    return -1;
  }
  const { mpReach, mpUnreach: _u, nextHop, ...common } = a;
  // Common case: a clean 4-octet encoding without MP attributes is already canonical enough to intern as is.
  const asIs = !mpReach && !d.attrs.mpUnreach && d.errors.length === 0 && p.ctx.fourOctetAs && !d.attrs.as4Path && !d.attrs.as4Aggregator && !d.attrs.unknown;
  const v4 = nextHop === undefined ? -1 : asIs ? internBytes(core, body.subarray(aStart, aEnd), a) : internCanonical(core, { ...common, nextHop });
  const mp = mpReach ? internCanonical(core, { ...common, mpReach: { ...mpReach, nlri: [] } }) : -1;
  return packSets(v4, mp);
}

function fastV4(core: RibCore, p: PeerState, b: Buffer, start: number, end: number, hash: number): number {
  const id = internPlainV4(core, p, b, start, end, hash);
  return id < 0 ? -1 : packSets(id, -1);
}

/** RFC 7606-aware UPDATE processing for one peer. */
export function applyUpdateBody(core: RibCore, p: PeerState, body: Buffer): UpdateResult {
  const res: UpdateResult = { action: 'ok', announced: 0, withdrawn: 0, errors: [] };
  try {
    const eor = endOfRibOf(body);
    if (eor) {
      const f = familyOf(eor.afi, eor.safi);
      if (f) res.endOfRib = f;
      return res;
    }
    const l = splitUpdate(body);
    checkNlri(body, l.withdrawnStart, l.withdrawnEnd, 32, UPDATE_ERR.INVALID_NETWORK_FIELD);
    checkNlri(body, l.nlriStart, l.nlriEnd, 32, UPDATE_ERR.INVALID_NETWORK_FIELD);
    const scan = scanAttrs(body, l.attrsStart, l.attrsEnd);
    const hasV4 = l.nlriEnd > l.nlriStart;
    const hasMp = !!scan.reach && scan.reach.end > scan.reach.nlriStart;
    let packed = -1;
    if (scan.reach && hasMp) checkNlri(body, scan.reach.nlriStart, scan.reach.end, scan.reach.afi === AFI.IPV4 ? 32 : 128, UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR);
    if (scan.unreach) checkNlri(body, scan.unreach.start + 3, scan.unreach.end, scan.unreach.afi === AFI.IPV4 ? 32 : 128, UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR);
    if (hasV4 && scan.plain) {
      // The common shape: no string key, no decode; the set id by the bytes' hash (confirmed by comparing them).
      const h = AttrStore.hash(body, l.attrsStart, l.attrsEnd);
      const id = p.rawIds.get(h);
      if (id !== undefined && core.store.equals(id, body, l.attrsStart, l.attrsEnd)) packed = packSets(id, -1);
      else if ((packed = fastV4(core, p, body, l.attrsStart, l.attrsEnd, h)) >= 0) {
        if (id !== undefined) core.store.release(id); // a hash collision: the newer list takes the slot
        else if (p.rawIds.size >= RAW_CACHE_MAX) core.clearRawCache(p);
        p.rawIds.set(h, unpackV4(packed));
      }
    }
    if (packed < 0 && scan.plain) scan.key = body.toString('latin1', l.attrsStart, l.attrsEnd);
    if (packed < 0 && (hasV4 || hasMp || scan.key !== '')) {
      const cached = scan.key !== undefined ? p.rawCache.get(scan.key) : undefined;
      if (cached !== undefined) packed = cached;
      else {
        packed = resolveSets(core, p, body, l.attrsStart, l.attrsEnd, hasV4, res);
        if (packed >= 0 && scan.key !== undefined) {
          if (p.rawCache.size >= RAW_CACHE_MAX) core.clearRawCache(p);
          p.rawCache.set(scan.key, packed); // the references taken by interning belong to the cache
        }
      }
    }
    const v4Set = packed >= 0 ? unpackV4(packed) : -1;
    const mpSet = packed >= 0 ? unpackMp(packed) : -1;
    res.withdrawn += applyNlri(core, p, 'ipv4-unicast', body, l.withdrawnStart, l.withdrawnEnd, -1);
    if (scan.unreach) {
      const f = familyOf(scan.unreach.afi, scan.unreach.safi);
      if (f && p.hasFamily(f)) res.withdrawn += applyNlri(core, p, f, body, scan.unreach.start + 3, scan.unreach.end, -1);
    }
    if (hasV4) {
      const n = applyNlri(core, p, 'ipv4-unicast', body, l.nlriStart, l.nlriEnd, v4Set);
      if (v4Set >= 0) res.announced += n;
      else {
        res.withdrawn += n;
        p.rejected += n;
      }
    }
    if (hasMp && scan.reach) {
      const f = familyOf(scan.reach.afi, scan.reach.safi);
      if (f && p.hasFamily(f)) {
        const n = applyNlri(core, p, f, body, scan.reach.nlriStart, scan.reach.end, mpSet);
        if (mpSet >= 0) res.announced += n;
        else res.withdrawn += n;
      }
    }
    if (packed >= 0 && scan.key === undefined && !scan.plain) releasePacked(core.store, packed);
    checkMaxPrefix(p, res);
  } catch (e) {
    if (!(e instanceof BgpWireError)) throw e;
    res.action = 'session-reset';
    res.notification = e.notification;
    res.errors.push(`session-reset: ${e.message}`);
  }
  return res;
}

function checkMaxPrefix(p: PeerState, res: UpdateResult): void {
  const max = p.info.maxPrefixes;
  if (!max || res.action !== 'ok') return;
  for (const f of ['ipv4-unicast', 'ipv6-unicast'] as Family[]) {
    if (p.adjIn[f].size <= max) continue;
    const data = Buffer.alloc(7);
    data.writeUInt16BE(f === 'ipv4-unicast' ? AFI.IPV4 : AFI.IPV6, 0);
    data[2] = 1;
    data.writeUInt32BE(max >>> 0, 3);
    res.action = 'max-prefix';
    res.notification = { code: NOTIF.CEASE, subcode: CEASE.MAX_PREFIXES_REACHED, data };
    res.errors.push(`max-prefix: ${p.adjIn[f].size} ${f} prefixes exceed ${max}`);
    return;
  }
}
