import { HAS_ORIGINATOR_ID, type PathInfo } from './path-info.js';

/** One candidate path: where it came from and its interned attribute set. */
export interface CandidateSet {
  n: number;
  peer: Int32Array;
  set: Int32Array;
  stale: Uint8Array;
}

/** Per-peer facts the decision needs, indexed by peer index. */
export interface PeerFacts {
  ibgp: boolean;
  local: boolean;
  routerId: number;
  /** Sortable form of the peer address (fixed width). */
  addressKey: string;
}

export interface DecisionContext {
  info: PathInfo;
  peers: ReadonlyArray<PeerFacts | undefined>;
  alwaysCompareMed: boolean;
}

/** Returns < 0 when path i is better, > 0 when j is better, 0 when this step cannot decide. */
type Step = (c: DecisionContext, s: CandidateSet, i: number, j: number) => number;

// Absent LOCAL_PREF counts as 100 and absent MED as 0 (stored so by PathInfo.set).
const lp = (c: DecisionContext, s: CandidateSet, i: number) => c.info.localPref[s.set[i]!]!;
const med = (c: DecisionContext, s: CandidateSet, i: number) => c.info.med[s.set[i]!]!;
const rid = (c: DecisionContext, s: CandidateSet, i: number) =>
  c.info.flags[s.set[i]!]! & HAS_ORIGINATOR_ID ? c.info.originatorId[s.set[i]!]! : c.peers[s.peer[i]!]!.routerId;

/** RFC 4271 §9.1.2.2 plus the common tie-breakers, in order. Weight and IGP metric do not apply here. */
export const BEST_PATH_STEPS: ReadonlyArray<{ name: string; compare: Step }> = [
  { name: 'not-stale', compare: (_c, s, i, j) => s.stale[i]! - s.stale[j]! },
  { name: 'next-hop-valid', compare: (c, s, i, j) => Number(c.info.nextHop[s.set[i]!]! < 0 && !c.peers[s.peer[i]!]!.local) - Number(c.info.nextHop[s.set[j]!]! < 0 && !c.peers[s.peer[j]!]!.local) },
  { name: 'local-pref', compare: (c, s, i, j) => lp(c, s, j) - lp(c, s, i) },
  { name: 'locally-originated', compare: (c, s, i, j) => Number(c.peers[s.peer[j]!]!.local) - Number(c.peers[s.peer[i]!]!.local) },
  { name: 'as-path-length', compare: (c, s, i, j) => c.info.asPathLen[s.set[i]!]! - c.info.asPathLen[s.set[j]!]! },
  { name: 'origin', compare: (c, s, i, j) => c.info.origin[s.set[i]!]! - c.info.origin[s.set[j]!]! },
  {
    name: 'med',
    compare: (c, s, i, j) =>
      c.alwaysCompareMed || c.info.neighborAs[s.set[i]!] === c.info.neighborAs[s.set[j]!] ? med(c, s, i) - med(c, s, j) : 0,
  },
  { name: 'ebgp-over-ibgp', compare: (c, s, i, j) => Number(c.peers[s.peer[i]!]!.ibgp) - Number(c.peers[s.peer[j]!]!.ibgp) },
  { name: 'router-id', compare: (c, s, i, j) => rid(c, s, i) - rid(c, s, j) },
  { name: 'cluster-list-length', compare: (c, s, i, j) => c.info.clusterLen[s.set[i]!]! - c.info.clusterLen[s.set[j]!]! },
  {
    name: 'peer-address',
    compare: (c, s, i, j) => {
      const a = c.peers[s.peer[i]!]!.addressKey;
      const b = c.peers[s.peer[j]!]!.addressKey;
      return a < b ? -1 : a > b ? 1 : 0;
    },
  },
];

/** Index of the first step after which paths may be multipath-equal (everything before router-id). */
export const MULTIPATH_LAST_STEP = BEST_PATH_STEPS.findIndex((s) => s.name === 'ebgp-over-ibgp');

/** Compares two candidates; returns [sign, step index that decided] (step = steps.length when equal). */
export function comparePaths(c: DecisionContext, s: CandidateSet, i: number, j: number, upTo = BEST_PATH_STEPS.length - 1): [number, number] {
  for (let k = 0; k <= upTo; k++) {
    const r = BEST_PATH_STEPS[k]!.compare(c, s, i, j);
    if (r !== 0) return [r, k];
  }
  return [0, BEST_PATH_STEPS.length];
}

/** Index of the best candidate. */
export function selectBest(c: DecisionContext, s: CandidateSet): number {
  let best = 0;
  for (let i = 1; i < s.n; i++) if (comparePaths(c, s, i, best)[0] < 0) best = i;
  return best;
}

/** Why `best` won: the step that separated it from its closest competitor. */
export function bestReason(c: DecisionContext, s: CandidateSet, best: number): string {
  if (s.n <= 1) return 'only-path';
  let latest = -1;
  for (let i = 0; i < s.n; i++) {
    if (i === best) continue;
    latest = Math.max(latest, comparePaths(c, s, best, i)[1]);
  }
  return latest >= BEST_PATH_STEPS.length ? 'equal' : BEST_PATH_STEPS[latest]!.name;
}

/**
 * Candidates that may share forwarding with `best` (ECMP): equal up to eBGP-over-iBGP and, unless
 * `relax`, with the same neighbour AS. At most `max`, best first. Writes indexes into `out`.
 */
export function selectMultipath(c: DecisionContext, s: CandidateSet, best: number, max: number, relax: boolean, out: number[]): void {
  out.length = 0;
  out.push(best);
  for (let i = 0; i < s.n && out.length < max; i++) {
    if (i === best) continue;
    if (comparePaths(c, s, i, best, MULTIPATH_LAST_STEP)[0] !== 0) continue;
    if (!relax && c.info.neighborAs[s.set[i]!] !== c.info.neighborAs[s.set[best]!]) continue;
    out.push(i);
  }
}
