/**
 * What verify asks the lab's cluster (through the lab's kubeconfig): pods and Services named by
 * `pod/NAME`, `pod/NAMESPACE/NAME`, `svc/NAME`, `svc/NAMESPACE/NAME` in checks, where a pod runs
 * (its node and network namespace, for checks run from a pod), and the nodes' pod CIDRs.
 */
import type { KubeClient } from '../cluster/client/index.js';
import { KubeApiError } from '../cluster/client/index.js';
import { NODES, PODS, SERVICES } from '../cluster/client/index.js';
import type { Node, Pod, Service } from '../cluster/client/index.js';
import { netnsName } from '../cluster/node/index.js';
import { labClient } from '../runtime/index.js';
import { hostPaths } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';

export interface ObjectRef {
  type: 'pod' | 'service';
  namespace: string;
  name: string;
  /** As written: `pod/nettool-1`. */
  ref: string;
}

const DNS = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const REF = new RegExp(`^(pods?|svc|services?)/(?:(${DNS})/)?(${DNS})$`);

/** `pod/NAME`, `pod/NS/NAME`, `svc/NAME`, `service/NS/NAME` → a reference; undefined for anything else. */
export function parseObjectRef(s: string): ObjectRef | undefined {
  const m = REF.exec(s);
  if (!m) return undefined;
  return { type: m[1]!.startsWith('pod') ? 'pod' : 'service', namespace: m[2] ?? 'default', name: m[4]!, ref: s };
}

/** Looks like an object reference (to say so when it is malformed or the lab has no cluster). */
export const looksLikeRef = (s: string): boolean => /^(pods?|svc|services?)\//.test(s);

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
      if (e instanceof KubeApiError && e.notFound) throw new Error(`${what} not found in the cluster`);
      throw new Error(`reading ${what} from the cluster's API failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
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
  const k8sNode = pod.spec.nodeName;
  if (!k8sNode) throw new Error(`pod ${ref.namespace}/${ref.name} is not scheduled yet (phase ${pod.status?.phase ?? 'unknown'})`);
  const node = plan.nodes.find((n) => n.k8s?.nodeName === k8sNode)?.name;
  if (!node) throw new Error(`pod ${ref.namespace}/${ref.name} runs on ${k8sNode}, which is not a node of this lab`);
  const netns = pod.metadata.annotations?.['kindlab.io/netns'] ?? netnsName(ref.namespace, ref.name);
  return { node, pod, ...(pod.spec.hostNetwork ? {} : { netns }) };
}

/** The address a probe aims at: the pod's IP, or the Service's ClusterIP. */
export async function objectAddress(cluster: ClusterLookup, ref: ObjectRef): Promise<string> {
  if (ref.type === 'pod') {
    const pod = await cluster.pod(ref.namespace, ref.name);
    const ip = pod.status?.podIP;
    if (!ip) throw new Error(`pod ${ref.namespace}/${ref.name} has no IP yet (phase ${pod.status?.phase ?? 'unknown'})`);
    return ip;
  }
  const svc = await cluster.service(ref.namespace, ref.name);
  const ip = svc.spec.clusterIP;
  if (!ip || ip === 'None') throw new Error(`service ${ref.namespace}/${ref.name} has no ClusterIP (type ${svc.spec.type ?? 'ClusterIP'})`);
  return ip;
}
