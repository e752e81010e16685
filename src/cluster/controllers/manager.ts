import type { Registry } from '../apiserver/registry.js';
import { randomSuffix } from '../apiserver/registry.js';
import { findResource, GR, grOf, RESOURCES, type ResourceDef } from '../apiserver/resources.js';
import { ApiError } from '../store/errors.js';
import type { K8sObject, StoreEvent } from '../store/types.js';
import { buildEndpointSlices, buildEndpoints } from './endpoints.js';
import { nodeReadyDecision, observeNode, type NodeProbe } from './node-lifecycle.js';
import { buildEvent, eventSuffix } from '../client/index.js';
import { pickNode } from './scheduler.js';
import { nowIso, ownedBy, same, withCondition, type Condition, type Obj } from './util.js';
import { currentIngress, lbPools, planKubeOvnLb, planLbIpam, type LbDecision } from './lb-ipam.js';
import { planReplicaSet, podFromTemplate, replicaSetStatus } from './workloads.js';
import { planDeployment } from './rollout.js';
import { planStatefulSet, updateRevision } from './statefulset.js';
import { syncHistory } from './history-sync.js';
import { jobPod, planJob } from './job.js';
import { syncDaemonSets } from './daemonsets.js';
import { jobRef, planCronJob } from './cronjob.js';
import { errorMessage } from '../../errors.js';

export interface ControllerOptions {
  /** Periodic full pass (heartbeat checks) in ms. */
  resyncMs?: number;
  nodeGraceMs?: number;
  requireHeartbeats?: boolean;
  log?: (line: Record<string, unknown>) => void;
}

const def = (g: string, r: string): ResourceDef => findResource(g, 'v1', r)!;
const D = {
  pods: def('', 'pods'),
  nodes: def('', 'nodes'),
  services: def('', 'services'),
  endpoints: def('', 'endpoints'),
  slices: def('discovery.k8s.io', 'endpointslices'),
  deployments: def('apps', 'deployments'),
  replicasets: def('apps', 'replicasets'),
  statefulsets: def('apps', 'statefulsets'),
  jobs: findResource('batch', 'v1', 'jobs')!,
  cronjobs: findResource('batch', 'v1', 'cronjobs')!,
  events: def('', 'events'),
  controllerrevisions: def('apps', 'controllerrevisions'),
};
/** Pool kinds LB-IPAM reads; any that is not served is simply absent. */
const POOLS = {
  cilium: findResource('cilium.io', 'v2', 'ciliumloadbalancerippools'),
  calico: [findResource('crd.projectcalico.org', 'v1', 'ippools'), findResource('projectcalico.org', 'v3', 'ippools')],
  metallb: findResource('metallb.io', 'v1beta1', 'ipaddresspools'),
  kubeOvnSubnets: findResource('kubeovn.io', 'v1', 'subnets'),
};

type StepName = 'nodes' | 'deployments' | 'replicasets' | 'statefulsets' | 'cronjobs' | 'jobs' | 'daemonsets' | 'scheduler' | 'endpoints' | 'lb-ipam' | 'gc';
const STEPS: readonly StepName[] = ['nodes', 'deployments', 'replicasets', 'statefulsets', 'cronjobs', 'jobs', 'daemonsets', 'scheduler', 'endpoints', 'lb-ipam', 'gc'];
const OWNER_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'Job', 'DaemonSet', 'Service', 'Pod', 'Node']);
const OWNER_DEFS = RESOURCES.filter((d) => OWNER_KINDS.has(d.kind) && (d.group === '' || d.group === 'apps' || d.group === 'batch'));
const DEPENDENT_DEFS = [D.replicasets, D.pods, D.slices, D.endpoints, D.controllerrevisions];

/**
 * Which store changes make a pass run a step (the periodic resync runs every step). A change is
 * `gr` (any event of that group-resource) or `DELETED:gr` / `ADDED:gr`. Lease renewals (every node, every
 * 10 s) and Events trigger nothing: the node lifecycle judges staleness on the resync, in seconds against a
 * 50 s grace, and no controller reads Events. A change of a group-resource no step names runs every step.
 */
