/**
 * TypeScript shape of the topology YAML as users write it (containerlab format), matching
 * schemas/topology.schema.json. Data of this type has passed schema validation; the internal
 * model (types.ts) is produced from it by normalize.ts.
 */

export type RawScalar = string | number | boolean;

import type { NodeKindName } from './node-kinds.js';
import type { Stage } from './types.js';

export type RawNodeKind = NodeKindName;

/** Properties a node may carry; `topology.defaults`, `kinds.<kind>` and `groups.<g>` use the same set. */
export interface RawNodeProps {
  kind?: RawNodeKind;
  /** Only meaningful on nodes and in defaults. */
  group?: string;
  /** The `hosts:` entry (Docker engine) running the node. */
  host?: string;
  image?: string;
  /** containerlab's key: when to pull `image` (default IfNotPresent). */
  'image-pull-policy'?: 'IfNotPresent' | 'Always' | 'Never' | 'ifnotpresent' | 'always' | 'never';
  exec?: string[];
  /** `host-path:container-path[:ro|rw]`. */
  binds?: string[];
  env?: Record<string, RawScalar>;
  labels?: Record<string, RawScalar>;
  /** A shell-like string split into argv, or an argv list. */
  cmd?: string | string[];
  entrypoint?: string | string[];
  user?: string | number;
  workdir?: string;
  /** `bridge` (default) | `host` | `none` | `container:<node or container>`. */
  'network-mode'?: string;
  'mgmt-ipv4'?: string;
  'mgmt-ipv6'?: string;
  /** `[host-ip:]host-port:container-port[/tcp|udp]`, or a bare container port. */
  ports?: Array<string | number>;
  sysctls?: Record<string, string | number>;
  'cap-add'?: string[];
  'startup-config'?: string;
  'wait-for'?: string[];
  /** Kind-specific BGP settings for rendered router configs (free-form here). */
  bgp?: Record<string, unknown>;
  'startup-delay'?: number;
  'restart-policy'?: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  'auto-remove'?: boolean;
  /** containerlab's resource limits: sizes as `512MB`, `1GiB` (go-humanize units), CPUs as a fraction. */
  memory?: string;
  cpu?: number;
  'cpu-set'?: string;
  'shm-size'?: string;
  /** Docker's healthcheck; durations in seconds (containerlab's integers). */
  healthcheck?: RawHealthcheck;
  /** containerlab's deployment stages: per-stage wait-for and exec. */
  stages?: RawStages;
  dns?: { servers?: string[]; search?: string[]; options?: string[] };
  /** Extra names of the node on the management network (node level only in containerlab). */
  aliases?: string[];
  certificate?: RawCertificate;
  'cgroup-parent'?: string;
  /** Files of KEY=VALUE lines, relative to the topology file; `env` wins over them. */
  'env-files'?: string[];
}

export interface RawHealthcheck {
  test?: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  'start-period'?: number;
}


/** One stage exec entry in the list form; the map form is `{ on-enter: [...], on-exit: [...] }`. */
export interface RawStageExecEntry {
  command: string;
  phase: 'on-enter' | 'on-exit';
  target?: 'container' | 'host';
}

export interface RawStage {
  'wait-for'?: Array<{ node: string; stage?: Stage }>;
  exec?: RawStageExecEntry[] | { 'on-enter'?: string[]; 'on-exit'?: string[] };
}

export type RawStages = Partial<Record<Stage, RawStage>>;

export interface RawCertificate {
  issue?: boolean;
  'key-size'?: number;
  /** Go duration (`720h`). */
  'validity-duration'?: string;
  sans?: string[];
}

/** containerlab's top-level `settings`. */
export interface RawSettings {
  'certificate-authority'?: {
    cert?: string;
    key?: string;
    'key-size'?: number;
    'validity-duration'?: string;
  };
}

export interface RawEndpoint {
  node: string;
  interface: string;
  mac?: string;
  ipv4?: string | string[];
  ipv6?: string | string[];
  /** containerlab's per-endpoint variables: free-form, kept in topology-data.json. */
  vars?: Record<string, unknown>;
}

