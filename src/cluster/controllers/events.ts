/**
 * core/v1 Events as kubelet and kube-scheduler write them (what `kubectl describe pod` and
 * `kubectl get events` show): one object per occurrence, named <object>.<unique suffix>. Pure.
 */
import type { K8sObject } from '../store/types.js';

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

export function buildEvent(e: EventSpec, now: Date, suffix: string): K8sObject {
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
  } as K8sObject;
}

/** A unique-enough event name suffix: time in hex, then a counter (kubelet uses the time in ns). */
let seq = 0;
export function eventSuffix(now: Date): string {
  seq = (seq + 1) % 0xffff;
  return `${now.getTime().toString(16)}${seq.toString(16).padStart(4, '0')}`;
}
