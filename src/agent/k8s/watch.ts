/**
 * The agent's view of the cluster: one Informer (list + watch, resume, relist on 410) per resource it reads —
 * nodes, pods, services, endpointslices, secrets and the dialect's custom resources. Any change calls `onChange`;
 * `view()` assembles the current ClusterView for the pure intent function.
 */
import { ENDPOINTSLICES, Informer, KubeClient, NODES, PODS, SERVICES, resourceType, type KubeObject } from '../../cluster/client/index.js';
import type { Logger } from '../../bgp/index.js';
import type { ClusterView, CustomKind } from '../dialects/types.js';
import { viewFromObjects } from '../dialects/view.js';

const SECRETS = resourceType('v1', 'Secret', 'secrets', true);
const CORE = [NODES, PODS, SERVICES, ENDPOINTSLICES, SECRETS] as const;

export class ClusterWatch {
  private readonly informers: Array<Informer<KubeObject>> = [];

  constructor(private readonly client: KubeClient, kinds: readonly CustomKind[], private readonly log: Logger, onChange: () => void) {
    const rts = [...CORE, ...kinds.map((k) => resourceType(k.apiVersion, k.kind, k.plural, k.namespaced))];
    const seen = new Set<string>();
    for (const rt of rts) {
      const id = `${rt.group}/${rt.plural}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const inf = new Informer<KubeObject>(this.client, rt, {
        log: (l) => this.log[(l.level as 'info' | 'warn' | 'error' | undefined) ?? 'info']?.(String(l.msg), { ...l, msg: undefined }),
        backoffMs: 250,
        maxBackoffMs: 5000,
      });
      inf.onChange(() => onChange());
      this.informers.push(inf);
    }
  }

  /** Starts every informer; resolves when the core resources are listed (custom kinds may be absent on a real cluster). */
  async start(timeoutMs = 30_000): Promise<void> {
    const core = this.informers.slice(0, CORE.length).map((i) => i.start());
    for (const i of this.informers.slice(CORE.length)) void i.start();
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      t = setTimeout(() => reject(new Error(`initial list of nodes/pods/services/endpointslices/secrets not done after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(core), timeout]);
    } finally {
      clearTimeout(t);
    }
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }

  view(): ClusterView {
    // The informers know their kind; list items from a List carry none, so set it for viewFromObjects.
    const all: KubeObject[] = [];
    for (const i of this.informers) for (const o of i.list()) all.push(o.kind ? o : { ...o, kind: i.resource.kind });
    return viewFromObjects(all);
  }
}
