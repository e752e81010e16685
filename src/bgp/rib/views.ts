import type { Family } from '../wire/constants.js';
import { decodeAttributes } from '../wire/attrs/index.js';
import type { PathAttributes } from '../wire/attrs/types.js';
import { mergeAs4 } from '../wire/as4.js';
import { formatCommunity } from '../wire/attrs/communities.js';
import { formatLargeCommunity } from '../wire/attrs/large-communities.js';
import { ORIGIN_NAMES } from '../wire/attrs/origin.js';
import { bestReason, selectBest, selectMultipath } from './best-path.js';
import type { RibCore } from './core.js';
import { SET_MASK, STALE, type PeerState } from './peer-state.js';
import { keyToPrefix, type PrefixKey } from './prefix-key.js';
import type { RouteView } from './types.js';

export function viewOf(family: Family, key: PrefixKey, a: PathAttributes, peer: string, best: boolean, stale: boolean, reason?: string): RouteView {
  const v: RouteView = {
    family,
    prefix: keyToPrefix(family, key),
    nextHop: a.mpReach?.nextHop ?? a.nextHop ?? (family === 'ipv4-unicast' ? '0.0.0.0' : '::'),
    asPath: (a.asPath ?? []).flatMap((s) => s.asns),
    origin: ORIGIN_NAMES[a.origin ?? 2] ?? 'incomplete',
    communities: (a.communities ?? []).map(formatCommunity),
    largeCommunities: (a.largeCommunities ?? []).map(formatLargeCommunity),
    best,
    peer,
    stale,
  };
  if (a.med !== undefined) v.med = a.med;
  if (a.localPref !== undefined) v.localPref = a.localPref;
  if (reason !== undefined) v.reason = reason;
  return v;
}

export function* adjInViews(core: RibCore, p: PeerState, family: Family): Iterable<RouteView> {
  const entries: Array<[PrefixKey, number]> = [];
  p.adjIn[family].forEach((k, v) => entries.push([k, v]));
  const loc = core.loc[family];
  for (const [k, v] of entries) {
    const best = (loc.get(k) & 0xffff) === p.index && loc.get(k) >= 0;
    yield viewOf(family, k, core.attrsOf(v & SET_MASK), p.index === 0 ? 'local' : p.info.name, best, (v & STALE) !== 0);
  }
}

export function* locViews(core: RibCore, family: Family): Iterable<RouteView> {
  const keys: PrefixKey[] = [];
  core.loc[family].forEach((k) => keys.push(k));
  for (const k of keys) {
    const c = core.candidates(family, k);
    if (c.n === 0) continue;
    const n = c.n;
    const peer = Array.from(c.peer.subarray(0, n));
    const set = Array.from(c.set.subarray(0, n));
    const stale = Array.from(c.stale.subarray(0, n));
    const best = selectBest(core.decision, c);
    const reason = bestReason(core.decision, c, best);
    const mp: number[] = [];
    selectMultipath(core.decision, c, best, core.multipath, core.relax, mp);
    for (let i = 0; i < n; i++) {
      const ps = core.peers[peer[i]!]!;
      yield viewOf(family, k, core.attrsOf(set[i]!), ps.index === 0 ? 'local' : ps.info.name, mp.includes(i), stale[i] === 1, i === best ? reason : undefined);
    }
  }
}

export function* adjOutViews(core: RibCore, p: PeerState, family: Family): Iterable<RouteView> {
  const entries: Array<[PrefixKey, number]> = [];
  p.adjOut[family].forEach((k, v) => entries.push([k, v]));
  const ctx = { fourOctetAs: p.info.fourOctetAs, ibgp: true };
  for (const [k, id] of entries) {
    const b = core.outStore.bytes(id);
    const a = mergeAs4(decodeAttributes(b, 0, b.length, ctx).attrs, p.info.fourOctetAs);
    yield viewOf(family, k, a, p.info.name, true, false);
  }
}
