/**
 * The checks that follow from the intent: every intended session Established, every router's
 * loopback and originated prefixes on every other router that should learn them (with the ECMP
 * width shortest paths give, on FRR), and hosts on access links reaching each other where the
 * path has a forwarding plane (GoBGP keeps routes out of the kernel).
 */
import type { Fabric } from './derive.js';
import { ospfIfaces } from './routers.js';
import type { DerivedCheck } from './types.js';

type Router = Fabric['routers'] extends Map<string, infer R> ? R : never;

/**
 * Hop distances from `from` over eBGP fabric sessions, as its announcements travel: iBGP routes
 * are not passed on without reflectors, and a router drops a path that already carries its ASN
 * (two spines sharing an ASN never learn each other's loopback).
 */
function distances(fabric: Fabric, from: string): Map<string, number> {
  const adj = new Map<string, string[]>();
  for (const s of fabric.sessions) if (s.kind === 'fabric' && s.localAsn !== s.peerAsn) (adj.get(s.local) ?? adj.set(s.local, []).get(s.local)!).push(s.peer);
  const asn = (n: string) => fabric.routers.get(n)!.asn;
  const dist = new Map([[from, 0]]);
  const path = new Map([[from, new Set([asn(from)])]]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift()!;
    for (const n of adj.get(at) ?? []) {
      if (dist.has(n) || path.get(at)!.has(asn(n))) continue;
      dist.set(n, dist.get(at)! + 1);
      path.set(n, new Set([...path.get(at)!, asn(n)]));
      queue.push(n);
    }
  }
  return dist;
}

function ecmpWidth(fabric: Fabric, at: string, target: string): number {
  const d = distances(fabric, target);
  const mine = d.get(at);
  if (mine === undefined) return 0;
  const peers = new Set(fabric.sessions.filter((s) => s.kind === 'fabric' && s.local === at && s.localAsn !== s.peerAsn).map((s) => s.peer));
  return [...peers].filter((p) => d.get(p) === mine - 1).length;
}

/**
 * OSPF: each end of an OSPF link sees its neighbor's router ID Full — an exec check on the daemon's
 * neighbor table (FRR `show ip ospf neighbor`, BIRD `show ospf neighbors`: router ID, priority, state).
 */
function ospfChecks(fabric: Fabric): DerivedCheck[] {
  const out: DerivedCheck[] = [];
  for (const r of fabric.routers.values()) {
    if (r.daemon === 'gobgp') continue;
    for (const l of ospfIfaces(r.node, fabric)) {
      const rid = fabric.routers.get(l.peer)!.routerId;
      const command = r.daemon === 'frr' ? "vtysh -c 'show ip ospf neighbor'" : 'birdc show ospf neighbors kl_ospf';
      out.push({ exec: { node: r.node, command, regex: `^${rid.replace(/\./g, '\\.')}\\s+\\d+\\s+Full`, name: `${r.node} OSPF neighbor ${l.peer} (${rid}) on ${l.iface} Full` } });
    }
  }
  return out;
}

export function deriveIntentChecks(fabric: Fabric, redistributeConnected: boolean, ospf = false): DerivedCheck[] {
  const out: DerivedCheck[] = ospf ? ospfChecks(fabric) : [];
  for (const s of fabric.sessions) {
    const peer = s.peerAddress ?? s.iface;
    out.push({ bgp: { node: s.local, peer, name: `${s.local} ${s.kind} session to ${s.peer} (${peer}) Established` } });
  }
  const routers = [...fabric.routers.values()];
  const announced = (r: Router) => [...(redistributeConnected ? [`${r.loopback}/32`] : []), ...r.originate];
  for (const at of routers) {
    for (const other of routers) {
      if (other === at || !distances(fabric, other.node).has(at.node)) continue;
      const width = at.multipath && at.daemon === 'frr' ? ecmpWidth(fabric, at.node, other.node) : 0;
      for (const prefix of announced(other)) {
        out.push({ route: { node: at.node, prefix, ...(width > 1 ? { ecmp: width } : {}), name: `${at.node} learns ${prefix} from ${other.node}${width > 1 ? ` over ${width} paths` : ''}` } });
      }
    }
  }
  return out;
}
