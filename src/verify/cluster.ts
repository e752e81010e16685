/**
 * What verify asks the lab's cluster (through the lab's kubeconfig): pods and Services named by
 * `pod/NAME`, `pod/NAMESPACE/NAME`, `svc/NAME`, `svc/NAMESPACE/NAME` in checks, where a pod runs
 * (its node and network namespace, for checks run from a pod), and the nodes' pod CIDRs.
 */
import type { KubeClient } from '../cluster/client/index.js';
import { KubeApiError } from '../cluster/client/index.js';
import { NODES, PODS, SERVICES } from '../cluster/client/index.js';
import type { Node, Pod, Service } from '../cluster/client/index.js';
import { podPlace, type ObjectRef } from '../cluster/lab/index.js';
import { KindlabError } from '../errors.js';
import { labClient } from '../cluster/lab/index.js';
import { hostPaths } from '../cluster/lab/index.js';
import type { LabPlan } from '../topology/index.js';

export { looksLikeRef, parseObjectRef, type ObjectRef } from '../cluster/lab/index.js';

/** Read-only view of the lab's cluster. */
export interface ClusterLookup {
  pod(namespace: string, name: string): Promise<Pod>;
  service(namespace: string, name: string): Promise<Service>;
  pods(): Promise<Pod[]>;
  nodes(): Promise<Node[]>;
  close(): void;
}

/** The cluster of a deployed lab (its `<labDir>/kubeconfig`). */
export function kubeLookup(plan: LabPlan): ClusterLookup {
  // Made on first use: a lab whose checks never ask the cluster needs no kubeconfig.
  let client: KubeClient | undefined;
  const api = (): KubeClient => (client ??= labClient(hostPaths.kubeconfig(plan)));
  const get = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof KubeApiError && e.notFound) throw new KindlabError('NODE_NOT_FOUND', `${what} not found in the cluster`, { cause: e });
      throw new KindlabError('K8S_API', `reading ${what} from the cluster's API failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
    }
  };
  return {
    pod: (ns, name) => get(`pod ${ns}/${name}`, () => api().get(PODS, name, ns)),
    service: (ns, name) => get(`service ${ns}/${name}`, () => api().get(SERVICES, name, ns)),
    pods: () => get('the pods', async () => (await api().list(PODS)).items),
    nodes: () => get('the nodes', async () => (await api().list(NODES)).items),
    close: () => client?.close(),
  };
}

/** Where commands "in a pod" run: the topology node of its Kubernetes node, and the pod's netns (none with hostNetwork). */
export interface PodPlace {
  node: string;
  netns?: string;
  pod: Pod;
}

export async function placePod(plan: LabPlan, cluster: ClusterLookup, ref: ObjectRef): Promise<PodPlace> {
  const pod = await cluster.pod(ref.namespace, ref.name);
  const place = podPlace(ref, pod, plan);
  if (!place.node) throw new KindlabError('NODE_NOT_FOUND', `pod ${ref.namespace}/${ref.name} runs on ${place.k8sNode}, which is not a node of this lab`);
  return { node: place.node.name, pod, ...(place.netns ? { netns: place.netns } : {}) };
}

/** The address a probe aims at: the pod's IP, or the Service's ClusterIP. */
export async function objectAddress(cluster: ClusterLookup, ref: ObjectRef, family?: 4 | 6): Promise<string> {
  const ofFamily = (ips: string[]) => ips.find((ip) => family === undefined || (ip.includes(':') ? 6 : 4) === family);
  if (ref.type === 'pod') {
    const pod = await cluster.pod(ref.namespace, ref.name);
    const all = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
    if (all.length === 0) throw new KindlabError('VERIFY', `pod ${ref.namespace}/${ref.name} has no IP yet (phase ${pod.status?.phase ?? 'unknown'})`);
    const ip = ofFamily(all);
    if (!ip) throw new KindlabError('VERIFY', `pod ${ref.namespace}/${ref.name} has no IPv${family} address (podIPs ${all.join(', ')})`);
    return ip;
  }
  const svc = await cluster.service(ref.namespace, ref.name);
  const all = (svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : []).filter((ip) => ip !== 'None');
  if (all.length === 0) throw new KindlabError('VERIFY', `service ${ref.namespace}/${ref.name} has no ClusterIP (type ${svc.spec.type ?? 'ClusterIP'})`);
  const ip = ofFamily(all);
  if (!ip) throw new KindlabError('VERIFY', `service ${ref.namespace}/${ref.name} has no IPv${family} ClusterIP (clusterIPs ${all.join(', ')})`);
  return ip;
}
