/** Kubernetes object shapes as the store and API server see them (JSON, no codegen). */

import type { ObjectMeta } from '../api-types.js';

export type { ObjectMeta, OwnerReference } from '../api-types.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the store. `rv` is the global resourceVersion the change produced. */
export interface StoreEvent {
  type: WatchEventType;
  /** Group-resource key, e.g. `pods`, `apps/deployments`. */
  gr: string;
  rv: number;
  object: K8sObject;
  /** The object before a MODIFIED change (watch filters turn selector exits into DELETED). */
  prev?: K8sObject;
}

/** Store key of an object inside its group-resource: `namespace/name` or `/name` for cluster-scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Freezes an object and everything in it: the store's own copies are shared with watchers and the controllers. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
