import type { Condition, ContainerStatus, Pod, PodStatus } from '../client/types.js';
import type { ContainerRunState, RestartPolicy } from './container-process.js';

/** What the daemon knows about one container when it reports. */
export interface ContainerReport {
  name: string;
  image: string;
  /** undefined while the pod network or the workload is not set up yet. */
  run?: ContainerRunState;
  ready: boolean;
  /** The startup probe passed (undefined: running is started). */
  started?: boolean;
  /** Said in the pod's status message (a project's BGP image run as kindlab's agent). */
  note?: string;
  /** Set when the container cannot run at all (ErrImageNeverPull). */
  unavailable?: { reason: string; message: string };
  /** A real-image container's ids (`docker://…`); stand-ins get kindlab:// ones. */
  containerID?: string;
  imageID?: string;
}

export interface PodReport {
  pod: Pod;
  /** The node's addresses, primary first. */
  hostIPs: string[];
  /** The pod's addresses, primary first; empty while its network is not set up. */
  podIPs: string[];
  startTime: string;
  containers: ContainerReport[];
  /** A pod-level failure (network setup). */
  error?: string;
  /** Why containers run stand-ins instead of their images (status message, no reason). */
  notice?: string;
  now: string;
}

const stateOf = (c: ContainerReport): ContainerStatus['state'] => {
  if (c.unavailable) return { waiting: { reason: c.unavailable.reason, message: c.unavailable.message } };
  const r = c.run;
  if (!r || r.state === 'waiting') return { waiting: { reason: r?.reason ?? 'ContainerCreating', ...(r?.message ? { message: r.message } : {}) } };
  if (r.state === 'running') return { running: { startedAt: r.startedAt } };
  return { terminated: { exitCode: r.exitCode, reason: r.reason, startedAt: r.startedAt, finishedAt: r.finishedAt, containerID: `kindlab://${c.name}` } };
};

function phaseOf(report: PodReport, policy: RestartPolicy): NonNullable<PodStatus['phase']> {
  const cs = report.containers;
  if (report.podIPs.length === 0 || cs.some((c) => c.unavailable || !c.run)) return 'Pending';
  if (cs.every((c) => c.run!.state === 'terminated')) {
    const allOk = cs.every((c) => c.run!.exitCode === 0);
    if (policy === 'Never' || (policy === 'OnFailure' && allOk)) return allOk ? 'Succeeded' : 'Failed';
  }
  if (cs.some((c) => c.run!.state === 'running' || c.run!.restartCount > 0)) return 'Running';
  return 'Pending';
}

/** Sets a condition, keeping its lastTransitionTime while the status stays the same. */
function cond(prev: Condition[] | undefined, type: string, ok: boolean, now: string, reason?: string): Condition {
  const old = prev?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  return { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? (old.lastTransitionTime ?? now) : now, ...(reason && !ok ? { reason } : {}) };
}

/** The pod status a kubelet would post for this report. Pure. */
export function buildPodStatus(r: PodReport): PodStatus {
  const policy = (r.pod.spec.restartPolicy ?? 'Always') as RestartPolicy;
  const prev = r.pod.status?.conditions;
  const phase = phaseOf(r, policy);
  const allReady = r.containers.length > 0 && r.containers.every((c) => c.ready);
  const notReady = r.containers.filter((c) => !c.ready).map((c) => c.name);
  const statuses: ContainerStatus[] = r.containers.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: c.imageID ?? `kindlab://node-image/${c.image}`,
    ...(c.run?.state === 'running' ? { containerID: c.containerID ?? `kindlab://${r.pod.metadata.uid ?? ''}/${c.name}` } : {}),
    ready: c.ready,
    started: c.run?.state === 'running' && c.started !== false,
    restartCount: c.run?.restartCount ?? 0,
    state: stateOf(c),
    ...(c.run?.last ? { lastState: { terminated: { exitCode: c.run.last.exitCode, reason: c.run.last.reason, startedAt: c.run.last.startedAt, finishedAt: c.run.last.finishedAt } } } : {}),
  }));
  const ready = allReady && phase === 'Running';
  return {
    phase,
    conditions: [
      cond(prev, 'PodReadyToStartContainers', r.podIPs.length > 0, r.now),
      cond(prev, 'Initialized', true, r.now),
      cond(prev, 'Ready', ready, r.now, 'ContainersNotReady'),
      cond(prev, 'ContainersReady', ready, r.now, 'ContainersNotReady'),
      cond(prev, 'PodScheduled', true, r.now),
    ].map((c) => (c.reason === 'ContainersNotReady' ? { ...c, message: `containers with unready status: [${notReady.join(' ')}]` } : c)),
    ...(r.hostIPs.length ? { hostIP: r.hostIPs[0], hostIPs: r.hostIPs.map((ip) => ({ ip })) } : {}),
    ...(r.podIPs.length ? { podIP: r.podIPs[0], podIPs: r.podIPs.map((ip) => ({ ip })) } : {}),
    startTime: r.startTime,
    containerStatuses: statuses,
    ...(r.error ? { message: r.error, reason: 'NetworkSetupFailed' } : r.notice ? { message: [r.notice, notes(r.containers).message].filter(Boolean).join('\n') } : notes(r.containers)),
  };
}

function notes(cs: ContainerReport[]): { message?: string } {
  const n = cs.flatMap((c) => (c.note ? [c.note] : []));
  return n.length ? { message: n.join('\n') } : {};
}

/** Status equality ignoring times that change without news (probe times). */
export function sameStatus(a: PodStatus | undefined, b: PodStatus): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b);
}
