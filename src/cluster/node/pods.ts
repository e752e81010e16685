import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import type { Change } from '../client/informer.js';
import { PODS } from '../client/resources.js';
import type { ContainerStatus, Pod } from '../client/types.js';
import { killStale, type ContainerProcess } from './container-process.js';
import { listPodNetns, teardownPodNetwork } from './podnet.js';
import { netnsName } from './podnet-plan.js';
import { containerEvents, killingEvents, type EventRecorder } from './pod-events.js';
import { buildPodStatus, sameStatus } from './pod-status.js';
import { podDirName, PodRuntime, type NodeNet, type RealPods } from './pod-runtime.js';
import type { Logger } from './sys.js';
import type { ProjectAgentContext } from './project-agent.js';
import { stopSupervisedAgent } from './agent-takeover.js';
import { errorMessage } from '../../errors.js';

const keyOf = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The pods bound to this node, realized one at a time per pod (a queue per
 * namespace/name): create on ADDED, tear down on DELETED or a deletionTimestamp (then
 * confirm the deletion, as a kubelet does), replace when a pod is recreated under the same
 * name. Status is posted to pods/status whenever it changes (debounced per pod).
 */
export class PodManager {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly lastSent = new Map<string, string>();
  private readonly reportTimers = new Map<string, NodeJS.Timeout>();
  private stopping = false;
  /** Container statuses last posted per pod: what pod events are derived from (pod-events.ts). */
  private readonly lastContainers = new Map<string, ContainerStatus[]>();
  events: EventRecorder | undefined;
  /** Set: pods of the projects' BGP DaemonSets run kindlab's agent (project-agent.ts). */
  projectAgents: ProjectAgentContext | undefined;
  /** Stops the agent the node daemon hosts (agent-host.ts); true when one ran. */
  hostedAgent: (() => Promise<boolean>) | undefined;
  /** Set when the node reaches the Docker engine: pods may run their real images. */
  real: RealPods | undefined;

  constructor(private readonly client: KubeClient, private readonly net: NodeNet, private readonly stateDir: string, private readonly log: Logger) {}

  /** A running container's process (kubectl attach); `uid` guards against a pod recreated under the same name. */
  containerProcess(namespace: string, name: string, container: string, uid?: string): ContainerProcess | undefined {
    const rt = this.pods.get(`${namespace}/${name}`);
    return rt && (!uid || rt.uid === uid) ? rt.process(container) : undefined;
  }

  onChange(c: Change<Pod>): void {
    const p = c.object;
    this.enqueue(keyOf(p), () => (c.type === 'DELETED' ? this.remove(keyOf(p), p.metadata.uid) : this.sync(p)));
  }

  private enqueue(key: string, fn: () => Promise<void>): void {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(fn).catch((e) => this.log({ level: 'error', msg: 'pod sync failed', pod: key, error: errorMessage(e), detail: (e as { detail?: string }).detail }));
    this.queues.set(key, next);
    void next.finally(() => this.queues.get(key) === next && this.queues.delete(key));
  }

  private async sync(p: Pod): Promise<void> {
    if (this.stopping) return;
    const key = keyOf(p);
    let rt = this.pods.get(key);
    if (rt && rt.uid !== p.metadata.uid) {
      await this.remove(key, rt.uid);
      rt = undefined;
    }
    if (p.metadata.deletionTimestamp) {
      await this.remove(key, p.metadata.uid);
      await this.client.delete(PODS, p.metadata.name!, { namespace: p.metadata.namespace, gracePeriodSeconds: 0, uid: p.metadata.uid }).catch((e) => !isNotFound(e) && this.log({ level: 'warn', msg: 'pod delete confirmation failed', pod: key, error: errorMessage(e) }));
      return;
    }
    if (rt) {
      rt.pod = p;
      this.report(key);
      return;
    }
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    rt = new PodRuntime(p, this.net, this.stateDir, this.log, () => this.report(key), this.real, (pod, e) => this.events?.record(pod, [e]), this.projectAgents && { ...this.projectAgents, claim: () => this.claimAgent(key) }, this.client);
    this.pods.set(key, rt);
    try {
      await rt.start();
      this.events?.record(p, rt.agentNotes.map((message, i) => ({ type: i === 0 ? 'Normal' : 'Warning', reason: i === 0 ? 'KindlabAgent' : 'AgentReplaced', message })));
    } catch (e) {
      rt.error = `pod network setup failed: ${errorMessage(e)}`;
      this.report(key);
      throw e;
    }
  }

  /** A DaemonSet's agent takes the node: kindlab's own supervised agent (cluster.bgp) stops for good. */
  private async claimAgent(key: string): Promise<string | undefined> {
    const stopped = await stopSupervisedAgent(this.stateDir, this.hostedAgent);
    if (!stopped.length) return undefined;
    this.log({ level: 'warn', msg: 'stopped the supervised BGP agent: a DaemonSet pod runs the agent on this node', pod: key, stopped });
    return "kindlab's own BGP agent on this node (the lab's cluster.bgp) was stopped: the DaemonSet's agent replaces it (two agents cannot share port 179)";
  }

