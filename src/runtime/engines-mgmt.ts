/**
 * The management network of a lab spanning several engines (`hosts:`), as real machines need it:
 * on each engine the lab's mgmt Docker network (same name and subnet; its own gateway and address
 * range, planned in topology/hosts-mgmt.ts), and on each engine's machine a VXLAN device (the
 * lab's mgmt VNI, local = that engine's underlay address, remote = the other's, or one flood
 * entry per other engine when there are more than two) enslaved to that network's bridge. The
 * nodes' eth0 are then on one L2 segment whichever engine runs them: the API server, node
 * daemons and agents reach each other on their mgmt addresses. The network's MTU is the
 * underlay's minus the 50 bytes of VXLAN headers, so that no frame is too big for the tunnel.
 *
 * Kernel changes go through the lab's helper container on each engine (cross-links.ts: host
 * network and pid namespaces, NET_ADMIN), never through this machine's own `ip`.
 */
import { KindlabError, errorMessage } from '../errors.js';
import { mgmtPerEngine, mgmtVni, mgmtVxlanName, type LabPlan } from '../topology/index.js';
import { mgmtNetworkOptions } from './container-spec.js';
import { underlayOf, VXLAN_OVERHEAD, VXLAN_PORT, type VtepHelpers } from './cross-links.js';
import type { Engine } from './engines.js';
import { LABEL_LAB, linkMarkPrefix } from './labels.js';
import type { MgmtOutcome } from './mgmt.js';
import { hostMountArgv } from './host-net.js';
import { parkingNetns } from './special-links.js';

/** The alias on each engine's mgmt VXLAN device: found and removed by it at destroy. */
export function mgmtVxlanMark(lab: string): string {
  return `${linkMarkPrefix(lab)}mgmt-vxlan`;
}

/** `ip` argv lines that create one engine's mgmt VXLAN device and put it on the bridge. Pure. */
export function mgmtVxlanCommands(lab: string, e: { underlay: string; dev: string }, peers: string[], bridge: string, mtu: number): string[][] {
  const name = mgmtVxlanName(lab);
  const remote = peers.length === 1 ? ['remote', peers[0]!] : [];
  return [
    ['link', 'add', name, 'mtu', String(mtu), 'type', 'vxlan', 'id', String(mgmtVni(lab)), 'local', e.underlay, ...remote, 'dstport', String(VXLAN_PORT), 'dev', e.dev],
    // more than one peer: head-end replication, one all-zeros flood entry per peer
    ...(peers.length > 1 ? peers.map((p) => ['-', 'bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', name, 'dst', p]) : []),
    ['link', 'set', 'dev', name, 'alias', mgmtVxlanMark(lab)],
    ['link', 'set', 'dev', name, 'master', bridge, 'up'],
  ];
}

