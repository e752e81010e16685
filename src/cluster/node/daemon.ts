import os from 'node:os';
import path from 'node:path';
import type { KubeClient } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../client/resources.js';
import type { EndpointSlice, Node, Pod, Service } from '../client/types.js';
import { gatewayOf, HostLocalIpam } from './ipam.js';
import { ensureNodeRegistered, NodeHeartbeat } from './node-status.js';
import { defaultRouteMtu, ensureBridge, setSysctl } from './podnet.js';
import { nodeSysctls } from './podnet-plan.js';
import type { PodCidrNet } from './pod-runtime.js';
import { EventRecorder } from './pod-events.js';
import { PodManager } from './pods.js';
import { DockerPods } from './docker-pods.js';
import { clusterCidrFor, coveringCidr6, nodePodCidrs as allPodCidrs } from './proxy/cluster-cidr.js';
import { Proxier } from './proxy/proxier.js';
import { StreamServer } from './stream-server.js';
import { NetworkPolicyEnforcer } from './netpol/enforcer.js';
import type { Logger } from './sys.js';
import { errorMessage } from '../../errors.js';

export interface NodeDaemonOptions {
  client: KubeClient;
  nodeName: string;
  stateDir: string;
  bridge: string;
  nodeIP?: string;
  mtu?: number;
  heartbeatMs: number;
  log: Logger;
  /** kube-proxy's --cluster-cidr; default: derived from the Nodes' pod CIDRs (proxy/cluster-cidr.ts). */
  clusterCIDR?: string;
  /** Run the projects' BGP DaemonSet images as kindlab's agent (project-agent.ts): the agent's command and kubeconfig. */
  projectAgents?: { kubeconfig: string; nodeBinary: string; agentMain: string };
  /** Stops the BGP agent hosted in this process (agent-host.ts) when a DaemonSet's agent takes the node. */
  hostedAgent?: () => Promise<boolean>;
  /** The exec/attach/log endpoint the API server proxies to (stream-server.ts); port 0 = off. */
  stream?: { port: number; token: string | undefined };
}

/** The Node's pod CIDRs, primary first (spec.podCIDRs, else spec.podCIDR). */
export function nodePodCidrs(node: Node): string[] {
  const s = node.spec;
  return s?.podCIDRs?.length ? [...s.podCIDRs] : s?.podCIDR ? [s.podCIDR] : [];
}

/** State file of one pod CIDR's IPAM: `ipam.json` for the first (what single-stack nodes always used), `ipam-ipv6.json` / `ipam-ipv4.json` for the other family. */
export const ipamFileName = (cidr: string, index: number): string => (index === 0 ? 'ipam.json' : `ipam-${cidr.includes(':') ? 'ipv6' : 'ipv4'}.json`);

/**
 * The node's addresses, primary first: --node-ip (kubelet's form, one address or two of different
 * families joined by a comma), else the Node's InternalIPs, else what pickNodeIP finds.
 */
export function pickNodeIPs(node: Node, flag: string | undefined): string[] {
  if (flag) return flag.split(',').map((a) => a.trim()).filter(Boolean);
  const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  if (internal.length) return [...new Set(internal)];
  const one = pickNodeIP(node, undefined);
  return one ? [one] : [];
}

