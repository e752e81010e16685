/**
 * Links with one node end, as containerlab makes them:
 * - `host`: a veth whose other end stays in the host namespace under the given name;
 * - `mgmt-net`: the same, with the host end a port of the lab's management bridge;
 * - `macvlan`: a macvlan on a host interface, created straight into the node;
 * - `dummy`: this kernel has no dummy driver, so a veth whose peer is parked (up) in the
 *   lab's parking namespace `kindlab-<lab>-park`; the node sees an up interface with the MTU;
 * - `vxlan`: a VXLAN device created in the host namespace (so its UDP socket and underlay are
 *   the host's, on the parent interface, as containerlab does) straight into the node;
 * - `vxlan-stitch`: the VXLAN device stays in the host, a veth joins the node, and tc
 *   redirects every frame between the host's two ends.
 * Every interface created in the host (and the node ends) carries the lab's mark alias, so
 * `lab destroy` deletes it; the parking namespace goes with the lab's named namespaces.
 * Nothing else of the host is changed: an existing host interface of the same name that is
 * not ours stops the deploy. "The host" is the machine running the node: for a node on an
 * engine of a lab with `hosts:` the commands run there through its helper (host-net.ts).
 */
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { KindlabError, ExecError } from '../errors.js';
import type { DummyLinkSpec, HostLinkSpec, LinkEndpoint, MacvlanLinkSpec, SingleEndpointLinkSpec, VxlanLinkSpec } from '../topology/index.js';
import { linkMark } from './labels.js';
import { endpointMac } from './mac.js';
import { endpointConfigLines, endpointMacOf, existingMark, withRetry, type LinkNodes, type LinkOutcome } from './links.js';
import { localHostNet, type HostNet } from './host-net.js';

export interface SpecialLinkNodes extends LinkNodes {
  /** The Linux bridge of the lab's management network (mgmt-net links). */
  mgmtBridge(): Promise<string>;
}