export const STEP_TRIGGERS: Readonly<Record<StepName, readonly string[]>> = {
  nodes: [GR.nodes],
  deployments: [GR.deployments, GR.replicasets],
  replicasets: [GR.replicasets, GR.pods],
  statefulsets: [GR.statefulsets, GR.pods, grOf(D.controllerrevisions)],
  cronjobs: [grOf(D.cronjobs), GR.jobs],
  jobs: [GR.jobs, GR.pods],
  daemonsets: [GR.daemonsets, GR.nodes, GR.pods, grOf(D.controllerrevisions)],
  scheduler: [GR.pods, GR.nodes],
  endpoints: [GR.services, GR.pods, GR.endpointslices, GR.endpoints],
  'lb-ipam': [GR.services, ...[POOLS.cilium, ...POOLS.calico, POOLS.metallb, POOLS.kubeOvnSubnets].flatMap((d) => (d ? [grOf(d)] : []))],
  // an owner gone, or a dependent made (perhaps naming an owner that is gone)
  gc: [...OWNER_DEFS.map((d) => `DELETED:${grOf(d)}`), ...DEPENDENT_DEFS.map((d) => `ADDED:${grOf(d)}`)],
};
const QUIET = new Set<string>([GR.leases, GR.events, 'events.events.k8s.io']);
const NAMED = new Set(Object.values(STEP_TRIGGERS).flat().map((t) => t.replace(/^(ADDED|DELETED):/, '')));

/** The store changes a StoreEvent stands for, as STEP_TRIGGERS names them; 'all' for a kind no step names. Pure. */
export function changesOf(ev: Pick<StoreEvent, 'type' | 'gr'>): string[] | 'all' {
  if (QUIET.has(ev.gr)) return [];
  if (!NAMED.has(ev.gr)) return 'all';
  return ev.type === 'MODIFIED' ? [ev.gr] : [ev.gr, `${ev.type}:${ev.gr}`];
}

/** The steps a pass runs for these changes. Pure. */
export function stepsFor(changes: ReadonlySet<string> | 'all'): StepName[] {
  if (changes === 'all') return [...STEPS];
  return STEPS.filter((s) => STEP_TRIGGERS[s].some((t) => changes.has(t)));
}

/**
 * Runs the controllers as level-triggered passes over the store: after a change (debounced) the
 * steps that read what changed (STEP_TRIGGERS), and every `resyncMs` all of them. Each step compares
 * desired with actual and writes only differences through the Registry, so passes converge and a
 * restart resumes.
 */
export class ControllerManager {
  private timer: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private cronTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running = false;
  /** What changed since the last pass began ('all': the resync, a failed step, a kind no step names). */
  private dirty: Set<string> | 'all' = 'all';
  /** Lists read during one pass: a step reads what an earlier step listed unless that kind changed since. */
  private readonly lists = new Map<string, K8sObject[]>();
  /** Per node: when this controller last saw its heartbeat change (node-lifecycle.ts). */
  private readonly probes = new Map<string, NodeProbe>();
  /** Pods added or changed since the scheduler last ran: without a Node change, only these can have become schedulable. */
  private readonly podsChanged = new Set<string>();
  private passChanges: ReadonlySet<string> | 'all' = 'all';
  /** Steps run, by name (tests, diagnostics). */
  readonly runs = new Map<StepName, number>();

  constructor(private readonly reg: Registry, private readonly opts: ControllerOptions = {}) {}

  private get subscribed(): boolean {
    return this.unsubscribe !== undefined;
  }

