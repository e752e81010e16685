import type { K8sObject } from '../store/types.js';
import { getCondition, type Condition } from './util.js';

/**
 * Kubernetes' node-monitor-grace-period (kube-controller-manager's default since 1.29; 40 s before):
 * how long a node that has heartbeated may go unheard before its Ready turns Unknown.
 */
export const NODE_GRACE_MS = 50_000;
/** Kubernetes' node-startup-grace-period: how long a registered node may go without ever heartbeating. */
export const NODE_STARTUP_GRACE_MS = 60_000;

/** The reason of the Ready condition the cluster bootstrap registers a Node with (its daemon has not posted yet). */
export const BOOTSTRAP_REASON = 'KindlabBootstrap';

/**
 * When the controller last saw a node's heartbeat change, by its own clock (as Kubernetes'
 * probeTimestamp). The times written in the Lease and the Ready condition are the node's: under load
 * a renewal can reach the store long after the node stamped it, and judging by that stamp would
 * mark a node Unknown whose heartbeats are merely slow.
 */
export interface NodeProbe {
  /** The heartbeat as last seen: the Lease's renewTime and the daemon's Ready lastHeartbeatTime. */
  stamp: string;
  /** Controller time (ms) the stamp was first seen; the first sight of a node counts as a probe. */
  seenAt: number;
  /** The stamp changed through the Lease (the node is back even if it posts no status). */
  byLease: boolean;
}

/** The node's heartbeat as written by its daemon ('' before its first one): the bootstrap's registration is none. */
export function heartbeatStamp(node: K8sObject, lease: K8sObject | undefined): string {
  const renew = (lease?.spec as { renewTime?: string } | undefined)?.renewTime ?? '';
  const ready = getCondition(node, 'Ready');
  const beat = ready && ready.reason !== BOOTSTRAP_REASON ? (ready.lastHeartbeatTime ?? '') : '';
  return renew || beat ? `${renew}|${beat}` : '';
}

/** The probe after looking at the node now: unchanged while the heartbeat is, else seen now. Pure. */
export function observeNode(prev: NodeProbe | undefined, node: K8sObject, lease: K8sObject | undefined, now: number): NodeProbe {
  const stamp = heartbeatStamp(node, lease);
  if (prev && prev.stamp === stamp) return prev;
  const renew = (s: string) => s.split('|')[0];
  return { stamp, seenAt: now, byLease: !!prev && stamp !== '' && renew(stamp) !== renew(prev.stamp) };
}

/**
 * The Ready condition a node should have now, or undefined to leave it. A node daemon heartbeats by
 * renewing its Lease (kube-node-lease/<node>) or by posting Ready with a fresh lastHeartbeatTime;
 * only the daemon ever sets Ready True, except that a Lease renewed after the controller marked the
 * node Unknown brings it back. Without `requireHeartbeats` (an API server with no node daemons) nodes
 * that never heartbeated are left as registered. Judged by `probe` (when this controller saw the
 * heartbeat change), never by the node's own timestamps.
 */
export function nodeReadyDecision(node: K8sObject, probe: NodeProbe, now: number, opts: { graceMs?: number; startupGraceMs?: number; requireHeartbeats?: boolean } = {}): Condition | undefined {
  const ready = getCondition(node, 'Ready');
  if (probe.stamp === '') {
    if (!opts.requireHeartbeats || now - probe.seenAt <= (opts.startupGraceMs ?? NODE_STARTUP_GRACE_MS) || ready?.reason === 'NodeStatusNeverUpdated') return undefined;
    return { type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' };
  }
  if (now - probe.seenAt > (opts.graceMs ?? NODE_GRACE_MS)) {
    if (ready?.status === 'Unknown') return undefined;
    return { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', ...(ready?.lastHeartbeatTime ? { lastHeartbeatTime: ready.lastHeartbeatTime } : {}) };
  }
  const markedAt = Date.parse(ready?.lastTransitionTime ?? '');
  if (ready?.status === 'Unknown' && ready.reason !== BOOTSTRAP_REASON && probe.byLease && !(probe.seenAt < markedAt)) {
    const renew = probe.stamp.split('|')[0];
    return { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'node agent is posting ready status', ...(renew ? { lastHeartbeatTime: renew } : {}) };
  }
  return undefined;
}
