import type { K8sObject } from '../store/types.js';
import { getCondition, type Condition } from './util.js';

export const NODE_GRACE_MS = 40_000;

/**
 * The Ready condition a node should have now, or undefined to leave it. A node agent
 * heartbeats by renewing its Lease (kube-node-lease/<node>) or by posting Ready with a
 * fresh lastHeartbeatTime. Nodes registered by the cluster bootstrap count as Ready until
 * their first heartbeat, unless `requireHeartbeats` (then: NotReady after the grace period
 * from creation). Heartbeats older than the grace period → Ready Unknown (NotReady).
 */
export function nodeReadyDecision(node: K8sObject, lease: K8sObject | undefined, now: number, opts: { graceMs?: number; requireHeartbeats?: boolean } = {}): Condition | undefined {
  const grace = opts.graceMs ?? NODE_GRACE_MS;
  const ready = getCondition(node, 'Ready');
  const renew = (lease?.spec as { renewTime?: string } | undefined)?.renewTime;
  const bootstrap = ready?.reason === 'KindlabBootstrap';
  const times = [renew, bootstrap ? undefined : ready?.lastHeartbeatTime].filter((t): t is string => !!t).map((t) => Date.parse(t));
  const last = times.length ? Math.max(...times) : undefined;
  if (last === undefined) {
    if (!opts.requireHeartbeats) return undefined;
    const created = Date.parse(node.metadata.creationTimestamp ?? new Date(now).toISOString());
    if (now - created < grace || ready?.status === 'Unknown') return undefined;
    return { type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' };
  }
  if (now - last > grace) {
    if (ready?.status === 'Unknown') return undefined;
    return { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', ...(ready?.lastHeartbeatTime ? { lastHeartbeatTime: ready.lastHeartbeatTime } : {}) };
  }
  if (ready?.status === 'Unknown' && renew && Date.parse(renew) === last) {
    // Lease renewed after an Unknown period: the agent is back.
    return { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'node agent is posting ready status', lastHeartbeatTime: renew };
  }
  return undefined;
}