  start(): void {
    this.unsubscribe = this.reg.store.subscribe((ev) => this.changed(ev));
    this.resync = setInterval(() => this.kick('all'), this.opts.resyncMs ?? 5000);
    this.kick('all');
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.resync);
    clearTimeout(this.timer);
    clearTimeout(this.cronTimer);
  }

  private changed(ev: StoreEvent): void {
    if (ev.gr === GR.pods && ev.type !== 'DELETED') this.podsChanged.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    const c = changesOf(ev);
    if (c === 'all') this.kick('all');
    else if (c.length) this.kick(c);
  }

  private kick(changes: string[] | 'all'): void {
    if (changes === 'all') this.dirty = 'all';
    else if (this.dirty !== 'all') for (const c of changes) this.dirty.add(c);
    if (this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const changes = this.dirty;
      this.dirty = new Set();
      this.runPass(changes);
    }, 10);
  }

  /** One pass over the steps these changes ask for (stepsFor); all of them by default (tests). */
  runPass(changes: ReadonlySet<string> | 'all' = 'all'): void {
    this.running = true;
    this.passChanges = changes;
    this.lists.clear();
    // a step's own writes make the lists of that kind stale for the steps after it
    const forget = this.reg.store.subscribe((ev) => {
      for (const k of this.lists.keys()) if (k.startsWith(`${ev.gr}|`)) this.lists.delete(k);
    });
    const steps: Record<StepName, () => void> = {
      nodes: () => this.nodeLifecycle(),
      deployments: () => this.deployments(),
      replicasets: () => this.replicaSets(),
      statefulsets: () => this.statefulSets(),
      cronjobs: () => this.cronJobs(),
      jobs: () => this.jobs(),
      daemonsets: () => syncDaemonSets(this.reg, this.opts.log),
      scheduler: () => this.schedule(),
      endpoints: () => this.endpoints(),
      'lb-ipam': () => this.lbIpam(),
      gc: () => this.garbageCollect(),
    };
    let failed = false;
    try {
      for (const name of stepsFor(changes)) {
        this.runs.set(name, (this.runs.get(name) ?? 0) + 1);
        try {
          steps[name]();
        } catch (e) {
          if (!(e instanceof ApiError && (e.httpCode === 409 || e.httpCode === 404))) this.opts.log?.({ msg: 'controller error', controller: name, error: errorMessage(e) });
          failed = true;
        }
      }
    } finally {
      forget();
      this.running = false;
      this.lists.clear();
    }
    if (failed) this.dirty = 'all';
    if (this.dirty === 'all' || this.dirty.size) this.kick([]);
  }

  /**
   * The objects of a kind, listed once per pass while that kind does not change: the store's own, frozen
   * objects (listShared), so a step builds changed copies and never edits what it read.
   */
  private list(d: ResourceDef, ns?: string): K8sObject[] {
    const key = `${grOf(d)}|${ns ?? ''}`;
    let items = this.lists.get(key);
    if (!items) this.lists.set(key, (items = this.reg.store.listShared(grOf(d), ns).items));
    return items;
  }

  private setStatus(d: ResourceDef, o: K8sObject, status: Obj): void {
    if (same(o.status, status)) return;
    this.reg.update(d, o.metadata.namespace, o.metadata.name!, { ...o, status }, 'status');
  }

  private nodeLifecycle(): void {
    const now = Date.now();
    const nodes = this.list(D.nodes);
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const name of this.probes.keys()) if (!names.has(name)) this.probes.delete(name);
    for (const n of nodes) {
      const lease = this.reg.store.get(GR.leases, 'kube-node-lease', n.metadata.name!);
      const probe = observeNode(this.probes.get(n.metadata.name!), n, lease, now);
      this.probes.set(n.metadata.name!, probe);
      const c = nodeReadyDecision(n, probe, now, { graceMs: this.opts.nodeGraceMs, requireHeartbeats: this.opts.requireHeartbeats });
      if (!c) continue;
      const st = (n.status ?? {}) as Obj & { conditions?: Condition[] };
      this.setStatus(D.nodes, n, { ...st, conditions: withCondition(st.conditions ?? [], c) });
      this.opts.log?.({ msg: 'node ready condition', node: n.metadata.name, status: c.status, reason: c.reason });
    }
  }

  private deployments(): void {
    const allRs = this.list(D.replicasets);
    for (const dep of this.list(D.deployments)) {
      if (dep.metadata.deletionTimestamp) continue;
      const plan = planDeployment(dep, allRs.filter((rs) => ownedBy(rs, dep) && !rs.metadata.deletionTimestamp), nowIso(), Date.now());
      for (const a of plan.actions) {
        if (a.kind === 'create') this.reg.create(D.replicasets, dep.metadata.namespace, a.rs);
        else if (a.kind === 'delete') this.reg.delete(D.replicasets, a.rs.metadata.namespace, a.rs.metadata.name!);
        else this.reg.update(D.replicasets, a.rs.metadata.namespace, a.rs.metadata.name!, { ...a.rs, metadata: { ...a.rs.metadata, annotations: a.annotations }, spec: { ...(a.rs.spec as Obj), replicas: a.replicas } });
      }
      for (const e of plan.events) this.event(dep, e.type, e.reason, e.message, 'deployment-controller');
      let cur = dep;
      if (plan.annotations) cur = this.reg.update(D.deployments, dep.metadata.namespace, dep.metadata.name!, { ...dep, metadata: { ...dep.metadata, annotations: plan.annotations } });
      this.setStatus(D.deployments, cur, plan.status);
    }
  }

  private statefulSets(): void {
    const pods = this.list(D.pods);
    for (const sts of this.list(D.statefulsets)) {
      if (sts.metadata.deletionTimestamp) continue;
      const plan = planStatefulSet(sts, pods.filter((p) => ownedBy(p, sts)));
      const rev = updateRevision(sts);
      syncHistory(this.reg, sts, rev, rev, pods.filter((p) => ownedBy(p, sts))); // ControllerRevisions (history.ts)
      for (const p of plan.create) {
        this.reg.create(D.pods, sts.metadata.namespace, p);
        this.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`, 'statefulset-controller');
      }
      for (const p of plan.remove) {
        this.reg.delete(D.pods, p.metadata.namespace, p.metadata.name!);
        this.event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`, 'statefulset-controller');
      }
      this.setStatus(D.statefulsets, sts, plan.status);
    }
  }

  private jobs(): void {
    const pods = this.list(D.pods);
    for (const job of this.list(D.jobs)) {
      if (job.metadata.deletionTimestamp) continue;
      const plan = planJob(job, pods.filter((p) => ownedBy(p, job)), nowIso());
      if (plan.expired) {
        this.reg.delete(D.jobs, job.metadata.namespace, job.metadata.name!);
        continue;
      }
      for (let i = 0; i < plan.create; i++) {
        const p = this.reg.create(D.pods, job.metadata.namespace, jobPod(job, randomSuffix(), plan.indexes?.[i]));
        this.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, 'job-controller');
      }
      for (const p of plan.remove) {
        this.reg.delete(D.pods, p.metadata.namespace, p.metadata.name!);
        this.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'job-controller');
      }
      for (const e of plan.events) this.event(job, e.type, e.reason, e.message, 'job-controller');
      this.setStatus(D.jobs, job, plan.status);
    }
  }

  /** CronJobs (cronjob.ts decides); a timer wakes the pass at the next schedule time, finer than the resync. */
  private cronJobs(): void {
    const cjs = this.list(D.cronjobs);
    if (!cjs.length) return;
    const jobs = this.list(D.jobs);
    const now = Date.now();
    let wake: number | undefined;
    for (const cj of cjs) {
      const plan = planCronJob(cj, jobs.filter((j) => ownedBy(j, cj)), now);
      for (const j of plan.remove) this.reg.delete(D.jobs, j.metadata.namespace, j.metadata.name!);
      let status = plan.status;
      if (plan.create) {
        const j = this.reg.create(D.jobs, cj.metadata.namespace, plan.create);
        status = { ...status, active: [...((status.active as unknown[]) ?? []), jobRef(j)] };
      }
      for (const e of plan.events) this.event(cj, e.type, e.reason, e.message, 'cronjob-controller');
      this.setStatus(D.cronjobs, cj, status);
      if (plan.nextMs !== undefined) wake = Math.min(wake ?? Infinity, plan.nextMs);
    }
    if (wake !== undefined) {
      clearTimeout(this.cronTimer);
      this.cronTimer = setTimeout(() => this.kick([grOf(D.cronjobs)]), Math.max(0, wake - Date.now()) + 50);
      this.cronTimer.unref();
    }
  }

  private replicaSets(): void {
    const pods = this.list(D.pods);
    for (const rs of this.list(D.replicasets)) {
      if (rs.metadata.deletionTimestamp) continue;
      const mine = pods.filter((p) => ownedBy(p, rs));
      const plan = planReplicaSet(rs, mine);
      for (let i = 0; i < plan.create; i++) {
        const p = this.reg.create(D.pods, rs.metadata.namespace, podFromTemplate(rs, randomSuffix()));
        mine.push(p);
        this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, 'replicaset-controller');
      }
      for (const p of plan.remove) {
        this.reg.delete(D.pods, p.metadata.namespace, p.metadata.name!);
        this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
      }
      const left = mine.filter((p) => !plan.remove.includes(p));
      this.setStatus(D.replicasets, rs, replicaSetStatus(rs, left));
    }
  }

  /**
   * Binds pending pods. Without a Node change since the last pass (and outside the resync), only the pods
   * added or changed since can have become schedulable: 2,000 Pending pods were otherwise each fitted
   * against every node again on every pod change.
   */
  private schedule(): void {
    const all = this.passChanges === 'all' || this.passChanges.has(GR.nodes) || !this.subscribed;
    const changed = new Set(this.podsChanged);
    this.podsChanged.clear();
    const nodes = this.list(D.nodes);
    const pods = this.list(D.pods);
    const perNode = new Map<string, number>();
    for (const p of pods) {
      const n = (p.spec as { nodeName?: string }).nodeName;
      if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    }
    for (const p of pods) {
      const spec = p.spec as { nodeName?: string; schedulerName?: string };
      if (spec.nodeName || p.metadata.deletionTimestamp || (spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') continue;
      if (!all && !changed.has(`${p.metadata.namespace}/${p.metadata.name}`)) continue;
      const r = pickNode(p, nodes, perNode);
      const st = (p.status ?? {}) as Obj & { conditions?: Condition[] };
      if ('node' in r) {
        const bound = this.reg.update(D.pods, p.metadata.namespace, p.metadata.name!, { ...p, spec: { ...spec, nodeName: r.node } });
        perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
        this.setStatus(D.pods, bound, { ...st, conditions: withCondition(st.conditions ?? [], { type: 'PodScheduled', status: 'True', lastProbeTime: null }) });
        this.opts.log?.({ msg: 'scheduled', pod: `${p.metadata.namespace}/${p.metadata.name}`, node: r.node });
        this.event(p, 'Normal', 'Scheduled', `Successfully assigned ${p.metadata.namespace}/${p.metadata.name} to ${r.node}`);
      } else {
        const prev = (st.conditions ?? []).find((c) => c.type === 'PodScheduled');
        if (prev?.status === 'False' && prev.message === r.reason) continue;
        this.event(p, 'Warning', 'FailedScheduling', r.reason);
        this.setStatus(D.pods, p, { ...st, phase: st.phase ?? 'Pending', conditions: withCondition(st.conditions ?? [], { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: r.reason, lastProbeTime: null }) });
      }
    }
  }

  /** An Event about an object (controllers/events.ts), from the scheduler unless `component` says; a failed write is only logged. */
  private event(p: K8sObject, type: 'Normal' | 'Warning', reason: string, message: string, component = 'default-scheduler'): void {
    const now = new Date();
    const ns = p.metadata.namespace ?? 'default';
    try {
      this.reg.create(D.events, ns, buildEvent({ type, reason, message, component, object: { kind: p.kind, apiVersion: p.apiVersion, name: p.metadata.name!, namespace: ns, ...(p.metadata.uid ? { uid: p.metadata.uid } : {}) } }, now, eventSuffix(now)));
    } catch (e) {
      this.opts.log?.({ level: 'warn', msg: 'event not recorded', reason, error: errorMessage(e) });
    }
  }

  private upsert(d: ResourceDef, want: K8sObject, fields: string[]): void {
    const cur = this.reg.store.get(grOf(d), want.metadata.namespace, want.metadata.name!);
    if (!cur) return void this.reg.create(d, want.metadata.namespace, want);
    const changed = fields.some((f) => !same(cur[f], want[f])) || !same(cur.metadata.labels, want.metadata.labels);
    if (changed) this.reg.update(d, cur.metadata.namespace, cur.metadata.name!, { ...cur, ...Object.fromEntries(fields.map((f) => [f, want[f]])), metadata: { ...cur.metadata, labels: want.metadata.labels } });
  }

  private endpoints(): void {
    const pods = this.list(D.pods);
    for (const svc of this.list(D.services)) {
      const sel = (svc.spec as { selector?: Record<string, string> }).selector;
      if (!sel || !Object.keys(sel).length) continue;
      const want = buildEndpointSlices(svc, pods);
      for (const sl of want) this.upsert(D.slices, sl, ['addressType', 'endpoints', 'ports']);
      this.upsert(D.endpoints, buildEndpoints(svc, pods), ['subsets']);
      // Slices left from an older incarnation of the service (different uid) or of a family it no longer has go.
      const names = new Set(want.map((sl) => sl.metadata.name));
      for (const s of this.list(D.slices, svc.metadata.namespace))
        if (s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name && s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io' && !names.has(s.metadata.name))
          this.reg.delete(D.slices, s.metadata.namespace, s.metadata.name!);
    }
  }

  /** status.loadBalancer.ingress of LoadBalancer services from whichever LB pools exist. */
  private lbIpam(): void {
    const opt = (d: ResourceDef | undefined) => (d ? this.list(d) : []);
    const calico = POOLS.calico.flatMap((d, i) => (d && POOLS.calico.indexOf(d) === i ? this.list(d) : []));
    const pools = lbPools(opt(POOLS.cilium), calico, opt(POOLS.metallb));
    const services = this.list(D.services);
    // Kube-OVN lb-svc services (ovn.kubernetes.io/attachmentprovider) take their address from the attachment Subnet only.
    const kubeOvn = planKubeOvnLb(services, opt(POOLS.kubeOvnSubnets));
    // No LB IPAM in this cluster: leave LoadBalancer status to whoever sets it (another controller, a user).
    if (pools.length === 0 && kubeOvn.size === 0) return;
    const keyOf = (s: K8sObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
    const plan = pools.length ? planLbIpam(services.filter((s) => !kubeOvn.has(keyOf(s))), pools) : new Map<string, LbDecision>();
    for (const [k, d] of kubeOvn) plan.set(k, d);
    for (const s of services) {
      const d = plan.get(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`);
      if (!d) continue;
      const ips = 'ips' in d ? d.ips : [];
      if (same(currentIngress(s), ips)) continue;
      const st = (s.status ?? {}) as Obj;
      this.setStatus(D.services, s, { ...st, loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} });
      this.opts.log?.({ msg: 'ips' in d ? 'lb-ipam assigned' : 'lb-ipam pending', service: `${s.metadata.namespace}/${s.metadata.name}`, ...('ips' in d ? { ips } : { reason: d.error }) });
    }
  }

  /** Deletes objects whose controller owner (of a kind we serve) is gone. */
  private garbageCollect(): void {
    const uids = new Set<string>();
    for (const d of OWNER_DEFS) for (const o of this.list(d)) uids.add(o.metadata.uid!);
    for (const d of DEPENDENT_DEFS) {
      for (const o of this.list(d)) {
        const refs = o.metadata.ownerReferences ?? [];
        if (!refs.length || !refs.every((r) => OWNER_KINDS.has(r.kind))) continue;
        if (refs.some((r) => uids.has(r.uid))) continue;
        this.reg.delete(d, o.metadata.namespace, o.metadata.name!);
        this.opts.log?.({ msg: 'garbage collected', kind: o.kind, name: `${o.metadata.namespace}/${o.metadata.name}` });
      }
    }
  }
}
