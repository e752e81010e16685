import type { EndpointSlice, Service } from '../../client/types.js';
import { run, type Logger } from '../sys.js';
import { buildServiceModel } from './model.js';
import { chainsInSave, HOOKS, renderCleanup, renderRules } from './render.js';
import { errorMessage } from '../../../errors.js';

export interface ProxierInputs {
  services: Service[];
  slices: EndpointSlice[];
  /** This node's pod CIDR. */
  podCIDR?: string;
  /** The cluster's pod range (cluster-cidr.ts): cluster IP traffic from outside it is masqueraded off the node. */
  clusterCIDR?: string;
}

export interface ProxierOptions {
  nodeName: string;
  bridge: string;
  log: Logger;
  /** Address family (default 4: iptables; 6: ip6tables, for the IPv6 ClusterIPs of a dual-stack or IPv6 cluster). */
  family?: 4 | 6;
  /** Debounce of syncs after changes. */
  debounceMs?: number;
}

/**
 * Programs Service NAT with iptables (nat + filter tables, KINDLAB-* chains). Why iptables
 * and not nftables: the `statistic` and `recent` matches give kube-proxy's exact load
 * balancing and ClientIP affinity semantics, `iptables-restore --noflush` replaces only our
 * chains in one transaction (on Debian 12 it is the nf_tables backend, so rules coexist
 * with Docker's), and users already know how to read `iptables-save` output.
 *
 * Every change schedules a full resync (debounced): render everything, apply in one
 * restore per table, drop stale chains. A failed sync is retried.
 */
export class Proxier {
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private again = false;
  private hooksReady = false;
  private inputs: ProxierInputs = { services: [], slices: [] };
  private lastApplied = '';
  syncs = 0;

  private readonly tool: Tools;

  constructor(private readonly o: ProxierOptions) {
    this.tool = toolsFor(o.family ?? 4);
  }

  update(inputs: ProxierInputs): void {
    this.inputs = inputs;
    this.schedule();
  }

  schedule(delay = this.o.debounceMs ?? 50): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), delay);
  }

  /** Runs one sync now (or after the one in progress). */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.doSync()
      .catch((e) => {
        this.o.log({ level: 'error', msg: 'service rules sync failed', error: errorMessage(e), detail: (e as { detail?: string }).detail });
        this.schedule(2000);
      })
      .finally(() => {
        this.syncing = undefined;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        }
      });
    return this.syncing;
  }

  private async existing(): Promise<{ nat: string[]; filter: string[] }> {
    const nat = await run([this.tool.save, '-t', 'nat']);
    const filter = await run([this.tool.save, '-t', 'filter']);
    return { nat: chainsInSave(nat.stdout), filter: chainsInSave(filter.stdout) };
  }

  private async doSync(): Promise<void> {
    const t0 = Date.now();
    const family = this.o.family ?? 4;
    const model = buildServiceModel(this.inputs.services, this.inputs.slices, this.o.nodeName, family);
    const existing = await this.existing();
    const r = renderRules({ services: model, bridge: this.o.bridge, podCIDR: this.inputs.podCIDR, clusterCIDR: this.inputs.clusterCIDR, family, existing });
    const text = r.nat + r.filter;
    if (text !== this.lastApplied || !this.hooksReady) {
      await run([this.tool.restore, '--noflush'], { input: text });
      this.lastApplied = text;
    }
    if (!this.hooksReady) {
      await ensureHooks(family);
      this.hooksReady = true;
    }
    this.syncs++;
    this.o.log({ level: 'debug', msg: 'service rules synced', servicePorts: model.length, endpoints: model.reduce((n, s) => n + s.endpoints.length, 0), ms: Date.now() - t0 });
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Removes the hooks and every KINDLAB-* chain. */
  async cleanup(): Promise<void> {
    this.stop();
    await this.syncing;
    for (const h of HOOKS) while ((await run([this.tool.cmd, '-t', h.table, '-D', h.chain, ...h.rule], { reject: false })).code === 0);
    const text = renderCleanup(await this.existing());
    if (text) await run([this.tool.restore, '--noflush'], { input: text });
    this.hooksReady = false;
  }
}

/** Inserts the jumps from the built-in chains once (first position), leaving other rules alone. */
export async function ensureHooks(family: 4 | 6 = 4): Promise<void> {
  const { cmd } = toolsFor(family);
  for (const h of HOOKS) {
    const present = await run([cmd, '-t', h.table, '-C', h.chain, ...h.rule], { reject: false });
    if (present.code !== 0) await run([cmd, '-t', h.table, '-I', h.chain, '1', ...h.rule]);
  }
}

interface Tools {
  cmd: string;
  save: string;
  restore: string;
}

/** iptables or ip6tables and their save/restore commands. */
export function toolsFor(family: 4 | 6): Tools {
  const cmd = family === 6 ? 'ip6tables' : 'iptables';
  return { cmd, save: `${cmd}-save`, restore: `${cmd}-restore` };
}