/** The node's address: --node-ip, else the Node's InternalIP or kindlab annotation, else the first global IPv4. */
export function pickNodeIP(node: Node, flag: string | undefined): string | undefined {
  if (flag) return flag;
  const internal = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (internal) return internal;
  const ann = node.metadata.annotations?.['kindlab.io/node-ip'];
  if (ann) return ann;
  for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The node agent: registers/heartbeats the Node, builds the pod bridge from
 * Node.spec.podCIDR, realizes the pods bound to this node (watch with fieldSelector
 * spec.nodeName) and programs Service NAT from Services and EndpointSlices.
 */
export class NodeDaemon {
  private informers: Array<Informer<Pod> | Informer<Service> | Informer<EndpointSlice> | Informer<Node>> = [];
  private heartbeat: NodeHeartbeat | undefined;
  private pods: PodManager | undefined;
  proxier: Proxier | undefined;
  /** ip6tables Service NAT for the IPv6 ClusterIPs, when the node has an IPv6 pod CIDR. */
  proxier6: Proxier | undefined;
  netpol: NetworkPolicyEnforcer | undefined;
  private stream: StreamServer | undefined;
  private stopped = false;

  constructor(private readonly o: NodeDaemonOptions) {}

  private async waitForNode(): Promise<Node> {
    const { client, nodeName, log } = this.o;
    for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
      try {
        const node = await ensureNodeRegistered(client, nodeName, this.o.nodeIP);
        if (node.spec?.podCIDR) return node;
        log({ msg: 'waiting for the node pod CIDR', node: nodeName });
      } catch (e) {
        log({ level: 'warn', msg: 'API server not reachable yet', node: nodeName, error: errorMessage(e) });
      }
      if (this.stopped) throw new Error('stopped');
      await sleep(delay);
    }
  }

  async start(): Promise<void> {
    const { client, nodeName, log } = this.o;
    const node = await this.waitForNode();
    const podCIDR = node.spec!.podCIDR!;
    const podCIDRs = nodePodCidrs(node);
    const nodeIPs = pickNodeIPs(node, this.o.nodeIP);
    const nodeIP = nodeIPs[0];
    if (!nodeIP) throw new Error(`no address for node ${nodeName}: pass --node-ip`);
    const mtu = this.o.mtu ?? (await defaultRouteMtu());
    const cidrs: PodCidrNet[] = podCIDRs.map((cidr, i) => {
      const ipam = new HostLocalIpam(path.join(this.o.stateDir, ipamFileName(cidr, i)), cidr);
      return { cidr, gateway: gatewayOf(cidr), prefix: ipam.prefix, ipam };
    });
    for (const [k, v] of nodeSysctls(cidrs))
      if (!setSysctl(k, v)) log({ level: 'warn', msg: 'sysctl not set (read-only /proc/sys?); start the node container with it', sysctl: `${k}=${v}` });
    const net = { bridge: this.o.bridge, gateways: cidrs, cidrs, mtu, hostIPs: nodeIPs };
    await ensureBridge(net);
    log({ msg: 'pod bridge ready', node: nodeName, bridge: net.bridge, podCIDRs, gateways: cidrs.map((c) => c.gateway), mtu, nodeIPs });

    this.heartbeat = new NodeHeartbeat(client, { nodeName, nodeIPs, intervalMs: this.o.heartbeatMs, log });
    await this.heartbeat.start();

    const informerLog: Logger = (l) => log({ node: nodeName, ...l });
    const services = new Informer(client, SERVICES, { log: informerLog });
    const slices = new Informer(client, ENDPOINTSLICES, { log: informerLog });
    const proxier = new Proxier({ nodeName, bridge: net.bridge, log });
    this.proxier = proxier;
    // All Nodes: their pod CIDRs give the cluster CIDR the proxier masquerades outside traffic by.
    const nodeInf = new Informer(client, NODES, { log: informerLog });
    const podCIDR4 = podCIDRs.find((c) => !c.includes(':'));
    const clusterCIDR = () => clusterCidrFor(this.o.clusterCIDR, nodeInf.list()) ?? podCIDR4;
    const podCIDR6 = podCIDRs.find((c) => c.includes(':'));
    const proxier6 = podCIDR6 ? new Proxier({ nodeName, bridge: net.bridge, log, family: 6 }) : undefined;
    this.proxier6 = proxier6;
    const clusterCIDR6 = () => coveringCidr6(allPodCidrs(nodeInf.list())) ?? podCIDR6;
    let synced = '';
    const resync = () => {
      synced = `${clusterCIDR()} ${clusterCIDR6() ?? ''}`;
      const c4 = clusterCIDR();
      proxier.update({ services: services.list(), slices: slices.list(), ...(podCIDR4 ? { podCIDR: podCIDR4 } : {}), ...(c4 ? { clusterCIDR: c4 } : {}) });
      proxier6?.update({ services: services.list(), slices: slices.list(), ...(podCIDR6 ? { podCIDR: podCIDR6 } : {}), ...(clusterCIDR6() ? { clusterCIDR: clusterCIDR6() } : {}) });
    };
    services.onChange(resync);
    slices.onChange(resync);
    nodeInf.onChange((c) => {
      if (`${clusterCIDR()} ${clusterCIDR6() ?? ''}` !== synced) resync(); // heartbeats change nothing here
      if (c.object.metadata.name !== nodeName) return;
      if (c.type !== 'DELETED' && c.object.spec?.podCIDR && c.object.spec.podCIDR !== podCIDR) log({ level: 'warn', msg: 'node pod CIDR changed; restart the node daemon to apply', node: nodeName, podCIDR: c.object.spec.podCIDR, using: podCIDR });
    });
    const pods = new PodManager(client, { bridge: net.bridge, cidrs, mtu, hostIPs: nodeIPs }, this.o.stateDir, log);
    pods.events = new EventRecorder(client, nodeName, log);
    if (this.o.projectAgents) pods.projectAgents = { nodeName, ...this.o.projectAgents };
    pods.hostedAgent = this.o.hostedAgent;
    const docker = await DockerPods.connect(log);
    if (docker) pods.real = { docker, client };
    this.pods = pods;
    const podInf = new Informer(client, PODS, { fieldSelector: `spec.nodeName=${nodeName}`, log: informerLog });
    this.informers = [services, slices, nodeInf, podInf];
    await Promise.all([services.start(), slices.start(), nodeInf.start()]);
    resync();
    // Garbage from an earlier run goes before the first pod is set up.
    const first = await client.list(PODS, { fieldSelector: `spec.nodeName=${nodeName}` });
    await pods.collectGarbage(first.items);
    podInf.onChange((c) => pods.onChange(c));
    await podInf.start();
    if (this.o.stream?.port !== 0) {
      const ns = (p: Pod) => p.metadata.namespace ?? 'default';
      this.stream = new StreamServer({ host: '0.0.0.0', port: this.o.stream?.port ?? 10250, token: this.o.stream?.token, stateDir: this.o.stateDir, findPod: (n, name) => podInf.list().find((p) => ns(p) === n && p.metadata.name === name), attachTo: (p, c) => pods.containerProcess(ns(p), p.metadata.name!, c, p.metadata.uid), ...(docker ? { realContainer: (n: string, name: string, c: string) => pods.realContainerId(n, name, c), engine: docker.engine } : {}), log });
      try {
        log({ msg: 'stream endpoint listening', node: nodeName, port: await this.stream.start() });
      } catch (e) {
        log({ level: 'warn', msg: 'stream endpoint not started: kubectl exec/logs cannot reach this node', node: nodeName, error: errorMessage(e) });
      }
    }
    // NetworkPolicy ingress rules (KLNP-* filter chains), off where the node is labelled kindlab.io/run-firewall=false.
    this.netpol = new NetworkPolicyEnforcer({ client, nodeName, log });
    await this.netpol.start();
    log({ msg: 'node daemon running', node: nodeName, pods: podInf.list().length, services: services.list().length });
  }

  /** Stops watching and the workloads; `cleanup` also removes pod networks, the rules and leaves nothing behind. */
  async stop(opts: { cleanup: boolean }): Promise<void> {
    this.stopped = true;
    for (const i of this.informers) i.stop();
    this.heartbeat?.stop();
    await this.stream?.stop();
    await this.pods?.stopAll({ network: opts.cleanup });
    await this.netpol?.stop(opts);
    if (opts.cleanup) {
      await this.proxier?.cleanup();
      await this.proxier6?.cleanup();
    } else {
      this.proxier?.stop();
      this.proxier6?.stop();
    }
    this.o.client.close();
  }
}
