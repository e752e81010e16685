/** Applies history.ts's plan for one DaemonSet or StatefulSet through the Registry. */
import type { Registry } from '../apiserver/registry.js';
import { findResource, grOf, type ResourceDef } from '../apiserver/resources.js';
import type { K8sObject } from '../store/types.js';
import { planHistory } from './history.js';
import { ownedBy, type Obj } from './util.js';

const REVISIONS: ResourceDef = findResource('apps', 'v1', 'controllerrevisions')!;

/** Syncs the owner's ControllerRevisions; the current template's revision number. */
export function syncHistory(reg: Registry, owner: K8sObject, name: string, hash: string, pods: K8sObject[]): number {
  const ns = owner.metadata.namespace ?? 'default';
  const mine = reg.store.list(grOf(REVISIONS), ns).items.filter((r) => ownedBy(r, owner));
  const live = new Set(pods.map((p) => p.metadata.labels?.['controller-revision-hash'] ?? ''));
  const plan = planHistory(owner, mine, name, hash, live);
  if (plan.create) reg.create(REVISIONS, ns, plan.create);
  if (plan.renumber) reg.update(REVISIONS, ns, plan.renumber.revision.metadata.name!, { ...plan.renumber.revision, revision: plan.renumber.to } as K8sObject & Obj);
  for (const r of plan.remove) reg.delete(REVISIONS, ns, r.metadata.name!);
  return plan.current;
}