/** Creates (or checks) the mgmt network on every engine and joins them with the VXLAN devices. */
export async function ensureEngineMgmt(engines: Engine[], plan: LabPlan, h: VtepHelpers): Promise<{ outcome: MgmtOutcome; mtu: number; vni: number }> {
  const per = mgmtPerEngine(plan.mgmt, engines.map((e) => e.name));
  const peersOf = (e: Engine) => engines.filter((x) => x !== e).map((x) => x.underlay);
  // the underlay device towards the first other engine, and its MTU, on each machine
  const under = await Promise.all(engines.map((e) => underlayOf(h, e, peersOf(e)[0] ?? e.underlay)));
  const mtu = Math.min(plan.mgmt.mtu ?? 1500, ...under.map((u) => u.mtu - VXLAN_OVERHEAD));
  let outcome: MgmtOutcome = 'reused';
  const name = mgmtVxlanName(plan.name);
  for (const [i, e] of engines.entries()) {
    const mine = per[i]!;
    let net = await e.runtime.inspectNetwork(plan.mgmt.network);
    if (net) {
      if (!net.subnets.includes(plan.mgmt.ipv4Subnet)) throw new KindlabError('RUNTIME_DOCKER', `host ${e.name}: management network ${plan.mgmt.network} exists with subnet ${net.subnets.join(', ') || '(none)'}, not ${plan.mgmt.ipv4Subnet}`, { hint: `remove it there, or set another mgmt.network` });
      const owner = net.labels[LABEL_LAB];
      if (owner !== undefined && owner !== plan.name) throw new KindlabError('RUNTIME_DOCKER', `host ${e.name}: management network ${plan.mgmt.network} belongs to lab ${owner}`, { hint: `choose another mgmt.network, or destroy that lab: lab destroy --name ${owner}` });
    } else {
      const opts = mgmtNetworkOptions(plan);
      const v4 = { Subnet: plan.mgmt.ipv4Subnet, Gateway: mine.gateway, IPRange: mine.ipRange };
      await e.runtime.createNetwork({ ...opts, IPAM: { Driver: 'default', Config: [v4, ...(opts.IPAM?.Config ?? []).slice(1)] }, Options: { ...opts.Options, 'com.docker.network.driver.mtu': String(mtu) } }).catch((err: unknown) => {
        throw new KindlabError('RUNTIME_DOCKER', `host ${e.name}: cannot create management network ${plan.mgmt.network} (${plan.mgmt.ipv4Subnet}, range ${mine.ipRange}, gateway ${mine.gateway}): ${errorMessage(err)}`, { cause: err });
      });
      outcome = 'created';
      net = await e.runtime.inspectNetwork(plan.mgmt.network);
    }
    if (!net?.bridge) throw new KindlabError('RUNTIME_DOCKER', `host ${e.name}: management network ${plan.mgmt.network} has no Linux bridge`);
    // a device left by an earlier deploy is made again (its peers may have changed)
    await h.run(e, ['ip', 'link', 'del', 'dev', name]).catch(() => undefined);
    for (const argv of mgmtVxlanCommands(plan.name, { underlay: e.underlay, dev: under[i]!.dev }, peersOf(e), net.bridge, mtu)) {
      const cmd = argv[0] === '-' ? argv.slice(1) : ['ip', ...argv];
      await h.run(e, cmd).catch((err: unknown) => {
        throw new KindlabError('LINK_CREATE', `host ${e.name}: management VXLAN ${name} (VNI ${mgmtVni(plan.name)}): ${cmd.join(' ')} failed`, { cause: err, detail: errorMessage(err) });
      });
    }
  }
  return { outcome, mtu, vni: mgmtVni(plan.name) };
}

/**
 * On each reachable engine's machine, deletes the interfaces carrying the lab's mark (the mgmt
 * VXLAN device; the bridge went with the Docker network), through a helper started for it.
 * Returns `host:ifname` of each.
 */
export async function sweepEngineLinks(engines: Engine[], lab: string, h: VtepHelpers): Promise<string[]> {
  const out: string[] = [];
  const prefix = linkMarkPrefix(lab);
  for (const e of engines) {
    const list = await h.run(e, ['ip', '-j', 'link', 'show']).catch((err: unknown) => {
      // an engine without the helper's image never had a helper, so none of the lab's interfaces
      if (/no such image/i.test(errorMessage(err))) return '[]';
      throw err;
    });
    const ours = (JSON.parse(list || '[]') as Array<{ ifname: string; ifalias?: string }>).filter((l) => l.ifalias?.startsWith(prefix));
    for (const l of ours) {
      await h.run(e, ['ip', 'link', 'del', 'dev', l.ifname]);
      out.push(`${e.name}:${l.ifname}`);
    }
    // the parking namespace of emulated dummy links made on that machine (host-net.ts: in its /run/netns)
    const park = await h.exec(e, hostMountArgv(['ip', 'netns', 'del', parkingNetns(lab)])).catch(() => undefined);
    if (park?.exitCode === 0) out.push(`${e.name}:netns ${parkingNetns(lab)}`);
  }
  return out;
}
