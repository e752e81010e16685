import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { LEASES, NODES } from '../client/resources.js';
import type { Condition, Lease, Node } from '../client/types.js';
import type { Logger } from './sys.js';
import { errorMessage } from '../../errors.js';

const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The node status a kubelet posts: Ready (and the pressure conditions), addresses. Pure. */
export function nodeStatusPatch(o: { nodeName: string; nodeIPs: string[]; prev?: Condition[]; now: string; ready: boolean; message?: string }): { status: { conditions: Condition[]; addresses: Array<{ type: string; address: string }> } } {
  const cond = (type: string, status: Condition['status'], reason: string, message: string): Condition => {
    const old = o.prev?.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: o.now, lastTransitionTime: old && old.status === status && old.reason !== 'KindlabBootstrap' ? (old.lastTransitionTime ?? o.now) : o.now };
  };
  return {
    status: {
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('NetworkUnavailable', 'False', 'RouteCreated', 'pod bridge and routes are set up by the kindlab node daemon'),
        o.ready ? cond('Ready', 'True', 'KubeletReady', 'kindlab node daemon is posting ready status') : cond('Ready', 'False', 'KubeletNotReady', o.message ?? 'node daemon is starting'),
      ],
      addresses: [
        ...o.nodeIPs.map((address) => ({ type: 'InternalIP', address })),
        { type: 'Hostname', address: o.nodeName },
      ],
    },
  };
}

/** The kubelet's nodeStatusReportFrequency: an unchanged node status is posted this often, the Lease is the heartbeat in between. */
export const NODE_STATUS_REPORT_MS = 300_000;

/**
 * Whether a heartbeat posts the node status or only renews the Lease (as the kubelet does): when the
 * status on the server differs from the one the daemon would post (Ready, its reason, the addresses,
 * a condition missing), and at least every `reportMs`. A status post is a Node MODIFIED event for every
 * watcher of Nodes (each node's daemon and agent): posting all of them every 10 s cost the API server
 * N² events at 100 nodes. Pure.
 */
export function statusPostDue(node: Node, want: ReturnType<typeof nodeStatusPatch>, lastPostAt: number | undefined, now: number, reportMs = NODE_STATUS_REPORT_MS): boolean {
  if (lastPostAt === undefined || now - lastPostAt >= reportMs) return true;
  const have = node.status?.conditions ?? [];
  for (const c of want.status.conditions) {
    const h = have.find((x) => x.type === c.type);
    if (!h || h.status !== c.status || h.reason !== c.reason) return true;
  }
  const addr = (a: Array<{ type: string; address: string }> | undefined) => JSON.stringify(a ?? []);
  return addr(node.status?.addresses) !== addr(want.status.addresses);
}

/**
 * Every `intervalMs`: reads the Node, posts its status when due (statusPostDue) and renews the
 * node's Lease in kube-node-lease, which the node lifecycle controller watches.
 */
export class NodeHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private postedAt: number | undefined;
  ready = true;

  constructor(private readonly client: KubeClient, private readonly o: { nodeName: string; nodeIPs: string[]; intervalMs: number; statusReportMs?: number; log: Logger }) {}

  start(): Promise<void> {
    this.timer = setInterval(() => void this.beat(), this.o.intervalMs);
    return this.beat();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One heartbeat at a time: when the API server is slow, overlapping beats would only add to its queue. */
  beat(): Promise<void> {
    this.inFlight ??= this.post().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async post(): Promise<void> {
    try {
      const node = await this.client.get(NODES, this.o.nodeName);
      const want = nodeStatusPatch({ nodeName: this.o.nodeName, nodeIPs: this.o.nodeIPs, prev: node.status?.conditions, now: nowIso(), ready: this.ready });
      if (statusPostDue(node, want, this.postedAt, Date.now(), this.o.statusReportMs)) {
        await this.client.patchStatus(NODES, this.o.nodeName, want);
        this.postedAt = Date.now();
      }
      await this.renewLease();
    } catch (e) {
      this.o.log({ level: 'warn', msg: 'node heartbeat failed', node: this.o.nodeName, error: errorMessage(e) });
    }
  }

  private async renewLease(): Promise<void> {
    const renewTime = new Date().toISOString().replace(/Z$/, '000Z');
    try {
      await this.client.patch(LEASES, this.o.nodeName, { spec: { holderIdentity: this.o.nodeName, renewTime } }, { namespace: 'kube-node-lease' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const lease: Lease = { metadata: { name: this.o.nodeName, namespace: 'kube-node-lease' }, spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: 40, renewTime } };
      await this.client.create(LEASES, lease);
    }
  }
}

/** Registers the Node when the API does not have it yet (the bootstrap usually does). */
export async function ensureNodeRegistered(client: KubeClient, nodeName: string, nodeIPFlag: string | undefined): Promise<Node> {
  const nodeIPs = (nodeIPFlag ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  try {
    return await client.get(NODES, nodeName);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const node: Node = { metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } }, spec: {}, status: { addresses: [...nodeIPs.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: nodeName }] } };
    return client.create(NODES, node);
  }
}
