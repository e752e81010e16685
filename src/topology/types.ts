/**
 * The internal model of a lab. The YAML users write (containerlab format plus a kind
 * `cluster` section) is converted at the edge (topology/normalize) into these types with
 * native values; topology/plan then resolves names, addresses and dependencies.
 * Nothing here touches Docker or the kernel.
 */
import type { ClusterSpec } from '../cluster/config/index.js';
import type { RoutingPlan } from '../render/index.js';
import type { TopologyIssue } from '../errors.js';
import type { MacvlanMode } from './raw-types.js';

export type { MacvlanMode };

/** Where a value came from in a topology file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export type NetworkMode =
  | { type: 'bridge' } // default: attached to the lab's management network
  | { type: 'host' }
  | { type: 'none' }
  /** Share the netns of another topology node (`node`) or an existing container (`container`). */
  | { type: 'container'; node?: string; container?: string };

export interface PortMapping {
  hostIp: string; // default 127.0.0.1: labs never publish on every interface unless asked
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface BindMount {
  /** Absolute host path (relative paths are resolved against the topology file's directory). */
  source: string;
  target: string;
  readOnly: boolean;
}

/** A node as the user declared it, after defaults < kinds < groups < node inheritance. */
export interface NodeSpec {
  name: string;
  kind: string;
  /** Image as written (e.g. `frrouting/frr:v8.2.2`); aliases are resolved by runtime/images. */
  image: string;
  /** `image-pull-policy` (containerlab's key); absent = IfNotPresent. */
  imagePullPolicy?: 'IfNotPresent' | 'Always' | 'Never';
  group?: string;
  exec: string[];
  binds: BindMount[];
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Container command, as a shell-like string split into argv (containerlab semantics). */
  cmd?: string[];
  entrypoint?: string[];
  user?: string;
  workdir?: string;
  networkMode: NetworkMode;
  mgmtIPv4?: string;
  mgmtIPv6?: string;
  ports: PortMapping[];
  sysctls: Record<string, string>;
  capAdd: string[];
  /** Absolute path of a startup config file, if any. */
  startupConfig?: string;
  waitFor: string[];
  /** Docker's healthcheck (containerlab `healthcheck`), durations in seconds. */
  healthcheck?: Healthcheck;
  /** containerlab's deployment stages, merged defaults < kinds < groups < node (wait-for and exec appended); additive. */
  stages?: NodeStages;
  dns?: DnsConfig;
  /** Extra names on the management network (additive). */
  aliases?: string[];
  /** `certificate.issue: true`: a certificate and key from the lab CA, written under `<labDir>/.tls/<node>/`. */
  certificate?: NodeCertificate;
  cgroupParent?: string;
  /** Absolute paths of `env-files` (their variables are already in `env`, which wins over them); additive. */
  envFiles?: string[];
  /** Resource limits (memory, cpu, cpu-set, shm-size), converted to Docker's units (additive). */
  resources?: NodeResources;
  /** Free-form kind-specific settings (e.g. `bgp:` for rendered router configs). */
  extra: Record<string, unknown>;
  pos: SourcePos;
  /**
   * Where individual properties came from (additive): keys are YAML property names
   * (`network-mode`, `mgmt-ipv4`, `image`, `kind`, `startup-config`) and `wait-for[i]`.
   * Inherited values point into defaults/kinds/groups.
   */
  keyPos?: Record<string, SourcePos>;
  /** Set on the nodes of the topology's kind cluster (kind `k8s-node`), additive. */
  k8s?: K8sNodeInfo;
  /** Files rendered from the routing intent (render/), written to the lab directory and bound read-only. */
  files?: Array<{ path: string; content: string }>;
  /** `host:` as written (node, group, kind or defaults): the `hosts:` entry that runs it (additive). */
  host?: string;
}

/** Where a Docker engine listens, as Docker users name it. */
export type EngineRef =
  | { type: 'unix'; path: string }
  /** No port: docker's default, 2376 with TLS, else 2375. */
  | { type: 'tcp'; host: string; port?: number }
  /** No port or user: ssh's (~/.ssh/config, else 22 and the local user), as the docker CLI leaves them. */
  | { type: 'ssh'; host: string; port?: number; user?: string }
  /** A `docker context` name (its endpoint is read from ~/.docker/contexts at deploy). */
  | { type: 'context'; name: string };

/** One entry of the `hosts:` section: a Docker engine the lab spans. */
export interface HostSpec {
  name: string;
  engine: EngineRef;
  /** `engine:` as written (for messages and the lab directory). */
  engineText: string;
  /** The address the other hosts reach this one on (VXLAN local/remote). */
  underlay: string;
  /** Client TLS files of a tcp:// engine (absolute). */
  tls?: { ca?: string; cert?: string; key?: string };
  pos: SourcePos;
}

export interface Healthcheck {
  /** Docker's form: `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`. */
  test: string[];
  intervalS?: number;
  timeoutS?: number;
  retries?: number;
  startPeriodS?: number;
}

export const STAGES = ['create', 'create-links', 'configure', 'healthy', 'exit'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageWait {
  node: string;
  stage: Stage;
  pos: SourcePos;
}

export interface StageExec {
  command: string;
  /** `host`: runs on the host (containerlab's target: host), else in the node. */
  target: 'container' | 'host';
  pos: SourcePos;
}

export interface StageSpec {
  waitFor: StageWait[];
  onEnter: StageExec[];
  onExit: StageExec[];
}

export type NodeStages = Record<Stage, StageSpec>;

const NO_STAGE: StageSpec = Object.freeze({ waitFor: [], onEnter: [], onExit: [] }) as unknown as StageSpec;

/** A node's stage, empty when the node declares none. */
export function stageOf(n: { stages?: NodeStages }, st: Stage): StageSpec {
  return n.stages?.[st] ?? NO_STAGE;
}

export interface DnsConfig {
  servers: string[];
  search: string[];
  options: string[];
}

export interface NodeCertificate {
  keySize: number;
  validityMs: number;
  /** Extra subject alternative names (the node's names and management addresses are always in). */
  sans: string[];
}

export interface NodeResources {
  memoryBytes?: number;
  /** Fractional CPUs (containerlab `cpu: 1.5`). */
  cpus?: number;
  cpuSet?: string;
  shmBytes?: number;
}

/** The lab CA (containerlab `settings.certificate-authority`). */
export interface CertificateAuthority {
  /** External CA files (absolute); absent: a CA is generated in `<labDir>/.tls/ca/`. */
  certFile?: string;
  keyFile?: string;
  keySize: number;
  validityMs: number;
}

/** What a `k8s-node` node is in its cluster (from the kind Cluster config). */
export interface K8sNodeInfo {
  /** kind cluster name. */
  cluster: string;
  /** Kubernetes Node name = container name, kind's way: `<cluster>-control-plane`, `<cluster>-worker2`. */
  nodeName: string;
  role: 'control-plane' | 'worker';
  /** Position in the kind config's nodes list (drives the pod CIDR). */
  index: number;
  /** kubeletExtraArgs node-ip, when given (the first address). */
  nodeIP?: string;
  /** Both node-ip addresses of a dual-stack node (additive; absent with one address). */
  nodeIPs?: string[];
  /** Kubernetes labels of the Node (kind labels + node-labels). */
  labels: Record<string, string>;
}

/** The topology's kind cluster, converted (src/cluster/kind-config.ts) and checked. */
export interface LabCluster {
  /** The converted kind Cluster config. */
  spec: ClusterSpec;
  /** The kind Cluster object as written (inline, or read from `config:`), with `name` settled. */
  raw: Record<string, unknown>;
  /** Absolute path of the kind config file when `cluster: { config: FILE }` was used. */
  configFile?: string;
  /** Absolute paths of the `manifests:` entries (files or directories of Kubernetes YAML), in order. */
  manifests: Array<{ path: string; pos: SourcePos }>;
  /** The node BGP agent's settings (`cluster.bgp` or topology-level `bgp:`), additive. */
  bgp?: ClusterBgp;
  /** Objects generated from the routing intent, applied after the manifests. */
  objects?: Array<Record<string, unknown>>;
  /**
   * kind fields read but not applicable in kindlab (containerd patches, JSON 6902 kubeadm patches,
   * kubeadm settings other than node-ip/node-labels/subnets…), each positioned, with the reason (additive).
   * What the runtime must honour is on `spec`: nodes' extraPortMappings/extraMounts (also on the
   * NodeSpecs' ports/binds), proxyMode (none = our proxy off), featureGates, runtimeConfig, dnsSearch.
   */
  warnings?: TopologyIssue[];
  /** Where a `k8s-kind` node declared it (additive; the `cluster:` section's has none). */
  pos?: SourcePos;
}

export const CLUSTER_BGP_DIALECTS = ['cilium', 'calico', 'kube-router', 'kube-ovn', 'metallb'] as const;
export type ClusterBgpDialect = (typeof CLUSTER_BGP_DIALECTS)[number];

/** How `lab-agent k8s` runs on the cluster's nodes. */
export interface ClusterBgp {
  /** Start the agent on every node (default true). */
  agent: boolean;
  /** Undefined: the agent detects the dialect from the cluster's objects. */
  dialect?: ClusterBgpDialect;
  /** The dialect's own flags (kube-router, Kube-OVN), passed through verbatim. */
  flags: string[];
  pos: SourcePos;
}

export interface LinkEndpoint {
  node: string;
  iface: string;
  mac?: string;
  /** CIDR strings, e.g. `10.0.0.1/31`. */
  ipv4: string[];
  ipv6: string[];
  /** containerlab endpoint `vars` (free-form, written to topology-data.json). */
  vars?: Record<string, unknown>;
}

/** What every link type carries. */
interface LinkCommon {
  pos: SourcePos;
  /** containerlab link `vars` and `labels` (free-form, written to topology-data.json). */
  vars?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export interface VethLinkSpec extends LinkCommon {
  type: 'veth';
  endpoints: [LinkEndpoint, LinkEndpoint];
  mtu: number;
  /** Positions of the two endpoints in the file (additive). */
  endpointPos?: [SourcePos, SourcePos];
}

/** The end of a host or mgmt-net link that lives in the host namespace. */
export interface HostEnd {
  iface: string;
  mac?: string;
  ipv4: string[];
  ipv6: string[];
}

/**
 * A veth from a node to the host namespace: `host` leaves the host end there under its
 * name, `mgmt-net` also enslaves it to the lab's management bridge.
 */
export interface HostLinkSpec extends LinkCommon {
  type: 'host' | 'mgmt-net';
  endpoints: [LinkEndpoint];
  host: HostEnd;
  mtu: number;
}

/** A macvlan on a host interface (`parent`), moved into the node. */
export interface MacvlanLinkSpec extends LinkCommon {
  type: 'macvlan';
  endpoints: [LinkEndpoint];
  parent: string;
  mode: MacvlanMode;
  /** Undefined: the parent's MTU (as containerlab does). */
  mtu?: number;
}

/** containerlab's dummy interface; emulated by a veth whose peer is parked in the lab's parking netns. */
export interface DummyLinkSpec extends LinkCommon {
  type: 'dummy';
  endpoints: [LinkEndpoint];
  mtu: number;
}

/**
 * A VXLAN tunnel: `vxlan` puts the VTEP in the node; `vxlan-stitch` puts it in the host and
 * joins it to a veth into the node with tc redirects.
 */
export interface VxlanLinkSpec extends LinkCommon {
  type: 'vxlan' | 'vxlan-stitch';
  endpoints: [LinkEndpoint];
  /** IP address or host name, resolved at deploy. */
  remote: string;
  vni: number;
  dstPort: number;
  srcPort?: number;
  /** Underlay interface; undefined: the one holding the route to remote. */
  parent?: string;
  /** Undefined: the kernel's default (underlay MTU - 50). */
  mtu?: number;
}

export type SingleEndpointLinkSpec = HostLinkSpec | MacvlanLinkSpec | DummyLinkSpec | VxlanLinkSpec;
export type LinkSpec = VethLinkSpec | SingleEndpointLinkSpec;
export type LinkType = LinkSpec['type'];

export interface MgmtSpec {
  /** Docker network name. Default: `<prefix>-<lab>` style, see plan. */
  network: string;
  ipv4Subnet: string;
  ipv4Gateway?: string;
  /** Docker's IPAM ip-range (containerlab's mgmt.ipv4-range): a CIDR inside ipv4Subnet, dynamic addresses come from it. */
  ipv4Range?: string;
  ipv6Subnet?: string;
  ipv6Gateway?: string;
  /** Host bridge name, if the user chose one. */
  bridge?: string;
  mtu?: number;
  /** Opt-in: allow NAT to the outside. Default false (internal network). */
  external: boolean;
  /**
   * The topology chose no subnet (nor network, range, gateway or node address): a deploy may move
   * the lab to a free subnet when the default one is taken, and records the one it used.
   */
  defaultSubnet?: boolean;
  /** Position of the `mgmt:` section (or of `name:` when absent), for messages (additive). */
  pos?: SourcePos;
}

export interface TopologySpec {
  name: string;
  /** Container name prefix; `undefined` means the default `clab`. `''` means bare node names. */
  prefix: string;
  file: string;
  /** Directory that holds the topology file (relative paths resolve against it). */
  dir: string;
  mgmt: MgmtSpec;
  nodes: NodeSpec[];
  links: LinkSpec[];
  /** Raw sections other modules convert at their own edge (cluster, verify, manifests). */
  sections: Record<string, unknown>;
  /** The kind cluster, when the topology has a `cluster:` section (additive). */
  cluster?: LabCluster;
  /**
   * Every cluster of the lab when there is more than one (`cluster:` first, then each `k8s-kind`
   * node's), with subnets moved apart (topology/plan-clusters.ts); `cluster` is the first (additive).
   */
  clusters?: LabCluster[];
  /** The lab CA, when some node has `certificate.issue: true` (additive). */
  ca?: CertificateAuthority;
  /** The Docker engines of a lab spanning several (`hosts:`); absent: the one local engine (additive). */
  hosts?: HostSpec[];
}

/** A node with everything the runtime needs resolved. */
export interface NodePlan extends NodeSpec {
  containerName: string;
  /** Management address assigned by plan (static ones are kept), unless networkMode is not bridge. */
  mgmtIPv4?: string;
  /** Nodes that must be created (and healthy) before this one: network-mode targets and wait-for. */
  dependsOn: string[];
  /** Topology node that owns the netns this node lives in (itself unless network-mode container:node). */
  netnsOwner: string;
  /** With a `hosts:` section: the host this node runs on, explicit or placed (additive). */
  host?: string;
}

export interface LabPlan {
  name: string;
  prefix: string;
  file: string;
  dir: string;
  /** Lab directory, `<dir>/lab-<name>` (or as overridden). */
  labDir: string;
  mgmt: MgmtSpec;
  nodes: NodePlan[];
  links: LinkSpec[];
  /** Nodes grouped in creation waves: every node's dependencies are in earlier waves. */
  waves: string[][];
  sections: Record<string, unknown>;
  /** The kind cluster, when the topology has a `cluster:` section (additive). */
  cluster?: LabCluster;
  /** Every cluster of the lab when there is more than one; `cluster` is the first (additive). */
  clusters?: LabCluster[];
  /** What the routing intent (`routing:`, node `bgp:` blocks) rendered, when the topology has any. */
  routing?: RoutingPlan;
  /** The lab CA, when some node has `certificate.issue: true` (additive). */
  ca?: CertificateAuthority;
  /** The Docker engines of a lab spanning several (`hosts:`); every node then has `host` (additive). */
  hosts?: HostSpec[];
}