/** The lab's namespace holding the parked peers of emulated dummy interfaces (swept by destroy as `kindlab-<lab>-*`). */
export function parkingNetns(lab: string): string {
  return `kindlab-${lab}-park`;
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

/** A host interface name `<prefix><node>_<iface>` (containerlab's), hashed when longer than Linux allows. Pure. */
export function hostIfaceName(prefix: string, ep: { node: string; iface: string }): string {
  const plain = `${prefix}${ep.node}_${ep.iface}`;
  return plain.length <= 15 ? plain : `${prefix}${short(`${ep.node}\0${ep.iface}`)}`;
}

/** The dummy's parked peer name (unique per node end within the parking namespace). Pure. */
export function parkedPeerName(ep: { node: string; iface: string }): string {
  return `dm-${short(`${ep.node}\0${ep.iface}`)}`;
}

/** Host-side interface names a link creates (for titles, topology data and tests). Pure. */
export function hostIfaces(link: SingleEndpointLinkSpec): string[] {
  const ep = link.endpoints[0];
  switch (link.type) {
    case 'host':
    case 'mgmt-net':
      return [link.host.iface];
    case 'vxlan-stitch':
      return [hostIfaceName('vx-', ep), hostIfaceName('ve-', ep)];
    default:
      return [];
  }
}

/** The far end of a single-endpoint link in words, e.g. `host:veth-a`, `vxlan:192.0.2.1/100`. Pure. */
function farEnd(link: SingleEndpointLinkSpec): string {
  switch (link.type) {
    case 'host':
    case 'mgmt-net':
      return `${link.type}:${link.host.iface}`;
    case 'macvlan':
      return `macvlan:${link.parent}`;
    case 'dummy':
      return 'dummy';
    default:
      return `${link.type}:${link.remote}/${link.vni}`;
  }
}

export function specialLinkTitle(link: SingleEndpointLinkSpec): string {
  const ep = link.endpoints[0];
  return `${ep.node}:${ep.iface} <-> ${farEnd(link)}`;
}

/** The mark of a single-endpoint link: the node end `--` the far end. */
export function specialMark(lab: string, link: SingleEndpointLinkSpec): string {
  const [node, iface] = farEnd(link).split(/:(.*)/s) as [string, string | undefined];
  return linkMark(lab, link.endpoints[0], { node, iface: iface ?? '' });
}

/** `ip link add` argv for the veth of a host, mgmt-net or stitch link: host end by name, node end straight into the node. Pure. */
export function hostVethArgs(hostIface: string, hostMac: string, ep: LinkEndpoint, epMac: string, pid: number, mtu: number): string[] {
  return ['link', 'add', 'name', hostIface, 'mtu', String(mtu), 'address', hostMac, 'type', 'veth', 'peer', 'name', ep.iface, 'netns', String(pid), 'mtu', String(mtu), 'address', epMac];
}

/** `ip link add` argv of a VXLAN device (created in the host; `pid` moves it into a node at creation). Pure. */
export function vxlanArgs(name: string, link: VxlanLinkSpec, remote: string, parent: string, opts: { pid?: number; mac?: string }): string[] {
  return [
    'link', 'add', 'name', name,
    ...(opts.pid ? ['netns', String(opts.pid)] : []),
    ...(link.mtu !== undefined ? ['mtu', String(link.mtu)] : []),
    ...(opts.mac ? ['address', opts.mac] : []),
    'type', 'vxlan', 'id', String(link.vni), 'remote', remote, 'dstport', String(link.dstPort), 'dev', parent,
    ...(link.srcPort !== undefined ? ['srcport', String(link.srcPort), String(link.srcPort + 1)] : []),
  ];
}

function fail(link: SingleEndpointLinkSpec, what: string, e: unknown): KindlabError {
  return new KindlabError('LINK_CREATE', `link ${specialLinkTitle(link)}: ${what}`, { cause: e, detail: e instanceof ExecError ? e.stderr.trim() || e.message : String(e) });
}

/** Whether an interface exists in a namespace and carries `mark`: 'absent' | 'ours' | 'foreign'. */
async function state(h: HostNet, pid: number, iface: string, mark: string, target: string): Promise<'absent' | 'ours' | 'foreign'> {
  const m = h === localHostNet ? await existingMark(pid, iface, target) : markIn(await h.ip(pid, ['-j', '-d', 'link', 'show'], target), iface);
  return m === undefined ? 'absent' : m === mark ? 'ours' : 'foreign';
}

/** The alias of `iface` in an `ip -j link show` listing: undefined when absent, null when it has none. Pure. */
export function markIn(listing: string, iface: string): string | null | undefined {
  const l = (JSON.parse(listing || '[]') as Array<{ ifname: string; ifalias?: string }>).find((x) => x.ifname === iface);
  return l === undefined ? undefined : (l.ifalias ?? null);
}

function foreign(link: SingleEndpointLinkSpec, where: string, iface: string): KindlabError {
  return new KindlabError('LINK_EXISTS', `link ${specialLinkTitle(link)}: ${where} already has an interface ${iface} that this lab did not create`, {
    hint: 'remove it, or pick another interface name in the topology',
  });
}

/** `h`: where the host-side commands run (this machine, or the node's engine's machine for a lab with hosts:). */
export async function deploySpecialLink(lab: string, link: SingleEndpointLinkSpec, nodes: SpecialLinkNodes, h: HostNet = localHostNet): Promise<LinkOutcome> {
  const ep = link.endpoints[0];
  const pid = await nodes.netnsPid(ep.node);
  const mark = specialMark(lab, link);
  const nodeState = await state(h, pid, ep.iface, mark, ep.node);
  if (nodeState === 'foreign') throw foreign(link, ep.node, ep.iface);
  for (const i of hostIfaces(link)) {
    const s = await state(h, 0, i, mark, h.where);
    if (s === 'foreign') throw foreign(link, h === localHostNet ? 'the host' : h.where, i);
  }
  const created = nodeState === 'absent';
  switch (link.type) {
    case 'host':
    case 'mgmt-net':
      return deployHostVeth(h, lab, link, nodes, pid, mark, created);
    case 'macvlan':
      return deployMacvlan(h, lab, link, pid, mark, created);
    case 'dummy':
      return deployDummy(h, lab, link, pid, mark, created);
    default:
      return deployVxlan(h, lab, link, pid, mark, created);
  }
}

async function configureNodeEnd(hn: HostNet, link: SingleEndpointLinkSpec, pid: number, mark: string, extra: string[], undo: () => Promise<unknown>, created: boolean): Promise<void> {
  const ep = link.endpoints[0];
  const lines = endpointConfigLines(ep, mark);
  try {
    await withRetry(() => hn.ipBatch(pid, [...lines.slice(0, -1), ...extra, lines[lines.length - 1]!], ep.node));
  } catch (e) {
    if (created) await undo().catch(() => undefined);
    throw fail(link, 'cannot configure the node end', e);
  }
}

async function deployHostVeth(hn: HostNet, lab: string, link: HostLinkSpec, nodes: SpecialLinkNodes, pid: number, mark: string, created: boolean): Promise<LinkOutcome> {
  const ep = link.endpoints[0];
  const h = link.host;
  if (created) {
    const hostMac = h.mac ?? endpointMac(lab, link.type, h.iface);
    await withRetry(() => hn.ip(0, hostVethArgs(h.iface, hostMac, ep, endpointMacOf(lab, ep), pid, link.mtu), 'host')).catch((e) => {
      throw fail(link, 'cannot create the veth pair', e);
    });
  }
  const undo = () => hn.ip(0, ['link', 'del', 'dev', h.iface]);
  try {
    const master = link.type === 'mgmt-net' ? [`link set dev ${h.iface} master ${await nodes.mgmtBridge()}`] : [];
    await hn.ipBatch(0, [`link set dev ${h.iface} alias ${mark}`, ...master, ...h.ipv4.map((a) => `addr replace ${a} dev ${h.iface}`), ...h.ipv6.map((a) => `addr replace ${a} dev ${h.iface}`), `link set dev ${h.iface} up`]);
  } catch (e) {
    if (created) await undo().catch(() => undefined);
    throw fail(link, 'cannot configure the host end', e);
  }
  await configureNodeEnd(hn, link, pid, mark, [], undo, created);
  return created ? 'created' : 'existing';
}

async function deployMacvlan(hn: HostNet, lab: string, link: MacvlanLinkSpec, pid: number, mark: string, created: boolean): Promise<LinkOutcome> {
  const ep = link.endpoints[0];
  if (created) {
    const parent = await hn.ip(0, ['link', 'show', 'dev', link.parent]).catch(() => undefined);
    if (parent === undefined) throw new KindlabError('LINK_CREATE', `link ${specialLinkTitle(link)}: the host has no interface ${link.parent}`, { hint: 'macvlan:<parent> names an existing host interface' });
    const args = ['link', 'add', 'link', link.parent, 'name', ep.iface, 'netns', String(pid), ...(link.mtu !== undefined ? ['mtu', String(link.mtu)] : []), 'address', endpointMacOf(lab, ep), 'type', 'macvlan', 'mode', link.mode];
    await withRetry(() => hn.ip(0, args, 'host')).catch((e) => {
      throw fail(link, 'cannot create the macvlan', e);
    });
  }
  await configureNodeEnd(hn, link, pid, mark, [`link set dev ${ep.iface} promisc on`], () => hn.ip(pid, ['link', 'del', 'dev', ep.iface]), created);
  return created ? 'created' : 'existing';
}

async function deployDummy(hn: HostNet, lab: string, link: DummyLinkSpec, pid: number, mark: string, created: boolean): Promise<LinkOutcome> {
  const ep = link.endpoints[0];
  const park = parkingNetns(lab);
  const peer = parkedPeerName(ep);
  if (created) {
    const add = await hn.addNetns(park);
    if (add.exitCode !== 0 && !/File exists/i.test(add.stderr)) throw fail(link, `cannot create the parking namespace ${park}`, new ExecError('host', `ip netns add ${park}`, add.exitCode ?? -1, add.stdout, add.stderr));
    const args = ['link', 'add', 'name', ep.iface, 'netns', String(pid), 'mtu', String(link.mtu), 'address', endpointMacOf(lab, ep), 'type', 'veth', 'peer', 'name', peer, 'netns', park, 'mtu', String(link.mtu)];
    await withRetry(() => hn.ip(0, args, 'host')).catch((e) => {
      throw fail(link, 'cannot create the emulated dummy (veth to the parking namespace)', e);
    });
  }
  const undo = () => hn.ip(pid, ['link', 'del', 'dev', ep.iface]);
  try {
    await hn.ipNamed(park, ['link', 'set', 'dev', peer, 'alias', mark, 'up']);
  } catch (e) {
    if (created) await undo().catch(() => undefined);
    throw fail(link, 'cannot bring up the parked peer', e);
  }
  await configureNodeEnd(hn, link, pid, mark, [], undo, created);
  return created ? 'created' : 'existing';
}

/** The remote as an address (host names resolved) and the underlay interface (given, or the host's route to remote). */
async function underlay(hn: HostNet, link: VxlanLinkSpec): Promise<{ remote: string; parent: string }> {
  let remote = link.remote;
  if (!isIP(remote)) {
    remote = await lookup(remote).then((r) => r.address, (e: unknown) => {
      throw fail(link, `cannot resolve remote ${link.remote}`, e);
    });
  }
  if (link.parent) return { remote, parent: link.parent };
  const out = await hn.ip(0, ['-j', 'route', 'get', remote]).catch((e) => {
    throw fail(link, `the host has no route to remote ${remote}`, e);
  });
  const dev = (JSON.parse(out || '[]') as Array<{ dev?: string }>)[0]?.dev;
  if (!dev) throw fail(link, `the host has no route to remote ${remote}`, out);
  return { remote, parent: dev };
}

async function deployVxlan(hn: HostNet, lab: string, link: VxlanLinkSpec, pid: number, mark: string, created: boolean): Promise<LinkOutcome> {
  const ep = link.endpoints[0];
  if (link.type === 'vxlan') {
    if (created) {
      const { remote, parent } = await underlay(hn, link);
      await withRetry(() => hn.ip(0, vxlanArgs(ep.iface, link, remote, parent, { pid, mac: endpointMacOf(lab, ep) }), 'host')).catch((e) => {
        throw fail(link, 'cannot create the vxlan interface', e);
      });
    }
    await configureNodeEnd(hn, link, pid, mark, [], () => hn.ip(pid, ['link', 'del', 'dev', ep.iface]), created);
    return created ? 'created' : 'existing';
  }
  const [vx, ve] = hostIfaces(link) as [string, string];
  const undo = async () => {
    await hn.ip(0, ['link', 'del', 'dev', ve]).catch(() => undefined);
    await hn.ip(0, ['link', 'del', 'dev', vx]).catch(() => undefined);
  };
  if (created) {
    await undo(); // a half-built stitch from an interrupted run (both carry our mark, checked above)
    const { remote, parent } = await underlay(hn, link);
    await withRetry(() => hn.ip(0, vxlanArgs(vx, link, remote, parent, {}), 'host')).catch((e) => {
      throw fail(link, 'cannot create the host vxlan interface', e);
    });
    try {
      const mtu = link.mtu ?? (JSON.parse(await hn.ip(0, ['-j', 'link', 'show', 'dev', vx])) as Array<{ mtu: number }>)[0]!.mtu;
      await withRetry(() => hn.ip(0, hostVethArgs(ve, endpointMac(lab, 'vxlan-stitch', ve), ep, endpointMacOf(lab, ep), pid, mtu), 'host'));
    } catch (e) {
      await undo();
      throw fail(link, 'cannot create the veth to the node', e);
    }
  }
  try {
    await hn.ipBatch(0, [vx, ve].flatMap((d) => [`link set dev ${d} alias ${mark}`, `link set dev ${d} up`]));
    await stitch(hn, vx, ve);
    await stitch(hn, ve, vx);
  } catch (e) {
    if (created) await undo();
    throw fail(link, 'cannot stitch the host vxlan interface to the veth', e);
  }
  await configureNodeEnd(hn, link, pid, mark, [], undo, created);
  return created ? 'created' : 'existing';
}

/** Every frame entering `from` leaves by `to` (tc ingress + u32 match-all + mirred redirect); repeatable. */
async function stitch(hn: HostNet, from: string, to: string): Promise<void> {
  await hn.run(['tc', 'qdisc', 'del', 'dev', from, 'ingress']);
  for (const argv of [
    ['qdisc', 'add', 'dev', from, 'ingress'],
    ['filter', 'add', 'dev', from, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', to],
  ]) {
    const r = await hn.run(['tc', ...argv]);
    if (r.exitCode !== 0) throw new ExecError('host', `tc ${argv.join(' ')}`, r.exitCode ?? -1, r.stdout, r.stderr);
  }
}