export type RawLinkType = 'veth' | 'host' | 'mgmt-net' | 'macvlan' | 'dummy' | 'vxlan' | 'vxlan-stitch';
export type MacvlanMode = 'bridge' | 'vepa' | 'passthru' | 'private' | 'source';

/**
 * A link as containerlab accepts it. Brief form: no `type`, `endpoints: ["a:eth1", "b:eth1"]`
 * where one end may be `host:<iface>`, `mgmt-net:<iface>` or `macvlan:<parent>` (optionally with
 * link-level `ipv4: [a, b]` / `ipv6: [a, b]`). Extended form: `type: veth` with two endpoint
 * objects, or a single-endpoint type with `endpoint:` and its own keys (`host-interface`, `mode`,
 * `remote`, `vni`, `dst-port`...). The schema allows each type only its own keys.
 */
export interface RawLink {
  type?: RawLinkType;
  endpoints?: Array<string | RawEndpoint>;
  endpoint?: RawEndpoint;
  /** host / mgmt-net: the host end's name; macvlan: the parent interface. */
  'host-interface'?: string;
  /** macvlan mode (default bridge). */
  mode?: MacvlanMode;
  /** vxlan, vxlan-stitch: the remote VTEP (IP address or host name). */
  remote?: string;
  vni?: number;
  'dst-port'?: number;
  /** containerlab's deprecated name of dst-port. */
  'udp-port'?: number;
  'src-port'?: number;
  /** The underlay interface (default: the one holding the route to remote). */
  'parent-interface'?: string;
  mtu?: number;
  ipv4?: string[];
  ipv6?: string[];
  /** containerlab's link variables: free-form, kept in topology-data.json. */
  vars?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export interface RawMgmt {
  network?: string;
  'ipv4-subnet'?: string;
  'ipv4-gw'?: string;
  /** containerlab's ipv4-range: the part of ipv4-subnet Docker hands out dynamic addresses from. */
  'ipv4-range'?: string;
  'ipv6-subnet'?: string;
  'ipv6-gw'?: string;
  bridge?: string;
  mtu?: number;
  /** Opt-in NAT to the outside (default false: internal network). */
  external?: boolean;
}

/** One Docker engine of the `hosts:` section. */
export interface RawHost {
  engine?: string;
  underlay?: string;
  tls?: { ca?: string; cert?: string; key?: string; 'cert-path'?: string };
}

export interface RawTopologySection {
  defaults?: RawNodeProps;
  kinds?: Partial<Record<RawNodeKind, RawNodeProps>>;
  groups?: Record<string, RawNodeProps>;
  /** A node may be empty (`r1:`) when defaults give it a kind and image. */
  nodes?: Record<string, RawNodeProps | null>;
  links?: RawLink[];
}

export interface RawTopologyFile {
  name: string;
  /** Container name prefix; default `clab`; `''` → bare node names; `__lab-name` → `<lab>-<node>`. */
  prefix?: string;
  mgmt?: RawMgmt;
  /** containerlab's global settings (the lab CA). */
  settings?: RawSettings;
  topology?: RawTopologySection;
  /** Sections other modules convert at their own edge; kept verbatim in LabPlan.sections. */
  cluster?: Record<string, unknown>;
  manifests?: unknown[] | Record<string, unknown>;
  /** The cluster's node BGP agent (also accepted as cluster.bgp). */
  bgp?: unknown;
  verify?: unknown[] | Record<string, unknown>;
  stages?: unknown[] | Record<string, unknown>;
  /** Image alias map: name used in the topology → local image; `offline: true` uses the aliases without pulling. */
  images?: Record<string, string | boolean>;
  /** Lab-wide routing intent, converted by render/ (positions checked there). */
  routing?: Record<string, unknown>;
  /** The Docker engines a lab spans (topology/hosts.ts). */
  hosts?: Record<string, RawHost | null>;
}

export const SECTION_KEYS = ['cluster', 'manifests', 'bgp', 'verify', 'stages', 'images', 'routing'] as const;
