/**
 * Several kind clusters in one lab (issue [K]; containerlab's k8s-kind example runs two). Pure planning;
 * topology/normalize writes the moved subnets into each cluster, and the deploy runs one cluster
 * provider per cluster (runtime/cluster-providers.ts).
 *
 * Shape chosen: the containerlab form. Each cluster is a topology node of kind `k8s-kind` whose
 * `startup-config` names a kind Cluster config (inline `cluster:` stays the one-cluster form and counts
 * as one more cluster, the first, when both are present). The node name is the cluster's name unless the kind
 * config sets `name`; its Kubernetes nodes are containers `<cluster>-control-plane`, `<cluster>-worker`…
 * as with kind, and links/ext-container nodes refer to them by those names.
 *
 * What this plans for each cluster: its own name, node container names, pod and service subnets
 * (kind's defaults moved apart so that the clusters' pods can be routed on one fabric; subnets the
 * user wrote must not overlap another cluster's), API server port (fixed ports must differ; 0 = pick
 * a free one at deploy) and kubeconfig path in the lab directory. Pure.
 */
import { cidrsOverlap, parseCidr6, formatCidr6, splitList } from '../cluster/config/index.js';
import type { ClusterSpec } from '../cluster/config/index.js';
import type { SourcePos } from './types.js';

export interface ClusterInLab {
  spec: ClusterSpec;
  /** Where the cluster is declared (the k8s-kind node or the `cluster:` section). */
  pos: SourcePos;
}

export interface PlannedCluster {
  name: string;
  podSubnet: string;
  serviceSubnet: string;
  /** 0 = a free port chosen at deploy. */
  apiServerPort: number;
  /** Relative to the lab directory. */
  kubeconfig: string;
  /** Container (= Kubernetes Node) names. */
  nodeNames: string[];
}

export interface ClusterPlanIssue {
  pos: SourcePos;
  message: string;
}

/** kind's default subnet moved by `i` steps: 10.244.0.0/16 → 10.245.0.0/16; fd00:10:244::/56 → fd00:10:245::/56. */
export function shiftedDefault(cidr: string, i: number): string | undefined {
  if (cidr.includes(':')) {
    const c = parseCidr6(cidr);
    // step by the /48 the kind default sits in (fd00:10:244::/56 → fd00:10:245::/56)
    return formatCidr6({ base: c.base + (BigInt(i) << 80n), prefix: c.prefix });
  }
  const [a, b, ...rest] = cidr.split('.');
  const second = Number(b) + i;
  return second > 255 ? undefined : [a, String(second), ...rest].join('.');
}

export function planClusters(clusters: ClusterInLab[]): { clusters: PlannedCluster[]; issues: ClusterPlanIssue[] } {
  const issues: ClusterPlanIssue[] = [];
  const out: PlannedCluster[] = [];
  const seenNames = new Map<string, ClusterInLab>();
  const ports = new Map<number, string>();
  const taken: Array<{ cidr: string; owner: string; what: string }> = [];
  // Subnets the user wrote are placed first; defaulted ones then move around them.
  for (const c of clusters) {
    for (const what of ['podSubnet', 'serviceSubnet'] as const) {
      if (c.spec.defaulted?.includes(what)) continue;
      for (const cidr of splitList(c.spec[what])) {
        const clash = taken.find((t) => cidrsOverlap(t.cidr, cidr));
        if (clash) issues.push({ pos: c.pos, message: `cluster ${c.spec.name}: ${what} ${cidr} overlaps ${clash.what} ${clash.cidr} of cluster ${clash.owner}; clusters on one fabric need distinct subnets` });
        taken.push({ cidr, owner: c.spec.name, what });
      }
    }
  }
  for (const c of clusters) {
    const { spec } = c;
    const prev = seenNames.get(spec.name);
    if (prev) issues.push({ pos: c.pos, message: `cluster name ${spec.name} is used twice (also at ${prev.pos.file}:${prev.pos.line}:${prev.pos.col}); its node containers would clash` });
    seenNames.set(spec.name, c);
    const subnets: Record<'podSubnet' | 'serviceSubnet', string> = { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet };
    for (const what of ['podSubnet', 'serviceSubnet'] as const) {
      if (!spec.defaulted?.includes(what)) continue;
      const moved: string[] = [];
      for (const cidr of splitList(spec[what])) {
        let pick: string | undefined;
        for (let i = 0; i < 256 && !pick; i++) {
          const cand = shiftedDefault(cidr, i);
          if (cand === undefined) break;
          if (!taken.some((t) => cidrsOverlap(t.cidr, cand))) pick = cand;
        }
        if (!pick) {
          issues.push({ pos: c.pos, message: `cluster ${spec.name}: no free ${what} near kind's default ${cidr}; set networking.${what}` });
          continue;
        }
        taken.push({ cidr: pick, owner: spec.name, what });
        moved.push(pick);
      }
      subnets[what] = moved.join(',');
    }
    if (spec.apiServerPort) {
      const other = ports.get(spec.apiServerPort);
      if (other) issues.push({ pos: c.pos, message: `cluster ${spec.name}: networking.apiServerPort ${spec.apiServerPort} is also cluster ${other}'s` });
      ports.set(spec.apiServerPort, spec.name);
    }
    out.push({ name: spec.name, ...subnets, apiServerPort: spec.apiServerPort, kubeconfig: `${spec.name}/kubeconfig`, nodeNames: spec.nodes.map((n) => n.name) });
  }
  return { clusters: out, issues };
}
