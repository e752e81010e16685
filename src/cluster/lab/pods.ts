/**
 * Pods of a lab's cluster, seen from the host: the one parser of pod (and Service) references
 * (`pod/NAME`, `pod/NAMESPACE/NAME`, `svc/NAME`, `service/NAMESPACE/NAME`) and the one place that
 * says where a pod runs: the node container kind named after `spec.nodeName`, and the network
 * namespace the node daemon created for it (`netnsName`), none with hostNetwork.
 * Used by `lab exec`, verify and graph.
 */
import type { Pod } from '../client/index.js';
import { netnsName } from '../node/index.js';
import { KindlabError } from '../../errors.js';
import type { LabPlan, NodePlan } from '../../topology/index.js';

export interface ObjectRef {
  type: 'pod' | 'service';
  namespace: string;
  name: string;
  /** As written: `pod/nettool-1`. */
  ref: string;
}

export interface PodRef extends ObjectRef {
  type: 'pod';
}

/** Namespaces are DNS labels; object names DNS subdomains (dots allowed). */
const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = '[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?';
const REF = new RegExp(`^(pods?|svc|services?)/(?:(${LABEL})/)?(${SUBDOMAIN})$`);
const REF_PREFIX = /^(pods?|svc|services?)\//;
const POD_PREFIX = /^pods?\//;

/** `pod/NAME`, `pods/NS/NAME`, `svc/NAME`, `service/NS/NAME` → a reference; undefined for anything else. */
export function parseObjectRef(s: string): ObjectRef | undefined {
  const m = REF.exec(s);
  if (!m) return undefined;
  return { type: m[1]!.startsWith('pod') ? 'pod' : 'service', namespace: m[2] ?? 'default', name: m[3]!, ref: s };
}

/** `pod/NAME` or `pod/NAMESPACE/NAME` → a pod reference; undefined for anything else (Services too). */
export function parsePodRef(s: string): PodRef | undefined {
  const r = parseObjectRef(s);
  return r?.type === 'pod' ? (r as PodRef) : undefined;
}

/** Looks like an object reference (to say so when it is malformed or the lab has no cluster). */
export const looksLikeRef = (s: string): boolean => REF_PREFIX.test(s);
/** Looks like a pod reference (`pod/…`, `pods/…`), well-formed or not. */
export const looksLikePodRef = (s: string): boolean => POD_PREFIX.test(s);

/** Where a pod runs. */
export interface PodPlace {
  /** Kubernetes Node name (`spec.nodeName`). */
  k8sNode: string;
  /** The topology node of that Kubernetes node; undefined when the plan is not known or lacks it. */
  node?: NodePlan;
  /** The container to exec in: the topology node's container, or kind's Node name (= its container name). */
  container: string;
  /** The pod's network namespace on the node; undefined for hostNetwork pods. */
  netns?: string;
}

/** The lab node whose Kubernetes Node name is `k8sNode`. */
export function labNodeOf(plan: LabPlan, k8sNode: string): NodePlan | undefined {
  return plan.nodes.find((n) => n.k8s?.nodeName === k8sNode);
}

/** Where the pod `ref` (read from the API as `pod`) runs (pure): its node from `spec.nodeName`, its netns as the node daemon names it. */
export function podPlace(ref: { namespace: string; name: string }, pod: Pod, plan?: LabPlan): PodPlace {
  const { namespace: ns, name } = ref;
  const k8sNode = pod.spec.nodeName;
  if (!k8sNode) throw new KindlabError('RUNTIME_CONTAINER', `pod ${ns}/${name} is not scheduled to a node yet (phase ${pod.status?.phase ?? 'unknown'})`);
  const node = plan ? labNodeOf(plan, k8sNode) : undefined;
  return { k8sNode, container: node?.containerName ?? k8sNode, ...(node ? { node } : {}), ...(pod.spec.hostNetwork ? {} : { netns: netnsName(ns, name) }) };
}

/** The argv prefix that runs a command in the pod's netns on its node (empty with hostNetwork). */
export function podExecPrefix(place: PodPlace): string[] {
  return place.netns ? ['ip', 'netns', 'exec', place.netns] : [];
}
