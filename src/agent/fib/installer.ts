/**
 * Keeps the node's kernel FIB in line with the Loc-RIB's learned best routes (kube-router mode): listens to the
 * RIB's best-changed events (ECMP next-hop sets), batches changes for a few milliseconds and applies them with one
 * `ip -batch -` run. Locally originated prefixes are skipped, and so are routes whose next hops are not on a
 * connected subnet (kube-router's rule, see on-link.ts). `stop()` removes every route we installed.
 * After a graceful restart (`attach(rib, { keep: true })`) the previous run's routes stay in the kernel until
 * `releaseRetained()` (the peers' End-of-RIB): forwarding continues while the sessions come back (RFC 4724).
 */
import type { Rib } from '../../bgp/index.js';
import type { Logger } from '../../bgp/index.js';
import { KindlabError, errorMessage } from '../../errors.js';
import { connectedSubnets, selectOnLink, type ConnectedSubnet, type FibSelection } from './on-link.js';
import { runIp } from './run-ip.js';
import { FIB_PROTO, parseKernelRoutes, planFib, withRetained, type FibTable } from './plan.js';

export interface FibOptions {
  proto?: number;
  /** Run `ip` in this network namespace (tests). */
  netns?: string;
  batchMs?: number;
  log?: Logger;
}

export async function runIpBatch(lines: string[], opts: { netns?: string } = {}): Promise<void> {
  if (lines.length === 0) return;
  const argv = [...(opts.netns ? ['-n', opts.netns] : []), '-force', '-batch', '-'];
  const r = await runIp(argv, `${lines.join('\n')}\n`);
  if (r.exitCode !== 0) throw new KindlabError('RUNTIME_EXEC', `ip -batch failed (${r.exitCode})`, { detail: `${String(r.stderr)}\ninput:\n${lines.join('\n')}` });
}

export class FibInstaller {
  private readonly wanted: FibTable = new Map();
  private readonly installed: FibTable = new Map();
  private readonly local = new Set<string>();
  private skipped = new Set<string>();
  /** Routes a gracefully stopped previous run left in the kernel, kept until released. */
  private retained: FibTable = new Map();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly proto: number;

  constructor(private readonly opts: FibOptions = {}) {
    this.proto = opts.proto ?? FIB_PROTO;
  }

  /**
   * Removes leftovers of a previous run (our protocol only), then follows `rib`. `keep`: the previous run
   * stopped gracefully: adopt its routes instead and keep them until `releaseRetained()`.
   */
  async attach(rib: Rib, opts: { keep?: boolean } = {}): Promise<void> {
    if (opts.keep) await this.adopt();
    else await this.flush();
    rib.on('best-changed', (_family, prefix, hops) => this.onBest(prefix, hops));
  }

  private async adopt(): Promise<void> {
    this.retained = new Map();
    for (const fam of ['-4', '-6']) {
      const r = await runIp([...(this.opts.netns ? ['-n', this.opts.netns] : []), fam, '-j', 'route', 'show', 'proto', String(this.proto)]);
      if (r.exitCode !== 0) throw new KindlabError('RUNTIME_EXEC', `ip ${fam} route show proto ${this.proto} failed`, { detail: String(r.stderr) });
      for (const [p, h] of parseKernelRoutes(String(r.stdout))) this.retained.set(p, h);
    }
    this.installed.clear();
    for (const [p, h] of this.retained) this.installed.set(p, [...h]);
    if (this.retained.size) this.opts.log?.info('FIB routes of the previous run kept until End-of-RIB', { routes: this.retained.size });
  }

  /** The peers sent End-of-RIB (or the restart time passed): retained routes not relearned are removed. */
  releaseRetained(): void {
    if (this.retained.size === 0) return;
    this.opts.log?.info('FIB: releasing routes kept over the restart', { routes: this.retained.size });
    this.retained = new Map();
    this.schedule();
  }

  /** Prefixes we originate ourselves are never installed. */
  setLocalPrefixes(prefixes: Iterable<string>): void {
    this.local.clear();
    for (const p of prefixes) this.local.add(p);
    this.schedule();
  }

  private onBest(prefix: string, hops: string[]): void {
    if (hops.length) this.wanted.set(prefix, hops.filter(Boolean));
    else this.wanted.delete(prefix);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.sync()).catch((e: unknown) => this.opts.log?.error('FIB update failed', { reason: errorMessage(e) }));
    }, this.opts.batchMs ?? 10);
  }

  private async sync(): Promise<void> {
    const learned: FibTable = new Map([...this.wanted].filter(([p, h]) => !this.local.has(p) && h.length > 0));
    const { install, skipped } = selectOnLink(learned, await this.connected());
    const want = withRetained(install, this.retained);
    this.logSkipped(skipped);
    const lines = planFib(this.installed, want, this.proto);
    if (lines.length === 0) return;
    await runIpBatch(lines, this.opts);
    this.installed.clear();
    for (const [p, h] of want) this.installed.set(p, [...h]);
    this.opts.log?.info('FIB updated', { changes: lines.length, routes: this.installed.size });
  }

  /** Connected subnets of the node (or of the test netns): where a next hop is directly reachable. */
  private async connected(): Promise<ConnectedSubnet[]> {
    const r = await runIp([...(this.opts.netns ? ['-n', this.opts.netns] : []), '-j', 'addr', 'show']);
    if (r.exitCode !== 0) throw new KindlabError('RUNTIME_EXEC', 'ip -j addr show failed', { detail: String(r.stderr) });
    return connectedSubnets(String(r.stdout));
  }

  /** Each skipped route is logged once while it stays skipped (see on-link.ts for why it is not installed). */
  private logSkipped(skipped: FibSelection['skipped']): void {
    const now = new Map(skipped.map((s) => [`${s.prefix} ${[...s.nextHops].sort().join(',')}`, s]));
    for (const [k, s] of now) {
      if (this.skipped.has(k)) continue;
      this.opts.log?.info('FIB route skipped', { prefix: s.prefix, nextHops: s.nextHops, reason: 'next hop not on a connected subnet: left to the upstream router (as kube-router does)' });
    }
    this.skipped = new Set(now.keys());
  }

  /** Learned routes not installed because no next hop is on-link (prefix → next hops). */
  skippedRoutes(): string[] {
    return [...this.skipped];
  }

  /** The routes we believe are installed (prefix → next hops). */
  routes(): FibTable {
    return new Map(this.installed);
  }

  private async flush(): Promise<void> {
    // `route flush` in a batch only covers IPv4: flush each family with its own command.
    for (const fam of ['-4', '-6']) {
      const r = await runIp([...(this.opts.netns ? ['-n', this.opts.netns] : []), fam, 'route', 'flush', 'proto', String(this.proto)]);
      if (r.exitCode !== 0) throw new KindlabError('RUNTIME_EXEC', `ip ${fam} route flush proto ${this.proto} failed`, { detail: String(r.stderr) });
    }
    this.installed.clear();
    this.retained = new Map();
  }

  async stop(): Promise<void> {
    await this.detach();
    await this.flush();
  }

  /** Stops installing but leaves the kernel routes, as a killed process would. */
  async detach(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
