/**
 * The cluster side of the derived peering, in the lab's dialect: a Kubernetes node peers with the
 * ToR(s) it is linked to, at the ToR's loopback as the Cilium article does.
 * - Cilium: one CiliumBGPPeeringPolicy per ToR (its rack).
 * - Calico: BGPConfiguration (mesh off) and one BGPPeer per ToR.
 * - kube-router: per-node annotations (node.asn, peer.ips, peer.asns), applied to the Node objects.
 * - Kube-OVN: kube-ovn-speaker flags (--neighbor-address, --neighbor-as, --cluster-as): one set for
 *   every node, so every ToR's loopback is a neighbor, and the ToRs must share one ASN.
 * - MetalLB: one BGPPeer per ToR (nodeSelectors on the hostnames), and with `routing.cluster.lb-pool`
 *   an IPAddressPool and a BGPAdvertisement for it.
 */
import type { ClusterAttachment } from './types.js';

type Obj = Record<string, unknown>;

export interface ClusterObjects {
  objects: Obj[];
  /** The dialect's flags (Kube-OVN), used when the lab gives none in cluster.bgp.flags. */
  flags: string[];
  notes: string[];
}

export interface ClusterSide {
  torAsn: (tor: string) => number;
  torLoopback: (tor: string) => string;
  /** LoadBalancer addresses MetalLB announces (routing.cluster.lb-pool). */
  lbPool?: string;
}

const METALLB_NS = 'metallb-system';

function racks(attachments: ClusterAttachment[]): Map<string, ClusterAttachment[]> {
  const m = new Map<string, ClusterAttachment[]>();
  for (const a of attachments) (m.get(a.tor) ?? m.set(a.tor, []).get(a.tor)!).push(a);
  return m;
}

export function clusterObjects(dialect: string | undefined, attachments: ClusterAttachment[], side: ClusterSide): ClusterObjects {
  const { torAsn, torLoopback } = side;
  if (attachments.length === 0) return { objects: [], flags: [], notes: [] };
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
    return { objects, flags: [], notes };
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
    return { objects, flags: [], notes };
  }
  if (dialect === 'kube-router') {
    // kube-router reads a node's peers from its annotations when no --peer-router-ips flag is given
    const objects = [...byRack].flatMap(([tor, list]) => hostnames(list).map((h) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: h, annotations: { 'kube-router.io/node.asn': String(list.find((a) => a.k8sNode === h)!.nodeAsn), 'kube-router.io/peer.ips': torLoopback(tor), 'kube-router.io/peer.asns': String(torAsn(tor)) } },
    })));
    return { objects, flags: [], notes };
  }
  if (dialect === 'kube-ovn') {
    const tors = [...byRack.keys()];
    const torAsns = [...new Set(tors.map(torAsn))];
    const nodeAsns = [...new Set(attachments.map((a) => a.nodeAsn))];
    if (torAsns.length > 1 || nodeAsns.length > 1) {
      notes.push(`kube-ovn: the speaker takes one --neighbor-as and one --cluster-as for every node, and the ToRs' ASNs (${torAsns.join(', ')}) or the nodes' (${nodeAsns.join(', ')}) differ; give the flags in cluster.bgp.flags (the routers' side is rendered)`);
      return { objects: [], flags: [], notes };
    }
    return { objects: [], flags: [`--neighbor-address=${tors.map(torLoopback).join(',')}`, `--neighbor-as=${torAsns[0]}`, `--cluster-as=${nodeAsns[0]}`], notes };
  }
  if (dialect === 'metallb') {
    const myAsns = new Set(attachments.map((a) => a.nodeAsn));
    if (myAsns.size > 1) notes.push(`metallb: the nodes' ASNs differ per rack (${[...myAsns].join(', ')}); each BGPPeer's myASN is its rack's`);
    const objects: Obj[] = [...byRack].map(([tor, list]) => ({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: `kindlab-${tor}`, namespace: METALLB_NS },
      spec: { myASN: list[0]!.nodeAsn, peerASN: torAsn(tor), peerAddress: torLoopback(tor), nodeSelectors: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: hostnames(list) }] }] },
    }));
    if (side.lbPool) {
      objects.push(
        { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'kindlab', namespace: METALLB_NS }, spec: { addresses: [side.lbPool] } },
        { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'kindlab', namespace: METALLB_NS }, spec: { ipAddressPools: ['kindlab'] } },
      );
    } else notes.push('metallb: no routing.cluster.lb-pool, so no IPAddressPool or BGPAdvertisement is generated (give your own)');
    return { objects, flags: [], notes };
  }
  notes.push(`${dialect}: peers are configured by the dialect's flags or annotations; give them in cluster.bgp.flags (the routers' side is rendered)`);
  return { objects: [], flags: [], notes };
}
