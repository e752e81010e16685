/**
 * Kubernetes Events from the agent, on its Node (as kubelet reports node conditions): BGP sessions established and
 * down, and configuration problems (refused or not applied) with the object and field named, so that
 * `kubectl get events` / `kubectl describe node` show what the agent decided. A repeat of the same event is
 * folded into the first one (count and lastTimestamp), as client-go's event recorder does. Writes go out one at a
 * time and never throw into the agent: an API error is logged and the event dropped.
 */
import { buildEvent, eventSuffix, NODES, resourceType, type KubeClient, type KubeEvent } from '../../cluster/client/index.js';
import type { Logger } from '../../bgp/index.js';
import { errorMessage } from '../../errors.js';

export interface AgentEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export const COMPONENT = 'lab-agent';
/** Events about cluster-scoped objects (Nodes) live in the default namespace, as kubelet's do. */
const NAMESPACE = 'default';

/** The event for a problem line of an AgentIntent. */
export function problemEvent(problem: string): AgentEvent {
  const notApplied = /\bnot applied\b/.test(problem);
  return { type: 'Warning', reason: notApplied ? 'BGPConfigNotApplied' : 'BGPConfigRefused', message: problem };
}

/** The event for a session state change, or undefined when it is neither reaching nor leaving Established. */
export function sessionEvent(peer: string, state: string, from: string, reason: string): AgentEvent | undefined {
  if (state === 'Established') return { type: 'Normal', reason: 'BGPSessionEstablished', message: `BGP session with ${peer} established` };
  if (from === 'Established') return { type: 'Warning', reason: 'BGPSessionDown', message: `BGP session with ${peer} down: ${reason || 'no reason given'}` };
  return undefined;
}

export type EventWrite =
  | { op: 'create'; event: KubeEvent }
  | { op: 'patch'; name: string; patch: { count: number; lastTimestamp: string } };

/** Pure: the API write for `e` given what was written before (`seen`: event key → name and count; updated). */
export function planEventWrite(seen: Map<string, { name: string; count: number }>, node: string, uid: string | undefined, e: AgentEvent, now: Date): EventWrite {
  const key = `${e.type}\u0000${e.reason}\u0000${e.message}`;
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const had = seen.get(key);
  if (had) {
    had.count++;
    return { op: 'patch', name: had.name, patch: { count: had.count, lastTimestamp: ts } };
  }
  const event = buildEvent({ object: { kind: 'Node', name: node, namespace: NAMESPACE, ...(uid ? { uid } : {}) }, type: e.type, reason: e.reason, message: e.message, component: COMPONENT, host: node }, now, eventSuffix(now));
  // The involved Node is cluster-scoped: its reference carries no namespace.
  event.involvedObject = { ...event.involvedObject, namespace: '' };
  seen.set(key, { name: event.metadata.name!, count: 1 });
  return { op: 'create', event };
}

const EVENTS = resourceType<KubeEvent>('v1', 'Event', 'events', true);

export class EventRecorder {
  private readonly seen = new Map<string, { name: string; count: number }>();
  private queue: Promise<void> = Promise.resolve();
  private uid: string | undefined;
  private closed = false;

  constructor(
    private readonly client: KubeClient,
    private readonly node: string,
    private readonly log: Logger,
  ) {}

  record(e: AgentEvent): void {
    if (this.closed) return;
    this.queue = this.queue.then(() => this.write(e)).catch((err: unknown) => this.log.warn('event not recorded', { reason: errorMessage(err), event: e.reason }));
  }

  /** Waits for the queued writes. */
  async flush(): Promise<void> {
    await this.queue;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Writes no more, queued Events are lost (a killed agent). */
  drop(): void {
    this.closed = true;
  }

  private async write(e: AgentEvent): Promise<void> {
    this.uid ??= await this.client.get(NODES, this.node).then((n) => n.metadata.uid, () => undefined);
    const w = planEventWrite(this.seen, this.node, this.uid, e, new Date());
    const rt = EVENTS;
    if (w.op === 'create') {
      await this.client.create(rt, w.event);
      return;
    }
    try {
      await this.client.patch(rt, w.name, w.patch, { namespace: NAMESPACE, type: 'merge' });
    } catch {
      // Expired or deleted (events have a TTL): start a new one.
      for (const [k, v] of this.seen) if (v.name === w.name) this.seen.delete(k);
      const again = planEventWrite(this.seen, this.node, this.uid, e, new Date());
      if (again.op === 'create') await this.client.create(rt, again.event);
    }
  }
}
