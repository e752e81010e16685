/**
 * core/v1 Events as kubelet and kube-scheduler write them (what `kubectl describe pod` and
 * `kubectl get events` show): one object per occurrence, named <object>.<unique suffix>. Pure. Used by the
 * controllers, the node daemon and the BGP agent.
 */
import type { KubeObject } from './types.js';

/** A core/v1 Event object. */
export interface KubeEvent extends KubeObject {
  apiVersion: string;
  kind: string;
  involvedObject: { kind: string; name: string; namespace: string; apiVersion: string; uid?: string; fieldPath?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
}

export interface EventSpec {
  /** The object the event is about (a Pod here). */
  object: { kind: string; name: string; namespace: string; uid?: string; apiVersion?: string; fieldPath?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `default-scheduler`, `kubelet`. */
  component: string;
  host?: string;
}

export function buildEvent(e: EventSpec, now: Date, suffix: string): KubeEvent {
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const micro = now.toISOString().replace(/Z$/, '000Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${e.object.name}.${suffix}`, namespace: e.object.namespace },
    involvedObject: { kind: e.object.kind, name: e.object.name, namespace: e.object.namespace, apiVersion: e.object.apiVersion ?? 'v1', ...(e.object.uid ? { uid: e.object.uid } : {}), ...(e.object.fieldPath ? { fieldPath: e.object.fieldPath } : {}) },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    reportingComponent: e.component,
    reportingInstance: e.host ?? '',
    firstTimestamp: ts,
    lastTimestamp: ts,
    eventTime: micro,
    count: 1,
  };
}

/** A unique-enough event name suffix: time in hex, then a counter (kubelet uses the time in ns). */
let seq = 0;
export function eventSuffix(now: Date): string {
  seq = (seq + 1) % 0xffff;
  return `${now.getTime().toString(16)}${seq.toString(16).padStart(4, '0')}`;
}
