/**
 * What verify asks the lab's cluster (through the lab's kubeconfig): pods and Services named by
 * `pod/NAME`, `pod/NAMESPACE/NAME`, `svc/NAME`, `svc/NAMESPACE/NAME` in checks, where a pod runs
 * (its node and network namespace, for checks run from a pod), and the nodes' pod CIDRs.
 * With several clusters in the lab, a reference may name its cluster in front (`k02/pod/nettool`);
 * without, it is the first cluster's. Each cluster is read through its own kubeconfig.
 */
import type { KubeClient } from '../cluster/client/index.js';
import { KubeApiError } from '../cluster/client/index.js';
import { NODES, PODS, SERVICES } from '../cluster/client/index.js';
import type { Node, Pod, Service } from '../cluster/client/index.js';
import { clusterPlan, labClusterNames, podPlace, splitClusterRef, type ObjectRef } from '../cluster/lab/index.js';
import { looksLikeRef as looksLikeBareRef, parseObjectRef as parseBareRef } from '../cluster/lab/index.js';
import { KindlabError } from '../errors.js';
import { labClient } from '../cluster/lab/index.js';
import { hostPaths } from '../cluster/lab/index.js';
import type { LabPlan } from '../topology/index.js';

export type { ObjectRef } from '../cluster/lab/index.js';

/** An object reference, with the cluster it names (`k02/pod/x`; undefined: the lab's first). */
export interface ClusterObjectRef extends ObjectRef {
  cluster?: string;
}

/** Looks like an object reference, cluster-qualified or not. */
export const looksLikeRef = (s: string): boolean => looksLikeBareRef(splitClusterRef(s).ref);

/** `pod/…`, `svc/…`, or either after `CLUSTER/`; undefined for anything else. `ref` stays as written. */
export function parseObjectRef(s: string): ClusterObjectRef | undefined {
  const split = splitClusterRef(s);
  const r = parseBareRef(split.ref);
  return r ? { ...r, ref: s, ...(split.cluster !== undefined ? { cluster: split.cluster } : {}) } : undefined;
}

/** Read-only view of the lab's clusters; `cluster` undefined: the first (the only one, mostly). */
export interface ClusterLookup {
  pod(namespace: string, name: string, cluster?: string): Promise<Pod>;
  service(namespace: string, name: string, cluster?: string): Promise<Service>;
  pods(cluster?: string): Promise<Pod[]>;
  nodes(cluster?: string): Promise<Node[]>;
  /** The lab's clusters by name, first first, when it has several (additive; absent: one). */
  names?(): string[];
  close(): void;
}

/** The clusters of a deployed lab (each through its kubeconfig). */
export function kubeLookup(plan: LabPlan): ClusterLookup {
  // Made on first use: a lab whose checks never ask the cluster needs no kubeconfig.
  const clients = new Map<string, KubeClient>();
  const names = labClusterNames(plan);
  const api = (cluster?: string): KubeClient => {
    // an unknown name fails here with the known ones listed (clusterPlan)
    const view = clusterPlan(plan, cluster);
    const key = view.cluster?.spec.name ?? '';
    let c = clients.get(key);
    if (!c) clients.set(key, (c = labClient(hostPaths.kubeconfig(view))));
    return c;
  };
  const get = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof KubeApiError && e.notFound) throw new KindlabError('NODE_NOT_FOUND', `${what} not found in the cluster`, { cause: e });
      throw new KindlabError('K8S_API', `reading ${what} from the cluster's API failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
    }
  };
  const where = (cluster?: string) => (cluster !== undefined && names.length > 1 ? ` of cluster ${cluster}` : '');
  return {
    pod: (ns, name, cl) => get(`pod ${ns}/${name}${where(cl)}`, () => api(cl).get(PODS, name, ns)),
    service: (ns, name, cl) => get(`service ${ns}/${name}${where(cl)}`, () => api(cl).get(SERVICES, name, ns)),
    pods: (cl) => get(`the pods${where(cl)}`, async () => (await api(cl).list(PODS)).items),
    nodes: (cl) => get(`the nodes${where(cl)}`, async () => (await api(cl).list(NODES)).items),
    ...(names.length > 1 ? { names: () => names } : {}),
    close: () => {
      for (const c of clients.values()) c.close();
    },
  };
}

/** Where commands "in a pod" run: the topology node of its Kubernetes node, and the pod's netns (none with hostNetwork). */
export interface PodPlace {
  node: string;
  netns?: string;
  pod: Pod;
}

export async function placePod(plan: LabPlan, cluster: ClusterLookup, ref: ClusterObjectRef): Promise<PodPlace> {
  const pod = await cluster.pod(ref.namespace, ref.name, ref.cluster);
  const place = podPlace(ref, pod, plan);
  if (!place.node) throw new KindlabError('NODE_NOT_FOUND', `pod ${ref.namespace}/${ref.name} runs on ${place.k8sNode}, which is not a node of this lab`);
  return { node: place.node.name, pod, ...(place.netns ? { netns: place.netns } : {}) };
}

/** The address a probe aims at: the pod's IP, or the Service's ClusterIP. */
export async function objectAddress(cluster: ClusterLookup, ref: ClusterObjectRef, family?: 4 | 6): Promise<string> {
  const ofFamily = (ips: string[]) => ips.find((ip) => family === undefined || (ip.includes(':') ? 6 : 4) === family);
  if (ref.type === 'pod') {
    const pod = await cluster.pod(ref.namespace, ref.name, ref.cluster);
    const all = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
    if (all.length === 0) throw new KindlabError('VERIFY', `pod ${ref.namespace}/${ref.name} has no IP yet (phase ${pod.status?.phase ?? 'unknown'})`);
    const ip = ofFamily(all);
    if (!ip) throw new KindlabError('VERIFY', `pod ${ref.namespace}/${ref.name} has no IPv${family} address (podIPs ${all.join(', ')})`);
    return ip;
  }
  const svc = await cluster.service(ref.namespace, ref.name, ref.cluster);
  const all = (svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : []).filter((ip) => ip !== 'None');
  if (all.length === 0) throw new KindlabError('VERIFY', `service ${ref.namespace}/${ref.name} has no ClusterIP (type ${svc.spec.type ?? 'ClusterIP'})`);
  const ip = ofFamily(all);
  if (!ip) throw new KindlabError('VERIFY', `service ${ref.namespace}/${ref.name} has no IPv${family} ClusterIP (clusterIPs ${all.join(', ')})`);
  return ip;
}
