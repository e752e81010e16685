/**
 * The cluster's BGP agent settings: `cluster: { bgp: {...} }` or a topology-level `bgp:` (not
 * both). Pure conversion with positions; the runtime starts `lab-agent k8s` on every node from it.
 *
 *   bgp:
 *     agent: true            # start lab-agent on every Kubernetes node (default true)
 *     dialect: cilium        # cilium | calico | kube-router | kube-ovn | metallb; absent: detected from the objects
 *     flags: [--run-router=true, ...]   # the dialect's own flags (kube-router, Kube-OVN)
 *
 * Several clusters (`k8s-kind` nodes): the topology-level block applies to every cluster; a k8s-kind
 * node's own `bgp:` (same keys) overrides it for that cluster, e.g. its own --cluster-asn and peers.
 */
import type { RawTopologyFile } from './raw-types.js';
import type { IssueList, PathSeg } from './source-map.js';
import { CLUSTER_BGP_DIALECTS, type ClusterBgp, type ClusterBgpDialect } from './types.js';

const KEYS = ['agent', 'dialect', 'flags'];
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Reads the block; `undefined` when neither place has one (the agent then starts with dialect detection). */
export function normalizeClusterBgp(raw: RawTopologyFile, issues: IssueList, hasCluster = raw.cluster !== undefined): ClusterBgp | undefined {
  const inCluster = isObj(raw.cluster) ? raw.cluster['bgp'] : undefined;
  const top = raw.bgp;
  if (inCluster !== undefined && top !== undefined) {
    issues.add(['bgp'], 'the agent settings are given twice: keep either cluster.bgp or the topology-level bgp', 'key');
  }
  const value = inCluster ?? top;
  if (value === undefined) return undefined;
  const at: PathSeg[] = inCluster !== undefined ? ['cluster', 'bgp'] : ['bgp'];
  if (!hasCluster) issues.add(at, 'bgp configures the cluster\'s node agent, but the topology has no cluster section', 'key');
  return readClusterBgp(value, at, issues);
}

/** One agent-settings block at `at` (topology, cluster section or a k8s-kind node). */
export function readClusterBgp(value: unknown, at: PathSeg[], issues: IssueList): ClusterBgp | undefined {
  if (!isObj(value)) {
    issues.add(at, 'bgp is a mapping: { dialect: cilium|calico|kube-router|kube-ovn|metallb, flags: [...], agent: true|false }');
    return undefined;
  }
  for (const k of Object.keys(value)) if (!KEYS.includes(k)) issues.add([...at, k], `unknown key "${k}" (known: ${KEYS.join(', ')})`, 'key');
  const out: ClusterBgp = { agent: true, flags: [], pos: issues.map.locate(at, 'key') };
  if (value['agent'] !== undefined) {
    if (typeof value['agent'] !== 'boolean') issues.add([...at, 'agent'], 'agent is true or false');
    else out.agent = value['agent'];
  }
  const d = value['dialect'];
  if (d !== undefined) {
    if (typeof d !== 'string' || !(CLUSTER_BGP_DIALECTS as readonly string[]).includes(d)) issues.add([...at, 'dialect'], `unknown dialect ${JSON.stringify(d)} (known: ${CLUSTER_BGP_DIALECTS.join(', ')})`);
    else out.dialect = d as ClusterBgpDialect;
  }
  const f = value['flags'];
  if (f !== undefined) {
    if (!Array.isArray(f)) issues.add([...at, 'flags'], 'flags is a list of the dialect\'s command-line flags, e.g. [--run-router=true]');
    else {
      f.forEach((x, i) => {
        if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') issues.add([...at, 'flags', i], 'a flag is a string such as --peer-router-ips=10.0.0.1');
        else out.flags.push(String(x));
      });
    }
  }
  return out;
}

/** The kind Cluster object without our `bgp` key (the kind parser knows nothing of it). */
export function withoutBgp(section: Obj): Obj {
  if (!('bgp' in section)) return section;
  const { bgp: _bgp, ...rest } = section;
  return rest;
}

/**
 * A `k8s-kind` node's own `bgp:` (its cluster's agents: its own ASN and peers in the dialect's flags)
 * over the topology-level one: each key it gives replaces that key of the topology's block (flags as a
 * whole list). Undefined when neither has one.
 */
export function kindNodeBgp(own: unknown, node: string, shared: ClusterBgp | undefined, issues: IssueList): ClusterBgp | undefined {
  if (own === undefined) return shared;
  const at: PathSeg[] = ['topology', 'nodes', node, 'bgp'];
  const mine = readClusterBgp(own, at, issues);
  if (!mine || !shared) return mine;
  const given = isObj(own) ? own : {};
  const dialect = given['dialect'] !== undefined ? mine.dialect : shared.dialect;
  return {
    agent: given['agent'] !== undefined ? mine.agent : shared.agent,
    ...(dialect ? { dialect } : {}),
    flags: given['flags'] !== undefined ? mine.flags : shared.flags,
    pos: mine.pos,
  };
}
