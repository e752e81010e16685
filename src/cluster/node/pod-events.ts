/**
 * The kubelet's pod Events, derived from the pod status the node daemon posts: Pulled, Created
 * and Started when a container (re)starts, BackOff when it waits in CrashLoopBackOff, Failed when
 * it cannot run, Unhealthy when its readiness probe stops passing, Killing when the pod goes.
 * `containerEvents` is pure; `EventRecorder` posts them.
 */
import type { KubeClient } from '../client/client.js';
import { resourceType } from '../client/resources.js';
import type { ContainerStatus, KubeObject, Pod } from '../client/types.js';
import { buildEvent, eventSuffix, type EventSpec } from '../client/index.js';
import type { Logger } from './sys.js';
import { errorMessage } from '../../errors.js';

const EVENTS = resourceType<KubeObject>('v1', 'Event', 'events', true);

type Ev = Omit<EventSpec, 'component' | 'host' | 'object'> & { fieldPath?: string };

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Events for the change from `prev` (last posted, undefined at first) to `next` container statuses. */
export function containerEvents(pod: Pod, prev: ContainerStatus[] | undefined, next: ContainerStatus[]): Ev[] {
  const out: Ev[] = [];
  for (const c of next) {
    const p = prev?.find((x) => x.name === c.name);
    const fieldPath = `spec.containers{${c.name}}`;
    const run = c.state.running;
    const wait = c.state.waiting;
    const startedAt = str(run?.startedAt);
    if (run && (!p?.state.running || str(p.state.running.startedAt) !== startedAt)) {
      out.push({ type: 'Normal', reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, fieldPath });
      out.push({ type: 'Normal', reason: 'Created', message: `Created container ${c.name}`, fieldPath });
      out.push({ type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, fieldPath });
    }
    if (wait && (str(wait.reason) !== str(p?.state.waiting?.reason) || c.restartCount !== p?.restartCount)) {
      const reason = str(wait.reason);
      if (reason === 'CrashLoopBackOff') out.push({ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, fieldPath });
      else if (reason && reason !== 'ContainerCreating' && reason !== 'PodInitializing') out.push({ type: 'Warning', reason: 'Failed', message: `Error: ${reason}${str(wait.message) ? `: ${str(wait.message)}` : ''}`, fieldPath });
    }
    if (run && p?.state.running && p.ready && !c.ready && str(p.state.running.startedAt) === startedAt)
      out.push({ type: 'Warning', reason: 'Unhealthy', message: `Readiness probe failed: container ${c.name} stopped answering its readiness probe`, fieldPath });
  }
  return out;
}

/** `Stopping container <name>` for each container of a pod being removed. */
export function killingEvents(pod: Pod): Ev[] {
  return (pod.spec.containers ?? []).map((c) => ({ type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}`, fieldPath: `spec.containers{${c.name}}` }));
}

export class EventRecorder {
  constructor(private readonly client: KubeClient, private readonly node: string, private readonly log: Logger) {}

  record(pod: Pod, events: Ev[]): void {
    for (const e of events) {
      const now = new Date();
      const obj = buildEvent({ type: e.type, reason: e.reason, message: e.message, component: 'kubelet', host: this.node, object: { kind: 'Pod', name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}), ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) } }, now, eventSuffix(now));
      this.client.create(EVENTS, obj as KubeObject, {}).catch((err) => this.log({ level: 'debug', msg: 'event not recorded', reason: e.reason, error: errorMessage(err) }));
    }
  }
}
