/**
 * The cluster side of the derived peering, in the lab's dialect: a Kubernetes node peers with the
 * ToR(s) it is linked to. Cilium: one CiliumBGPPeeringPolicy per ToR (its rack), peering with
 * the ToR's loopback as the article does. Calico: BGPConfiguration (mesh off) and one BGPPeer per
 * ToR. Other dialects configure peers with flags the lab's `cluster.bgp.flags` carries: a note says so.
 */
import type { ClusterAttachment } from './types.js';

type Obj = Record<string, unknown>;

export interface ClusterObjects {
  objects: Obj[];
  notes: string[];
}

function racks(attachments: ClusterAttachment[]): Map<string, ClusterAttachment[]> {
  const m = new Map<string, ClusterAttachment[]>();
  for (const a of attachments) (m.get(a.tor) ?? m.set(a.tor, []).get(a.tor)!).push(a);
  return m;
}

export function clusterObjects(dialect: string | undefined, attachments: ClusterAttachment[], torAsn: (tor: string) => number, torLoopback: (tor: string) => string): ClusterObjects {
  if (attachments.length === 0) return { objects: [], notes: [] };
  const multi = new Set(attachments.map((a) => a.k8sNode).filter((n, i, all) => all.indexOf(n) !== i));
  const notes = multi.size ? [`nodes linked to more than one router (${[...multi].join(', ')}) peer with the first one's loopback only in the generated objects`] : [];
  const byRack = racks(attachments.filter((a, i, all) => all.findIndex((b) => b.k8sNode === a.k8sNode) === i));
  const hostnames = (list: ClusterAttachment[]) => [...new Set(list.map((a) => a.k8sNode))].sort();
  if (dialect === undefined || dialect === 'cilium') {
    const objects = [...byRack].map(([tor, list]) => ({
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumBGPPeeringPolicy',
      metadata: { name: `kindlab-${tor}`, labels: { 'kindlab.io/rendered': 'true' } },
      spec: {
        nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: hostnames(list) }] },
        virtualRouters: [{ localASN: list[0]!.nodeAsn, exportPodCIDR: true, neighbors: [{ peerAddress: `${torLoopback(tor)}/32`, peerASN: torAsn(tor) }] }],
      },
    }));
    return { objects, notes };
  }
  if (dialect === 'calico') {
    const asns = new Set(attachments.map((a) => a.nodeAsn));
    if (asns.size > 1) notes.push(`calico: the nodes' ASNs differ per rack (${[...asns].join(', ')}); set routing.cluster.asn for one cluster ASN, or set each node's ASN yourself`);
    const objects: Obj[] = [
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'BGPConfiguration', metadata: { name: 'default' }, spec: { nodeToNodeMeshEnabled: false, asNumber: [...asns][0] } },
      ...[...byRack].map(([tor, list]) => ({
        apiVersion: 'crd.projectcalico.org/v1',
        kind: 'BGPPeer',
        metadata: { name: `kindlab-${tor}` },
        spec: { nodeSelector: `kubernetes.io/hostname in { ${hostnames(list).map((h) => `'${h}'`).join(', ')} }`, peerIP: torLoopback(tor), asNumber: torAsn(tor) },
      })),
    ];
    return { objects, notes };
  }
  notes.push(`${dialect}: peers are configured by the dialect's flags or annotations; give them in cluster.bgp.flags (the routers' side is rendered)`);
  return { objects: [], notes };
}
