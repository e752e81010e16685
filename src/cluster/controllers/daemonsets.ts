/**
 * The DaemonSet controller's writes: one pass over every DaemonSet, applying what
 * daemonset-plan.ts decides (create the missing daemon pods bound to their nodes, delete
 * the ones that must go, post the status) and recording the controller's Events
 * (SuccessfulCreate, SuccessfulDelete) on the DaemonSet.
 */
import type { Registry } from '../apiserver/registry.js';
import { randomSuffix } from '../apiserver/registry.js';
import { findResource, grOf, type ResourceDef } from '../apiserver/resources.js';
import type { K8sObject } from '../store/types.js';
import { daemonPod, planDaemonSet, templateHash } from './daemonset-plan.js';
import { syncHistory } from './history-sync.js';
import { buildEvent, eventSuffix } from '../client/index.js';
import { ownedBy, same } from './util.js';
import { errorMessage } from '../../errors.js';

const def = (g: string, r: string): ResourceDef => findResource(g, 'v1', r)!;
const DS = def('apps', 'daemonsets');
const PODS = def('', 'pods');
const NODES = def('', 'nodes');
const EVENTS = def('', 'events');

export type ControllerLog = (line: Record<string, unknown>) => void;

export function syncDaemonSets(reg: Registry, log: ControllerLog | undefined, now = Date.now()): void {
  const daemonSets = reg.store.list(grOf(DS)).items;
  if (!daemonSets.length) return;
  const nodes = reg.store.list(grOf(NODES)).items;
  const pods = reg.store.list(grOf(PODS)).items;
  for (const ds of daemonSets) {
    if (ds.metadata.deletionTimestamp) continue;
    const mine = pods.filter((p) => ownedBy(p, ds));
    const plan = planDaemonSet(ds, mine, nodes, now);
    // ControllerRevisions first: `kubectl rollout history|undo ds` read them
    const hash = templateHash(ds);
    syncHistory(reg, ds, `${ds.metadata.name}-${hash}`, hash, mine);
    for (const p of plan.remove) {
      reg.delete(PODS, p.metadata.namespace, p.metadata.name!);
      event(reg, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, log);
      log?.({ msg: 'daemon pod deleted', daemonset: `${ds.metadata.namespace}/${ds.metadata.name}`, pod: p.metadata.name, node: (p.spec as { nodeName?: string }).nodeName });
    }
    for (const n of plan.create) {
      const p = reg.create(PODS, ds.metadata.namespace, daemonPod(ds, n, randomSuffix()));
      event(reg, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, log);
      log?.({ msg: 'daemon pod created', daemonset: `${ds.metadata.namespace}/${ds.metadata.name}`, pod: p.metadata.name, node: n });
    }
    if (!same(ds.status, plan.status)) reg.update(DS, ds.metadata.namespace, ds.metadata.name!, { ...ds, status: plan.status }, 'status');
  }
}

function event(reg: Registry, ds: K8sObject, type: 'Normal' | 'Warning', reason: string, message: string, log: ControllerLog | undefined): void {
  const now = new Date();
  const ns = ds.metadata.namespace ?? 'default';
  try {
    reg.create(EVENTS, ns, buildEvent({ type, reason, message, component: 'daemonset-controller', object: { kind: 'DaemonSet', apiVersion: 'apps/v1', name: ds.metadata.name!, namespace: ns, ...(ds.metadata.uid ? { uid: ds.metadata.uid } : {}) } }, now, eventSuffix(now)));
  } catch (e) {
    log?.({ level: 'warn', msg: 'event not recorded', reason, error: errorMessage(e) });
  }
}
