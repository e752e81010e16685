/**
 * Runs the NetworkPolicy enforcer on a node: watches NetworkPolicies, Namespaces, every Pod and
 * its own Node, and after each change (debounced) renders the whole KLNP-* filter state and
 * applies it in one `iptables-restore --noflush` transaction, then makes sure FORWARD jumps to
 * it; the same for IPv6 with ip6tables once a pod has an IPv6 address. The node label kindlab.io/run-firewall=false turns it off on that node (rules removed).
 */
import type { KubeClient } from '../../client/client.js';
import { Informer } from '../../client/informer.js';
import { NAMESPACES, NODES, PODS } from '../../client/resources.js';
import type { KubeObject, Node, Pod } from '../../client/types.js';
import { run, type Logger } from '../sys.js';
import { buildNetpolModel } from './model.js';
import { familyOf, type Family } from './cidr.js';
import { HOOK, netpolChainsInSave, renderNetpol, renderNetpolCleanup } from './render.js';
import { NETWORKPOLICIES, RUN_FIREWALL_LABEL, type NetworkPolicy } from './types.js';
import { errorMessage } from '../../../errors.js';

export interface EnforcerOptions {
  client: KubeClient;
  nodeName: string;
  log: Logger;
  debounceMs?: number;
}

export class NetworkPolicyEnforcer {
  private readonly policies: Informer<NetworkPolicy>;
  private readonly namespaces: Informer<KubeObject>;
  private readonly pods: Informer<Pod>;
  private readonly node: Informer<Node>;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastApplied: Record<Family, string> = { 4: '', 6: '' };
  private stopped = false;
  syncs = 0;

  constructor(private readonly o: EnforcerOptions) {
    const log: Logger = (l) => o.log({ node: o.nodeName, ...l });
    this.policies = new Informer(o.client, NETWORKPOLICIES, { log });
    this.namespaces = new Informer(o.client, NAMESPACES, { log });
    this.pods = new Informer(o.client, PODS, { log });
    this.node = new Informer(o.client, NODES, { fieldSelector: `metadata.name=${o.nodeName}`, log });
    for (const i of [this.policies, this.namespaces, this.pods, this.node] as Array<Informer<KubeObject>>) i.onChange(() => this.schedule());
  }

  async start(): Promise<void> {
    await Promise.all([this.policies.start(), this.namespaces.start(), this.pods.start(), this.node.start()]);
    this.schedule(0);
  }

  get enabled(): boolean {
    return this.node.list()[0]?.metadata.labels?.[RUN_FIREWALL_LABEL] !== 'false';
  }

  private schedule(delay = this.o.debounceMs ?? 50): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.chain = this.chain.then(() => this.sync()).catch((e: unknown) => {
        this.o.log({ level: 'error', msg: 'network policy sync failed', error: errorMessage(e), detail: (e as { detail?: string }).detail });
        this.schedule(2000);
      });
    }, delay);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    if (!this.enabled) {
      if (this.lastApplied[4] !== 'off') {
        await removeNetpolRules();
        this.lastApplied = { 4: 'off', 6: 'off' };
        this.o.log({ msg: 'network policy enforcement off (node label)', label: `${RUN_FIREWALL_LABEL}=false` });
      }
      return;
    }
    const model = buildNetpolModel({ nodeName: this.o.nodeName, policies: this.policies.list(), namespaces: this.namespaces.list(), pods: this.pods.list() });
    // ip6tables only once the cluster has IPv6 pods (an IPv4 cluster's node may lack ip6tables support).
    const v6 = this.pods.list().some((p) => (p.status as { podIPs?: Array<{ ip: string }> } | undefined)?.podIPs?.some((x) => familyOf(x.ip) === 6));
    for (const family of v6 || (this.lastApplied[6] !== '' && this.lastApplied[6] !== 'off') ? ([4, 6] as const) : ([4] as const)) {
      const cmd = family === 4 ? 'iptables' : 'ip6tables';
      const existing = netpolChainsInSave((await run([`${cmd}-save`, '-t', 'filter'])).stdout);
      const text = renderNetpol(model, existing, family);
      if (text !== this.lastApplied[family]) {
        await run([`${cmd}-restore`, '--noflush'], { input: text });
        this.lastApplied[family] = text;
        this.o.log({ msg: 'network policies applied', family: `IPv${family}`, isolatedPods: model.filter((p) => p.ips.some((ip) => familyOf(ip) === family)).length, allowRules: model.reduce((n, p) => n + p.allow.length, 0) });
      }
      const present = await run([cmd, '-t', HOOK.table, '-C', HOOK.chain, ...HOOK.rule], { reject: false });
      if (present.code !== 0) await run([cmd, '-t', HOOK.table, '-I', HOOK.chain, '1', ...HOOK.rule]);
    }
    this.syncs++;
  }

  /** Stops watching; `cleanup` also removes the hook and the KLNP-* chains. */
  async stop(opts: { cleanup: boolean }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const i of [this.policies, this.namespaces, this.pods, this.node] as Array<Informer<KubeObject>>) i.stop();
    await this.chain;
    if (opts.cleanup) await removeNetpolRules();
  }
}

/** Removes the FORWARD hook and every KLNP-* chain, of both families (a node without ip6tables has no IPv6 ones). */
export async function removeNetpolRules(): Promise<void> {
  await removeFamily('iptables');
  await removeFamily('ip6tables').catch(() => undefined);
}

async function removeFamily(cmd: string): Promise<void> {
  while ((await run([cmd, '-t', HOOK.table, '-D', HOOK.chain, ...HOOK.rule], { reject: false })).code === 0);
  const text = renderNetpolCleanup(netpolChainsInSave((await run([`${cmd}-save`, '-t', 'filter'])).stdout));
  if (text) await run([`${cmd}-restore`, '--noflush'], { input: text });
}
