import { KindlabError } from '../../errors.js';
import { SEG, type PathAttributes } from '../wire/attrs/types.js';
import { parseCommunity } from '../wire/attrs/communities.js';
import { parseLargeCommunity } from '../wire/attrs/large-communities.js';
import { encodeAttributes } from '../wire/attrs/index.js';
import { AFI, SAFI } from '../wire/constants.js';
import { FAMILIES, RibCore } from './core.js';
import { PeerState, STALE } from './peer-state.js';
import { keyOf, keyToPrefix } from './prefix-key.js';
import { applyUpdateBody } from './receive.js';
import { takeUpdatesFor, type TakeOptions } from './take-updates.js';
import { adjInViews, adjOutViews, locViews } from './views.js';
import type { Family, OriginateOptions, PeerInfo, RibOptions, RouteView, UpdateResult } from './types.js';

type BestChangedCb = (family: Family, prefix: string, nextHops: string[]) => void;
type DirtyCb = (peers: number[]) => void;

/** Adj-RIBs-In, Loc-RIB and Adj-RIBs-Out of one speaker. No I/O: the session layer feeds and drains it. */
export class Rib {
  private readonly core: RibCore;
  private readonly bestCbs: BestChangedCb[] = [];
  private readonly dirtyCbs: DirtyCb[] = [];
  private dirtyScheduled = false;

  constructor(opts: RibOptions) {
    this.core = new RibCore(opts);
    const local: PeerInfo = {
      name: 'local', address: opts.routerId, localAddress: opts.routerId, asn: opts.localAsn, localAsn: opts.localAsn,
      routerId: opts.routerId, ibgp: false, fourOctetAs: true, families: [...FAMILIES],
    };
    this.core.addPeerState(new PeerState(0, local));
  }

  addPeer(p: PeerInfo): number {
    const index = this.core.peers.length;
    if (index > 0xffff) throw new KindlabError('BGP_CONFIG', 'too many peers');
    this.core.addPeerState(new PeerState(index, { ...p, families: [...p.families] }));
    return index;
  }

  private peer(i: number): PeerState {
    const p = i > 0 ? this.core.peers[i] : undefined;
    if (!p) throw new KindlabError('BGP_CONFIG', `unknown peer index ${i}`);
    return p;
  }

  removePeer(peer: number): void {
    const p = this.peer(peer);
    this.peerDown(peer, { graceful: false });
    this.core.dropPeerState(p.index);
    this.core.recountTracking();
    this.scheduleDirty();
  }

  peerUp(peer: number): void {
    const p = this.peer(peer);
    this.core.clearAdjOut(p);
    p.up = true;
    p.needFull = true;
    p.rejected = 0;
    // Not following the log until the first (full) takeUpdates.
    for (const f of FAMILIES) p.cursor[f] = -1;
    this.core.recountTracking();
    this.scheduleDirty();
  }

  peerDown(peer: number, opts: { graceful: boolean }): void {
    const p = this.peer(peer);
    p.up = false;
    for (const f of FAMILIES) p.cursor[f] = -1;
    this.core.recountTracking();
    this.core.clearAdjOut(p);
    this.core.clearRawCache(p);
    for (const f of FAMILIES) {
      if (opts.graceful) this.markStale(peer, f);
      else this.core.withdrawWhere(p, f);
    }
    this.scheduleDirty();
  }

  /** Marks a peer's routes stale without taking it down: RFC 7313 Begin-of-RIB-Refresh (then sweepStale at EoRR). */
  markStale(peer: number, family?: Family): number {
    const p = this.peer(peer);
    let n = 0;
    for (const f of family ? [family] : FAMILIES) {
      const keys: Array<number | string> = [];
      p.adjIn[f].forEach((k) => keys.push(k));
      p.adjIn[f].update((_k, v) => v | STALE);
      for (const k of keys) this.core.decide(f, k, p.index);
      n += keys.length;
    }
    if (n) this.scheduleDirty();
    return n;
  }

  sweepStale(peer: number, family?: Family): number {
    const p = this.peer(peer);
    let n = 0;
    for (const f of family ? [family] : FAMILIES) n += this.core.withdrawWhere(p, f, (v) => (v & STALE) !== 0);
    if (n) this.scheduleDirty();
    return n;
  }

  applyUpdate(peer: number, body: Buffer): UpdateResult {
    const before = this.changeCount();
    const r = applyUpdateBody(this.core, this.peer(peer), body);
    if (this.changeCount() !== before) this.scheduleDirty();
    return r;
  }

  private changeCount(): number {
    return this.core.log['ipv4-unicast'].length + this.core.log['ipv6-unicast'].length + this.core.version;
  }

