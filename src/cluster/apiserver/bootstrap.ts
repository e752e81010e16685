import os from 'node:os';
import { familyOf, firstHost, splitList } from '../controllers/cidr6.js';
import type { ClusterSpec } from '../kind-config.js';
import type { K8sObject } from '../store/types.js';
import { nowIso } from '../controllers/util.js';
import { BOOTSTRAP_REASON } from '../controllers/node-lifecycle.js';
import type { Registry } from './registry.js';
import { findResource, grOf } from './resources.js';

const R = {
  ns: findResource('', 'v1', 'namespaces')!,
  node: findResource('', 'v1', 'nodes')!,
  svc: findResource('', 'v1', 'services')!,
  ep: findResource('', 'v1', 'endpoints')!,
  slice: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
};

export const KUBELET_VERSION = 'v1.32.0-kindlab';

/**
 * The Node object the cluster bootstrap registers for a configured node (`nodeIP`: one address or `v4,v6`).
 * `awaitDaemon` (a cluster whose nodes run node daemons): Ready is Unknown until the node's daemon posts
 * its status, as a kubelet-registered node is not Ready before its kubelet says so; otherwise (an API
 * server alone) the node counts as Ready from the start.
 */
export function nodeObject(spec: ClusterSpec, n: ClusterSpec['nodes'][number], nodeIP: string | undefined, opts: { awaitDaemon?: boolean } = {}): K8sObject {
  const cp = n.role === 'control-plane';
  const hasWorkers = spec.nodes.some((x) => x.role === 'worker');
  const now = nowIso();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        ...(cp ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
        ...n.labels,
      },
      annotations: { 'kindlab.io/node-index': String(n.index), ...(nodeIP ? { 'kindlab.io/node-ip': nodeIP } : {}) },
    },
    spec: {
      // kind keeps the control-plane taint only when workers exist to take the pods.
      ...(cp && hasWorkers ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      // `node-ip` may hold one address per family (`10.0.1.2,fd00:10:1::2`): one InternalIP each.
      addresses: [...(nodeIP ? splitList(nodeIP).map((address) => ({ type: 'InternalIP', address })) : []), { type: 'Hostname', address: n.name }],
      conditions: [
        opts.awaitDaemon
          ? { type: 'Ready', status: 'Unknown', reason: BOOTSTRAP_REASON, message: 'registered by the kindlab cluster bootstrap; its node daemon has not posted status yet', lastHeartbeatTime: now, lastTransitionTime: now }
          : { type: 'Ready', status: 'True', reason: BOOTSTRAP_REASON, message: 'registered by the kindlab cluster bootstrap', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      capacity: { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110', 'ephemeral-storage': '61202244Ki' },
      allocatable: { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110', 'ephemeral-storage': '61202244Ki' },
      nodeInfo: {
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: os.release(),
        containerRuntimeVersion: 'kindlab://0.1.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}

export interface BootstrapOptions {
  /** Node IPs not given in the kind config (e.g. management addresses), by node name. */
  nodeIPs?: Record<string, string>;
  /** Address and port the `kubernetes` service endpoints point at. */
  apiServerEndpoint?: { ip: string; port: number };
  /** Nodes run node daemons (the API server's --require-heartbeats): registered not Ready (nodeObject). */
  awaitDaemons?: boolean;
}

/**
 * Creates what a fresh kubeadm cluster has: the four namespaces, the `kubernetes`
 * service (first address of the service subnet) with its endpoints, and one Node per
 * configured node. Objects that already exist (a restarted control plane) are kept.
 */
export function bootstrapCluster(reg: Registry, spec: ClusterSpec, opts: BootstrapOptions = {}): void {
  const ensure = (d: typeof R.ns, o: K8sObject) => {
    if (!reg.store.get(grOf(d), o.metadata.namespace, o.metadata.name!)) reg.create(d, o.metadata.namespace, o);
  };
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) ensure(R.ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // One `kubernetes` ClusterIP per service subnet (dual-stack: both families, the first primary).
  const kubeIPs = splitList(spec.serviceSubnet).map(firstHost);
  const families = kubeIPs.map((ip) => familyOf(ip)!);
  ensure(R.svc, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: kubeIPs[0], clusterIPs: kubeIPs, ipFamilies: families, ipFamilyPolicy: families.length > 1 ? 'RequireDualStack' : 'SingleStack', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
  const cp = spec.nodes.find((n) => n.role === 'control-plane');
  const cpIP = cp && (cp.nodeIP ?? opts.nodeIPs?.[cp.name]);
  const ep = opts.apiServerEndpoint ?? (cpIP ? { ip: splitList(cpIP)[0]!, port: 6443 } : undefined);
  if (ep) {
    ensure(R.ep, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: [{ addresses: [{ ip: ep.ip }], ports: [{ name: 'https', port: ep.port, protocol: 'TCP' }] }] });
    ensure(R.slice, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      addressType: familyOf(ep.ip) ?? 'IPv4',
      endpoints: [{ addresses: [ep.ip], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'https', port: ep.port, protocol: 'TCP' }],
    });
  }
  for (const n of spec.nodes) ensure(R.node, nodeObject(spec, n, n.nodeIPs?.join(',') ?? n.nodeIP ?? opts.nodeIPs?.[n.name], { awaitDaemon: opts.awaitDaemons }));
}
