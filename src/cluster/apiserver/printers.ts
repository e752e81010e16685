import type { K8sObject } from '../store/types.js';
import { age } from './age.js';

/** One Table column; priority 1 columns appear only with `-o wide`. */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number';
  priority?: number;
  cell: (o: K8sObject) => string | number;
}

type Obj = Record<string, unknown>;
const spec = (o: K8sObject) => (o.spec ?? {}) as Obj;
const status = (o: K8sObject) => (o.status ?? {}) as Obj;
const arr = <T = Obj>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const none = (s: string | undefined) => (s ? s : '<none>');

const NAME: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata.name ?? '' };
const AGE: Column = { name: 'Age', type: 'string', cell: (o) => age(o.metadata.creationTimestamp) };

/** kubectl 1.32's job STATUS column: the finishing condition, else Suspended or Running. */
function jobStatus(o: K8sObject): string {
  const conds = arr<{ type?: string; status?: string }>(status(o).conditions);
  for (const t of ['Complete', 'Failed', 'FailureTarget', 'SuccessCriteriaMet', 'Suspended']) if (conds.some((c) => c.type === t && c.status === 'True')) return t;
  return 'Running';
}

function podStatus(o: K8sObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const st = status(o);
  for (const cs of arr(st.containerStatuses)) {
    const w = (cs.state as Obj | undefined)?.waiting as Obj | undefined;
    if (w?.reason) return String(w.reason);
    const t = (cs.state as Obj | undefined)?.terminated as Obj | undefined;
    if (t?.reason) return String(t.reason);
  }
  return String(st.reason ?? st.phase ?? 'Pending');
}

function podReady(o: K8sObject): string {
  const total = arr(spec(o).containers).length;
  const ready = arr(status(o).containerStatuses).filter((c) => c.ready).length;
  return `${ready}/${total}`;
}

function nodeStatus(o: K8sObject): string {
  const ready = arr(status(o).conditions).find((c) => c.type === 'Ready');
  const s = ready?.status === 'True' ? 'Ready' : 'NotReady';
  return spec(o).unschedulable ? `${s},SchedulingDisabled` : s;
}

function nodeRoles(o: K8sObject): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

function nodeAddr(o: K8sObject, type: string): string {
  return none(arr(status(o).addresses).find((a) => a.type === type)?.address as string | undefined);
}

function nodeInfo(o: K8sObject, k: string): string {
  return none(((status(o).nodeInfo ?? {}) as Obj)[k] as string | undefined);
}