  /**
   * Originates `prefix`. `asPathPrepend` (e.g. kube-router's path-prepend: [65000, 65000]) becomes the route's
   * AS path: eBGP peers receive [our AS, ...asPathPrepend]; iBGP peers receive the empty path (an iBGP peer of
   * our AS would see its own AS and drop the route as a loop; kube-router also prepends towards external peers only).
   */
  originate(prefix: string, attrs: OriginateOptions = {}): void {
    const { family, key } = keyOf(prefix);
    const prepend = attrs.asPathPrepend ?? [];
    for (const asn of prepend) {
      if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff) throw new KindlabError('BGP_CONFIG', `asPathPrepend: ${asn} is not an AS number`);
    }
    const a: PathAttributes = { origin: 0, asPath: prepend.length ? [{ type: SEG.AS_SEQUENCE, asns: [...prepend] }] : [] };
    if (attrs.med !== undefined) a.med = attrs.med;
    if (attrs.localPref !== undefined) a.localPref = attrs.localPref;
    if (attrs.communities?.length) a.communities = attrs.communities.map(parseCommunity);
    if (attrs.largeCommunities?.length) a.largeCommunities = attrs.largeCommunities.map(parseLargeCommunity);
    if (attrs.nextHop) {
      if (family === 'ipv4-unicast' && !attrs.nextHop.includes(':')) a.nextHop = attrs.nextHop;
      else a.mpReach = { afi: family === 'ipv4-unicast' ? AFI.IPV4 : AFI.IPV6, safi: SAFI.UNICAST, nextHop: attrs.nextHop, nlri: [] };
    }
    const bytes = encodeAttributes(a, { fourOctetAs: true });
    const { id, created } = this.core.store.intern(bytes, 0, bytes.length);
    if (created) this.core.info.set(id, a);
    this.core.announce(this.core.peers[0]!, family, key, id);
    this.core.store.release(id);
    this.scheduleDirty();
  }

  withdrawOriginated(prefix: string): void {
    const { family, key } = keyOf(prefix);
    if (this.core.withdraw(this.core.peers[0]!, family, key)) this.scheduleDirty();
  }

  /** Whether peer (up) has changes a takeUpdates would still send (e.g. left by its maxRows). */
  behind(peer: number): boolean {
    const p = this.core.peers[peer];
    return !!p && p.index !== 0 && p.up && (p.needFull || FAMILIES.some((f) => p.cursor[f] < this.core.log[f].length));
  }

  takeUpdates(peer: number, opts: TakeOptions): Buffer[] {
    const p = this.peer(peer);
    if (!p.up) return [];
    return takeUpdatesFor(this.core, p, opts);
  }

  routes(q: { family: Family; peer?: number; table: 'loc' | 'adj-in' | 'adj-out' }): Iterable<RouteView> {
    if (q.table === 'loc') return locViews(this.core, q.family);
    const p = q.peer === 0 ? this.core.peers[0]! : this.peer(q.peer ?? -1);
    return q.table === 'adj-in' ? adjInViews(this.core, p, q.family) : adjOutViews(this.core, p, q.family);
  }

  stats(peer: number): { received: number; accepted: number; advertised: number } {
    const p = this.peer(peer);
    const accepted = p.adjInCount();
    return { received: accepted + p.rejected, accepted, advertised: p.adjOut['ipv4-unicast'].size + p.adjOut['ipv6-unicast'].size };
  }

  counts(family: Family): { destinations: number; paths: number } {
    let paths = 0;
    for (const p of this.core.peers) if (p) paths += p.adjIn[family].size;
    return { destinations: this.core.loc[family].size, paths };
  }

  /** Distinct interned attribute sets (received and originated) and exported sets. */
  internStats(): { attributeSets: number; exportedSets: number } {
    return { attributeSets: this.core.store.live, exportedSets: this.core.outStore.live };
  }

  on(event: 'best-changed', cb: BestChangedCb): void;
  on(event: 'dirty', cb: DirtyCb): void;
  on(event: 'best-changed' | 'dirty', cb: BestChangedCb | DirtyCb): void {
    if (event === 'dirty') {
      this.dirtyCbs.push(cb as DirtyCb);
      return;
    }
    this.bestCbs.push(cb as BestChangedCb);
    this.core.onBestChanged = (f, key, hops) => {
      const prefix = keyToPrefix(f, key);
      for (const c of this.bestCbs) c(f, prefix, hops);
    };
  }

  /** Peers (up) whose Adj-RIB-Out is behind, reported once per turn of the event loop. */
  private scheduleDirty(): void {
    if (this.dirtyScheduled || this.dirtyCbs.length === 0) return;
    this.dirtyScheduled = true;
    setImmediate(() => {
      this.dirtyScheduled = false;
      const peers: number[] = [];
      for (const p of this.core.peers) {
        if (p && this.behind(p.index)) peers.push(p.index);
      }
      if (peers.length) for (const c of this.dirtyCbs) c(peers);
    });
  }
}