  private async remove(key: string, uid: string | undefined): Promise<void> {
    const rt = this.pods.get(key);
    if (!rt || (uid && rt.uid !== uid)) return;
    this.pods.delete(key);
    if (!this.stopping) this.events?.record(rt.pod, killingEvents(rt.pod));
    this.lastContainers.delete(key);
    clearTimeout(this.reportTimers.get(key));
    this.lastSent.delete(key);
    await rt.stop({ network: true });
    this.log({ msg: 'pod removed', pod: key, netns: rt.netns, ip: rt.ip });
  }

  /** Posts the status (debounced 100 ms); retries after a failure. */
  private report(key: string, delay = 100): void {
    clearTimeout(this.reportTimers.get(key));
    this.reportTimers.set(
      key,
      setTimeout(() => {
        const rt = this.pods.get(key);
        if (!rt || this.stopping) return;
        const status = buildPodStatus({ pod: rt.pod, hostIPs: this.net.hostIPs, podIPs: rt.ips, startTime: rt.startTime, containers: rt.reports(), now: now(), ...(rt.error ? { error: rt.error } : {}), ...(rt.notice ? { notice: rt.notice } : {}) });
        const text = JSON.stringify(status);
        if (this.lastSent.get(key) === text || sameStatus(rt.pod.status, status)) return;
        this.lastSent.set(key, text);
        const next = status.containerStatuses ?? [];
        this.events?.record(rt.pod, containerEvents(rt.pod, this.lastContainers.get(key) ?? rt.pod.status?.containerStatuses, next));
        this.lastContainers.set(key, next);
        this.client
          .patchStatus(PODS, rt.pod.metadata.name!, { status }, { namespace: rt.pod.metadata.namespace })
          .then(() => this.log({ level: 'debug', msg: 'pod status posted', pod: key, phase: status.phase, podIP: status.podIP, ready: status.conditions?.find((c) => c.type === 'Ready')?.status }))
          .catch((e) => {
            this.lastSent.delete(key);
            if (!isNotFound(e)) {
              this.log({ level: 'warn', msg: 'pod status update failed', pod: key, error: errorMessage(e) });
              this.report(key, 1000);
            }
          });
      }, delay),
    );
  }

  /**
   * After the first list: removes what an earlier run left for pods that no longer exist
   * (netns, IP allocations, workload processes, pod directories).
   */
  async collectGarbage(current: Pod[]): Promise<void> {
    // Pod containers of an earlier daemon (or of the node container before its restart) go first: pods are set up again.
    const swept = await this.real?.docker.sweep().catch((e) => this.log({ level: 'warn', msg: 'old pod containers not removed', error: errorMessage(e) }));
    if (swept) this.log({ msg: 'removed pod containers of an earlier run', count: swept });
    const uids = new Set(current.map((p) => p.metadata.uid));
    const wanted = new Set(current.filter((p) => !p.spec.hostNetwork).map((p) => netnsName(p.metadata.namespace ?? 'default', p.metadata.name!)));
    for (const ns of await listPodNetns()) {
      if (wanted.has(ns)) continue;
      await teardownPodNetwork({ netns: ns, hostVeth: '' });
      this.log({ msg: 'removed stale pod netns', netns: ns });
    }
    for (const c of this.net.cidrs) for (const e of c.ipam.entries()) if (!uids.has(e.uid)) c.ipam.release(e.uid);
    const podsDir = path.join(this.stateDir, 'pods');
    const keep = new Set(current.map(podDirName));
    for (const d of fs.existsSync(podsDir) ? fs.readdirSync(podsDir) : []) {
      if (keep.has(d)) continue;
      for (const f of fs.readdirSync(path.join(podsDir, d))) if (f.endsWith('.pid')) killStale(path.join(podsDir, d, f));
      fs.rmSync(path.join(podsDir, d), { recursive: true, force: true });
    }
  }

  /** Stops every workload; with `network`, also removes the pods' netns and IPs. */
  async stopAll(opts: { network: boolean }): Promise<void> {
    this.stopping = true;
    for (const t of this.reportTimers.values()) clearTimeout(t);
    await Promise.allSettled([...this.queues.values()]);
    await Promise.all([...this.pods.values()].map((rt) => rt.stop(opts)));
    this.pods.clear();
  }

  /** The Docker container id of a real-image container, for exec. */
  realContainerId(namespace: string, name: string, container: string): string | undefined {
    return this.pods.get(`${namespace}/${name}`)?.realContainerId(container);
  }

  get size(): number {
    return this.pods.size;
  }
}
