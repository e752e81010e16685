/**
 * The resources this API server serves. One table drives discovery, routing, OpenAPI,
 * storage keys and table output. CRD-backed kinds of the BGP dialects are served as
 * built-in groups (no CustomResourceDefinition objects needed).
 */
export type Subresource = 'status' | 'scale' | 'exec' | 'log' | 'binding';

export interface ResourceDef {
  group: string;
  /** Versions served; the first is the preferred/storage version. */
  versions: string[];
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: Subresource[];
  /** Read-only kinds get only get/list/watch. */
  verbs?: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const R = (d: ResourceDef): ResourceDef => d;

export const RESOURCES: ResourceDef[] = [
  R({ group: '', versions: ['v1'], resource: 'namespaces', kind: 'Namespace', singular: 'namespace', namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  R({ group: '', versions: ['v1'], resource: 'nodes', kind: 'Node', singular: 'node', namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  R({ group: '', versions: ['v1'], resource: 'pods', kind: 'Pod', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'exec', 'log', 'binding'] }),
  R({ group: '', versions: ['v1'], resource: 'services', kind: 'Service', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  R({ group: '', versions: ['v1'], resource: 'endpoints', kind: 'Endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  R({ group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', singular: 'configmap', namespaced: true, shortNames: ['cm'] }),
  R({ group: '', versions: ['v1'], resource: 'secrets', kind: 'Secret', singular: 'secret', namespaced: true }),
  R({ group: '', versions: ['v1'], resource: 'events', kind: 'Event', singular: 'event', namespaced: true, shortNames: ['ev'] }),
  R({ group: '', versions: ['v1'], resource: 'serviceaccounts', kind: 'ServiceAccount', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'] }),
  R({ group: 'apps', versions: ['v1'], resource: 'deployments', kind: 'Deployment', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  R({ group: 'apps', versions: ['v1'], resource: 'replicasets', kind: 'ReplicaSet', singular: 'replicaset', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  R({ group: 'apps', versions: ['v1'], resource: 'statefulsets', kind: 'StatefulSet', singular: 'statefulset', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  R({ group: 'batch', versions: ['v1'], resource: 'jobs', kind: 'Job', singular: 'job', namespaced: true, categories: ['all'], subresources: ['status'] }),
  R({ group: 'apps', versions: ['v1'], resource: 'daemonsets', kind: 'DaemonSet', singular: 'daemonset', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  R({ group: 'batch', versions: ['v1'], resource: 'cronjobs', kind: 'CronJob', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  R({ group: 'apps', versions: ['v1'], resource: 'controllerrevisions', kind: 'ControllerRevision', singular: 'controllerrevision', namespaced: true }),
  // RBAC is stored, not enforced (every client is admin): the projects' manifests carry their roles and bindings.
  R({ group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'clusterroles', kind: 'ClusterRole', singular: 'clusterrole', namespaced: false }),
  R({ group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', singular: 'clusterrolebinding', namespaced: false }),
  R({ group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'roles', kind: 'Role', singular: 'role', namespaced: true }),
  R({ group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'rolebindings', kind: 'RoleBinding', singular: 'rolebinding', namespaced: true }),
  R({ group: 'discovery.k8s.io', versions: ['v1'], resource: 'endpointslices', kind: 'EndpointSlice', singular: 'endpointslice', namespaced: true }),
  R({ group: 'networking.k8s.io', versions: ['v1'], resource: 'networkpolicies', kind: 'NetworkPolicy', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'] }),
  R({ group: 'coordination.k8s.io', versions: ['v1'], resource: 'leases', kind: 'Lease', singular: 'lease', namespaced: true }),
  // Stored only: a CRD object does not make new kinds served (the BGP kinds below are built in).
  R({ group: 'apiextensions.k8s.io', versions: ['v1'], resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', singular: 'customresourcedefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'] }),
  R({ group: 'cilium.io', versions: ['v2alpha1'], resource: 'ciliumbgppeeringpolicies', kind: 'CiliumBGPPeeringPolicy', singular: 'ciliumbgppeeringpolicy', namespaced: false, shortNames: ['bgpp'], categories: ['cilium', 'ciliumbgp'] }),
  R({ group: 'cilium.io', versions: ['v2', 'v2alpha1'], resource: 'ciliumbgpclusterconfigs', kind: 'CiliumBGPClusterConfig', singular: 'ciliumbgpclusterconfig', namespaced: false, shortNames: ['cbgpcluster'], categories: ['cilium', 'ciliumbgp'], subresources: ['status'] }),
  R({ group: 'cilium.io', versions: ['v2', 'v2alpha1'], resource: 'ciliumbgppeerconfigs', kind: 'CiliumBGPPeerConfig', singular: 'ciliumbgppeerconfig', namespaced: false, shortNames: ['cbgppeer'], categories: ['cilium', 'ciliumbgp'], subresources: ['status'] }),
  R({ group: 'cilium.io', versions: ['v2', 'v2alpha1'], resource: 'ciliumbgpadvertisements', kind: 'CiliumBGPAdvertisement', singular: 'ciliumbgpadvertisement', namespaced: false, shortNames: ['cbgpadvert'], categories: ['cilium', 'ciliumbgp'] }),
  R({ group: 'cilium.io', versions: ['v2', 'v2alpha1'], resource: 'ciliumbgpnodeconfigs', kind: 'CiliumBGPNodeConfig', singular: 'ciliumbgpnodeconfig', namespaced: false, shortNames: ['cbgpnode'], categories: ['cilium', 'ciliumbgp'], subresources: ['status'] }),
  R({ group: 'cilium.io', versions: ['v2alpha1', 'v2'], resource: 'ciliumloadbalancerippools', kind: 'CiliumLoadBalancerIPPool', singular: 'ciliumloadbalancerippool', namespaced: false, shortNames: ['ippools', 'ippool', 'lbippool'], categories: ['cilium'], subresources: ['status'] }),
  R({ group: 'cilium.io', versions: ['v2alpha1'], resource: 'ciliumpodippools', kind: 'CiliumPodIPPool', singular: 'ciliumpodippool', namespaced: false, shortNames: ['cpip'], categories: ['cilium'] }),
  R({ group: 'cilium.io', versions: ['v2'], resource: 'ciliumnodes', kind: 'CiliumNode', singular: 'ciliumnode', namespaced: false, shortNames: ['cn', 'ciliumn'], categories: ['cilium'], subresources: ['status'] }),
  R({ group: 'cilium.io', versions: ['v2', 'v2alpha1'], resource: 'ciliumbgpnodeconfigoverrides', kind: 'CiliumBGPNodeConfigOverride', singular: 'ciliumbgpnodeconfigoverride', namespaced: false, shortNames: ['cbgpnodeoverride'], categories: ['cilium', 'ciliumbgp'] }),
  R({ group: 'crd.projectcalico.org', versions: ['v1'], resource: 'bgppeers', kind: 'BGPPeer', singular: 'bgppeer', namespaced: false }),
  R({ group: 'crd.projectcalico.org', versions: ['v1'], resource: 'bgpconfigurations', kind: 'BGPConfiguration', singular: 'bgpconfiguration', namespaced: false }),
  R({ group: 'crd.projectcalico.org', versions: ['v1'], resource: 'ippools', kind: 'IPPool', singular: 'ippool', namespaced: false }),
  // Calico: projectcalico.org/v3 is what users and calicoctl apply (the v1 CRDs above are what Calico stores).
  R({ group: 'crd.projectcalico.org', versions: ['v1'], resource: 'bgpfilters', kind: 'BGPFilter', singular: 'bgpfilter', namespaced: false }),
  R({ group: 'projectcalico.org', versions: ['v3'], resource: 'bgppeers', kind: 'BGPPeer', singular: 'bgppeer', namespaced: false }),
  R({ group: 'projectcalico.org', versions: ['v3'], resource: 'bgpconfigurations', kind: 'BGPConfiguration', singular: 'bgpconfiguration', namespaced: false }),
  R({ group: 'projectcalico.org', versions: ['v3'], resource: 'bgpfilters', kind: 'BGPFilter', singular: 'bgpfilter', namespaced: false }),
  R({ group: 'projectcalico.org', versions: ['v3'], resource: 'ippools', kind: 'IPPool', singular: 'ippool', namespaced: false }),
  R({ group: 'kubeovn.io', versions: ['v1'], resource: 'subnets', kind: 'Subnet', singular: 'subnet', namespaced: false, subresources: ['status'] }),
  R({ group: 'kubeovn.io', versions: ['v1'], resource: 'iptables-eips', kind: 'IptablesEIP', singular: 'iptables-eip', namespaced: false, shortNames: ['eip'], subresources: ['status'] }),
  R({ group: 'kubeovn.io', versions: ['v1'], resource: 'vpc-nat-gateways', kind: 'VpcNatGateway', singular: 'vpc-nat-gateway', namespaced: false, shortNames: ['vpc-nat-gw'], subresources: ['status'] }),
  // MetalLB after Calico: kubectl resolves the shared plural `bgppeers` to the first group discovery lists (Calico's), as on a
  // cluster running both; MetalLB's are `bgppeers.metallb.io`. v1beta2 BGPPeer (v1beta1 still accepted), pools, advertisements,
  // community aliases, BFD profiles.
  R({ group: 'metallb.io', versions: ['v1beta1'], resource: 'ipaddresspools', kind: 'IPAddressPool', singular: 'ipaddresspool', namespaced: true, categories: ['metallb'] }),
  R({ group: 'metallb.io', versions: ['v1beta2', 'v1beta1'], resource: 'bgppeers', kind: 'BGPPeer', singular: 'bgppeer', namespaced: true, categories: ['metallb'] }),
  R({ group: 'metallb.io', versions: ['v1beta1'], resource: 'bgpadvertisements', kind: 'BGPAdvertisement', singular: 'bgpadvertisement', namespaced: true, categories: ['metallb'] }),
  R({ group: 'metallb.io', versions: ['v1beta1'], resource: 'communities', kind: 'Community', singular: 'community', namespaced: true, categories: ['metallb'] }),
  R({ group: 'metallb.io', versions: ['v1beta1'], resource: 'bfdprofiles', kind: 'BFDProfile', singular: 'bfdprofile', namespaced: true, categories: ['metallb'] }),
];

export function verbsOf(d: ResourceDef): string[] {
  return d.verbs ?? ALL_VERBS;
}

/** Storage / error key: `pods`, `deployments.apps`. */
export function grOf(d: ResourceDef): string {
  return d.group ? `${d.resource}.${d.group}` : d.resource;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Group → versions, in the order groups appear in RESOURCES (preferred version first). */
export function groupVersions(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of RESOURCES) {
    const vs = m.get(d.group) ?? [];
    for (const v of d.versions) if (!vs.includes(v)) vs.push(v);
    m.set(d.group, vs);
  }
  return m;
}

export function resourcesIn(group: string, version: string): ResourceDef[] {
  return RESOURCES.filter((d) => d.group === group && d.versions.includes(version));
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((d) => d.group === group && d.resource === resource && d.versions.includes(version));
}

export function findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return RESOURCES.find((d) => d.group === group && d.kind === kind && d.versions.includes(version!));
}

export const GR = {
  namespaces: 'namespaces',
  nodes: 'nodes',
  pods: 'pods',
  services: 'services',
  endpoints: 'endpoints',
  endpointslices: 'endpointslices.discovery.k8s.io',
  deployments: 'deployments.apps',
  replicasets: 'replicasets.apps',
  statefulsets: 'statefulsets.apps',
  jobs: 'jobs.batch',
  daemonsets: 'daemonsets.apps',
  leases: 'leases.coordination.k8s.io',
  events: 'events',
} as const;
