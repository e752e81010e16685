/**
 * The verify model: expectations (what the topology's `verify:` section declares, or what is
 * derived from the lab), and check results (what `lab verify` reports). Native values only;
 * the YAML the user writes is converted in expectations.ts.
 */
import type { SourcePos } from '../topology/index.js';

/** Where routes and sessions are read from. `auto` picks the daemon that runs in the node. */
export type RouteSource = 'auto' | 'frr' | 'bird' | 'gobgp' | 'agent' | 'kernel';
export type BgpSource = Exclude<RouteSource, 'kernel'>;

interface Common {
  /** Display name; generated from the expectation when not given. */
  name: string;
  /** Per-check timeout in milliseconds (undefined: the run's default). */
  timeoutMs?: number;
  pos?: SourcePos;
  /** Derived from the running lab rather than declared in the topology. */
  derived?: boolean;
}

export interface BgpExpectation extends Common {
  kind: 'bgp';
  node: string;
  /** A peer address or interface (unnumbered); undefined means every configured session. */
  peer?: string;
  /** At least this many sessions must be Established (with `peer` unset). */
  minEstablished?: number;
  /** Exactly this many IPv4 unicast prefixes in the speaker's BGP table (FRR's "Displayed N routes"). */
  routes?: number;
  minPrefixes?: number;
  prefixes?: number;
  source: BgpSource;
}

export interface RouteExpectation extends Common {
  kind: 'route';
  node: string;
  prefix: string;
  present: boolean;
  /** Each entry a node name, an IP address or an interface name of `node`. */
  nexthops?: string[];
  ecmp?: number;
  /** Standard communities (`65000:1`) the best BGP path must carry (FRR, BIRD or GoBGP's view). */
  communities?: string[];
  /** The best BGP path's AS path, ASNs separated by spaces ('' for a locally originated route). */
  aspath?: string;
  source: RouteSource;
}

/** A command run in a node and a condition on what it prints or how it exits. */
export interface ExecExpectation extends Common {
  kind: 'exec';
  node: string;
  /** Split like a shell line, run without a shell (as `exec:` lines are). */
  command: string;
  contains?: string;
  /** A JavaScript regular expression matched against stdout (multiline). */
  regex?: string;
  /** stdout, trimmed, equals this. */
  equals?: string;
  /** The exit code expected (default 0). */
  exitCode: number;
}

/**
 * A probe's destination: a topology node (resolved to its addresses), a literal address/host, or
 * a cluster object (`pod/[NS/]NAME` → its pod IP, `svc/[NS/]NAME` → its ClusterIP, looked up when the check runs).
 */
export type Target = { type: 'node'; node: string } | { type: 'address'; address: string } | { type: 'object'; ref: string };

export interface PingExpectation extends Common {
  kind: 'ping';
  /** A node, or a pod (`pod/[NS/]NAME`: run in the pod's network namespace). */
  from: string;
  to: Target;
  count: number;
  /** Highest acceptable loss in percent. */
  maxLoss: number;
  /** Address family to aim at (ping6 with 6: a pod's or Service's IPv6 address, a node's IPv6 address); default: the primary. */
  family?: 4 | 6;
}

export interface TracerouteExpectation extends Common {
  kind: 'traceroute';
  from: string;
  to: Target;
  /** Expected hops, each a node name (any address of the node matches), an address, a `pod/…` (its IP) or `*`. */
  hops: string[];
  maxHops: number;
  /** As for ping: 6 runs traceroute6 towards the target's IPv6 address. */
  family?: 4 | 6;
}

export interface CurlExpectation extends Common {
  kind: 'curl';
  from: string;
  url: string;
  /** Node whose address replaces the host in `url` (when `to:` was given instead of a URL). */
  to?: Target;
  status: number;
  contains?: string;
  /** Passes when no HTTP answer comes (dropped, refused, timed out): traffic a policy denies. */
  blocked?: boolean;
  /** With `to`: the target's address of this family (6: a dual-stack Service's IPv6 ClusterIP); default: the primary. */
  family?: 4 | 6;
}

export type Expectation = BgpExpectation | RouteExpectation | PingExpectation | TracerouteExpectation | CurlExpectation | ExecExpectation;

/** The node a check runs in (`from` for probes; a pod reference for probes from a pod). */
export function checkNode(e: Expectation): string {
  return e.kind === 'bgp' || e.kind === 'route' || e.kind === 'exec' ? e.node : e.from;
}
export type CheckKind = Expectation['kind'];

export interface Evidence {
  command: string;
  output: string;
}

export interface CheckResult {
  /**
   * A check's kind, `stage` for a stage's own step (apply, kubectl) in `stages:`, or `reset` for
   * putting back what an earlier run's stages changed (stages-reset.ts).
   */
  kind: CheckKind | 'stage' | 'reset';
  name: string;
  passed: boolean;
  /** One line a user reads: why it passed or failed. */
  detail: string;
  evidence: Evidence;
  durationMs: number;
  attempts: number;
  /** True when the check was derived from the lab rather than declared. */
  derived?: boolean;
  /** The `stages:` entry this result belongs to (unset: the `verify:` section). */
  stage?: string;
}

export interface VerifyReport {
  lab: string;
  passed: boolean;
  checks: CheckResult[];
  startedAt: string;
  durationMs: number;
}