function svcExternalIP(o: K8sObject): string {
  const s = spec(o);
  const lb = arr(((status(o).loadBalancer ?? {}) as Obj).ingress).map((i) => String(i.ip ?? i.hostname ?? ''));
  const ext = [...arr<string>(s.externalIPs), ...lb];
  if (s.type === 'ExternalName') return String(s.externalName ?? '<none>');
  if (ext.length) return ext.join(',');
  return s.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function svcPorts(o: K8sObject): string {
  const ps = arr(spec(o).ports).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`);
  return ps.length ? ps.join(',') : '<none>';
}

function selectorText(sel: unknown): string {
  const m = (sel ?? {}) as Record<string, string>;
  const parts = Object.entries(m).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : '<none>';
}

const containersOf = (o: K8sObject) => arr(((spec(o).template ?? {}) as Obj).spec ? (((spec(o).template as Obj).spec as Obj).containers) : []);

const PRINTERS: Record<string, Column[]> = {
  Pod: [
    NAME,
    { name: 'Ready', type: 'string', cell: podReady },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'string', cell: (o) => String(arr(status(o).containerStatuses).reduce((a, c) => a + Number(c.restartCount ?? 0), 0)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => none(status(o).podIP as string | undefined) },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => none(spec(o).nodeName as string | undefined) },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: (o) => none(status(o).nominatedNodeName as string | undefined) },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: (o) => (arr(spec(o).readinessGates).length ? String(arr(spec(o).readinessGates).length) : '<none>') },
  ],
  Node: [
    NAME,
    { name: 'Status', type: 'string', cell: nodeStatus },
    { name: 'Roles', type: 'string', cell: nodeRoles },
    AGE,
    { name: 'Version', type: 'string', cell: (o) => nodeInfo(o, 'kubeletVersion') },
    { name: 'Internal-IP', type: 'string', priority: 1, cell: (o) => nodeAddr(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, cell: (o) => nodeAddr(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, cell: (o) => nodeInfo(o, 'osImage') },
    { name: 'Kernel-Version', type: 'string', priority: 1, cell: (o) => nodeInfo(o, 'kernelVersion') },
    { name: 'Container-Runtime', type: 'string', priority: 1, cell: (o) => nodeInfo(o, 'containerRuntimeVersion') },
  ],
  Service: [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => String(spec(o).type ?? 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => none(spec(o).clusterIP as string | undefined) },
    { name: 'External-IP', type: 'string', cell: svcExternalIP },
    { name: 'Port(s)', type: 'string', cell: svcPorts },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(spec(o).selector) },
  ],
  Deployment: [
    NAME,
    { name: 'Ready', type: 'string', cell: (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => Number(status(o).updatedReplicas ?? 0) },
    { name: 'Available', type: 'integer', cell: (o) => Number(status(o).availableReplicas ?? 0) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.image).join(',') },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(((spec(o).selector ?? {}) as Obj).matchLabels) },
  ],
  DaemonSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => Number(status(o).desiredNumberScheduled ?? 0) },
    { name: 'Current', type: 'integer', cell: (o) => Number(status(o).currentNumberScheduled ?? 0) },
    { name: 'Ready', type: 'integer', cell: (o) => Number(status(o).numberReady ?? 0) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => Number(status(o).updatedNumberScheduled ?? 0) },
    { name: 'Available', type: 'integer', cell: (o) => Number(status(o).numberAvailable ?? 0) },
    { name: 'Node Selector', type: 'string', cell: (o) => selectorText(((spec(o).template ?? {}) as { spec?: Obj }).spec?.nodeSelector) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.image).join(',') },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(((spec(o).selector ?? {}) as Obj).matchLabels) },
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => Number(spec(o).replicas ?? 0) },
    { name: 'Current', type: 'integer', cell: (o) => Number(status(o).replicas ?? 0) },
    { name: 'Ready', type: 'integer', cell: (o) => Number(status(o).readyReplicas ?? 0) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.image).join(',') },
  ],
  StatefulSet: [
    NAME,
    { name: 'Ready', type: 'string', cell: (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 0}` },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.image).join(',') },
  ],
  Job: [
    NAME,
    { name: 'Status', type: 'string', cell: jobStatus },
    { name: 'Completions', type: 'string', cell: (o) => `${status(o).succeeded ?? 0}/${spec(o).completions ?? 1}` },
    { name: 'Duration', type: 'string', cell: (o) => (status(o).startTime ? age(status(o).startTime as string, status(o).completionTime ? Date.parse(status(o).completionTime as string) : undefined) : '') },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => c.image).join(',') },
  ],
  Namespace: [NAME, { name: 'Status', type: 'string', cell: (o) => String(status(o).phase ?? 'Active') }, AGE],
  EndpointSlice: [
    NAME,
    { name: 'AddressType', type: 'string', cell: (o) => String((o as Obj).addressType ?? '') },
    { name: 'Ports', type: 'string', cell: (o) => arr((o as Obj).ports).map((p) => p.port).join(',') || '<unset>' },
    { name: 'Endpoints', type: 'string', cell: (o) => arr((o as Obj).endpoints).flatMap((e) => arr<string>(e.addresses)).join(',') || '<unset>' },
    AGE,
  ],
  Endpoints: [
    NAME,
    {
      name: 'Endpoints',
      type: 'string',
      cell: (o) => arr((o as Obj).subsets).flatMap((s) => arr(s.addresses).flatMap((a) => (arr(s.ports).length ? arr(s.ports).map((p) => `${a.ip}:${p.port}`) : [String(a.ip)]))).join(',') || '<none>',
    },
    AGE,
  ],
  ConfigMap: [NAME, { name: 'Data', type: 'integer', cell: (o) => Object.keys(((o as Obj).data ?? {}) as Obj).length + Object.keys(((o as Obj).binaryData ?? {}) as Obj).length }, AGE],
  Secret: [NAME, { name: 'Type', type: 'string', cell: (o) => String((o as Obj).type ?? 'Opaque') }, { name: 'Data', type: 'integer', cell: (o) => Object.keys(((o as Obj).data ?? {}) as Obj).length }, AGE],
  Event: [
    { name: 'Last Seen', type: 'string', cell: (o) => age(((o as Obj).lastTimestamp as string) ?? ((o as Obj).eventTime as string) ?? o.metadata.creationTimestamp) },
    { name: 'Type', type: 'string', cell: (o) => String((o as Obj).type ?? '') },
    { name: 'Reason', type: 'string', cell: (o) => String((o as Obj).reason ?? '') },
    { name: 'Object', type: 'string', cell: (o) => { const io = ((o as Obj).involvedObject ?? {}) as Obj; return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`; } },
    { name: 'Message', type: 'string', cell: (o) => String((o as Obj).message ?? '') },
  ],
};

export function columnsFor(kind: string): Column[] {
  return PRINTERS[kind] ?? [NAME, AGE];
}
