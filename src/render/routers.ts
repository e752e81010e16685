/** One router's view model (neighbors from its sessions) → its daemon's config files and exec lines. */
import type { Fabric } from './derive.js';
import { DEFAULT_FRR_DAEMONS, renderDaemons } from './frr-daemons.js';
import { networkOf } from './pools.js';
import { renderTemplate } from './templates.js';
import type { LinkAddress, RenderedRouter, RoutingDefaults, Session } from './types.js';

export interface NeighborView {
  /** What names the neighbor in the config: its address, or the interface when unnumbered. */
  id: string;
  address?: string;
  iface?: string;
  remoteAs: number;
  ebgp: boolean;
  description: string;
  password?: string;
  bfd: boolean;
  localAddress?: string;
  /** BIRD protocol name. */
  protocol: string;
}

function neighborView(s: Session): NeighborView {
  const id = s.peerAddress ?? s.iface;
  return {
    id,
    ...(s.peerAddress ? { address: s.peerAddress } : { iface: s.iface }),
    remoteAs: s.peerAsn,
    ebgp: s.peerAsn !== s.localAsn,
    description: `${s.kind} ${s.peer}`,
    ...(s.password ? { password: s.password } : {}),
    bfd: s.bfd,
    ...(s.localAddress ? { localAddress: s.localAddress } : {}),
    protocol: `${s.kind}_${s.peer}_${s.iface}`.replace(/[^A-Za-z0-9_]/g, '_'),
  };
}

/** Connected prefixes of a router (its loopback and link subnets), in network form. */
function connected(lo: string, addrs: LinkAddress[]): string[] {
  const out = [`${lo}/32`];
  for (const a of addrs) {
    if (!a.cidr) continue;
    const [ip, len] = a.cidr.split('/');
    out.push(`${networkOf(ip!, Number(len))}/${len}`);
  }
  return out;
}

/** The interfaces of `name` on fabric links to an OSPF-capable router (FRR, BIRD), with that router. */
export function ospfIfaces(name: string, fabric: Fabric): Array<{ iface: string; peer: string }> {
  const seen = new Set<string>();
  const out: Array<{ iface: string; peer: string }> = [];
  for (const s of fabric.sessions) {
    if (s.kind !== 'fabric' || s.local !== name || seen.has(s.iface)) continue;
    if (fabric.routers.get(s.peer)?.daemon === 'gobgp') continue;
    seen.add(s.iface);
    out.push({ iface: s.iface, peer: s.peer });
  }
  return out;
}

export function renderRouter(name: string, fabric: Fabric, d: RoutingDefaults | undefined): RenderedRouter {
  const r = fabric.routers.get(name)!;
  const sessions = fabric.sessions.filter((s) => s.local === name);
  const addrs = fabric.addresses.filter((a) => a.node === name);
  // OSPF on the router–router links whose far end runs FRR or BIRD (GoBGP has none)
  const ospfLinks = d?.ospf && r.daemon !== 'gobgp' ? ospfIfaces(name, fabric) : [];
  const view = {
    ospf: d?.ospf && ospfLinks.length ? { area: d.ospf.area, ifaces: ospfLinks.map((l) => l.iface) } : undefined,
    node: name,
    asn: r.asn,
    routerId: r.routerId,
    multipath: r.multipath,
    redistributeConnected: d?.redistributeConnected ?? true,
    originate: r.originate,
    defaultOriginate: r.defaultOriginate,
    prefixIn: r.prefixIn,
    prefixOut: r.prefixOut,
    communities: r.communities,
    bfd: sessions.some((s) => s.bfd),
    neighbors: sessions.map(neighborView),
  };
  const exec = [`ip addr add ${r.loopback}/32 dev lo`, ...addrs.filter((a) => a.cidr).map((a) => `ip addr add ${a.cidr} dev ${a.iface}`)];
  if (r.daemon === 'frr') {
    for (const p of r.originate) exec.push(`ip route add blackhole ${p}`);
    exec.push('/usr/lib/frr/frrinit.sh start');
    return { node: name, daemon: 'frr', asn: r.asn, routerId: r.routerId, exec, files: [
      { path: '/etc/frr/frr.conf', content: renderTemplate('frr.conf', view) },
      { path: '/etc/frr/daemons', content: renderDaemons(view.bfd ? DEFAULT_FRR_DAEMONS : DEFAULT_FRR_DAEMONS.filter((x) => x !== 'bfdd')) },
      { path: '/etc/frr/vtysh.conf', content: 'service integrated-vtysh-config\n' },
    ] };
  }
  if (r.daemon === 'bird') {
    exec.push("sh -c 'mkdir -p /run/bird && bird -c /etc/bird/bird.conf'");
    return { node: name, daemon: 'bird', asn: r.asn, routerId: r.routerId, exec, files: [{ path: '/etc/bird/bird.conf', content: renderTemplate('bird.conf', view) }] };
  }
  exec.push("sh -c 'gobgpd -f /etc/gobgp/gobgpd.toml -t toml > /var/log/gobgpd.log 2>&1 &'");
  exec.push("sh -c 'for i in $(seq 100); do gobgp global >/dev/null 2>&1 && exit 0; sleep 0.1; done; echo gobgpd did not start >&2; cat /var/log/gobgpd.log >&2; exit 1'");
  const announce = [...((d?.redistributeConnected ?? true) ? connected(r.loopback, addrs) : []), ...r.originate];
  for (const p of announce) exec.push(`gobgp global rib add ${p}${r.communities.length ? ` community ${r.communities.join(',')}` : ''}`);
  return { node: name, daemon: 'gobgp', asn: r.asn, routerId: r.routerId, exec, files: [{ path: '/etc/gobgp/gobgpd.toml', content: renderTemplate('gobgpd.toml', view) }] };
}

