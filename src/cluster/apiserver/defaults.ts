import { randomUUID } from 'node:crypto';
import type { K8sObject } from '../store/types.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function defaultContainer(c: Obj): void {
  const image = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : image.split('/').pop()!.split(':')[1];
  c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of arr(c.ports)) p.protocol ??= 'TCP';
}

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) defaultContainer(c);
}

function defaultPodTemplateOwner(o: K8sObject, kind: string): void {
  const spec = (o.spec ??= {}) as Obj;
  spec.replicas ??= 1;
  if (kind === 'Deployment') {
    spec.strategy ??= {};
    const st = obj(spec.strategy);
    st.type ??= 'RollingUpdate';
    if (st.type === 'RollingUpdate') st.rollingUpdate ??= { maxSurge: '25%', maxUnavailable: '25%' };
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  }
  if (kind === 'StatefulSet') {
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= { type: 'RollingUpdate' };
    const us = obj(spec.updateStrategy);
    if (us.type === 'RollingUpdate') us.rollingUpdate ??= { partition: 0 };
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  }
  const tpl = obj(spec.template);
  if (spec.template) {
    tpl.metadata ??= {};
    defaultPodSpec((tpl.spec ??= {}) as Obj);
  }
}

/**
 * Jobs: the API server picks the selector itself (controller-uid of the Job, so it needs the uid
 * now) and labels the template with it and the job name, unless spec.manualSelector.
 */
function defaultJob(o: K8sObject): void {
  const spec = (o.spec ??= {}) as Obj;
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  const tpl = (spec.template ??= {}) as Obj;
  const meta = (tpl.metadata ??= {}) as Obj;
  defaultPodSpec((tpl.spec ??= {}) as Obj);
  if (spec.manualSelector === true) return;
  const uid = (o.metadata.uid ??= randomUUID());
  const name = o.metadata.name ?? '';
  spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  meta.labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name, ...obj(meta.labels) };
}

/** apps/v1 DaemonSet defaults (RollingUpdate, maxUnavailable 1, maxSurge 0), no replicas. */
function defaultDaemonSet(o: K8sObject): void {
  const spec = (o.spec ??= {}) as Obj;
  spec.updateStrategy ??= {};
  const st = obj(spec.updateStrategy);
  st.type ??= 'RollingUpdate';
  if (st.type === 'RollingUpdate') {
    st.rollingUpdate ??= {};
    const ru = obj(st.rollingUpdate);
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (spec.template) {
    const tpl = obj(spec.template);
    tpl.metadata ??= {};
    defaultPodSpec((tpl.spec ??= {}) as Obj);
  }
}

function defaultService(o: K8sObject): void {
  const spec = (o.spec ??= {}) as Obj;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    // ipFamilies / ipFamilyPolicy / clusterIPs are settled by admission (admission.ts), which knows the cluster's families.
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  for (const p of arr(spec.ports)) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  o.status ??= { loadBalancer: {} };
}

/** Fills the fields the real API server defaults, so kubectl output and controllers see them. */
export function applyDefaults(o: K8sObject): void {
  switch (o.kind) {
    case 'Pod': {
      defaultPodSpec((o.spec ??= {}) as Obj);
      const st = (o.status ??= {}) as Obj;
      st.phase ??= 'Pending';
      st.qosClass ??= 'BestEffort';
      break;
    }
    case 'Service':
      defaultService(o);
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      defaultPodTemplateOwner(o, o.kind);
      break;
    case 'Job':
      defaultJob(o);
      break;
    case 'CronJob': {
      // upstream's defaults; the Jobs themselves are defaulted when the controller creates them
      const spec = (o.spec ??= {}) as Obj;
      spec.concurrencyPolicy ??= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      break;
    }
    case 'DaemonSet':
      defaultDaemonSet(o);
      break;
    case 'Namespace':
      o.spec ??= { finalizers: ['kubernetes'] };
      o.status ??= { phase: 'Active' };
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name! };
      break;
    case 'Secret': {
      (o as Obj).type ??= 'Opaque';
      const sd = (o as Obj).stringData;
      if (sd && typeof sd === 'object') {
        const data = ((o as Obj).data ??= {}) as Obj;
        for (const [k, v] of Object.entries(sd as Obj)) data[k] = Buffer.from(String(v)).toString('base64');
        delete (o as Obj).stringData;
      }
      break;
    }
    case 'Node':
      o.spec ??= {};
      o.status ??= {};
      break;
  }
}
