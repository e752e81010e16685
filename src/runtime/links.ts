/**
 * Veth links between node network namespaces.
 *
 * A pair is created in ONE netlink call with each end already inside its target namespace
 * and under its final name (`ip link add name A netns PIDA ... type veth peer name Z netns PIDZ`),
 * so no half-moved end ever sits in the host namespace: a `kill -9` at any point leaves either
 * nothing or a pair that dies with its containers. Both ends then get an alias
 * `kindlab:<lab>:<a>--<z>` that marks ownership, so `sweepHostLinks` can find any end that does
 * live in the host namespace (nodes with network-mode host) and `deployVeth` can tell its
 * own pair from a foreign interface on a repeat run.
 *
 * Deploy is safe to repeat: an existing pair with our mark is only re-configured. A pair whose
 * configuration fails is deleted before the error is thrown. Transient kernel errors are retried.
 */
import { KindlabError, ExecError } from '../errors.js';
import type { LinkEndpoint, VethLinkSpec } from '../topology/index.js';
import { LINK_MARK_PREFIX, linkMark, linkMarkPrefix } from './labels.js';
import { endpointMac } from './mac.js';
import { ip, ipBatch, listLinks } from './netns.js';

/** What links need to know about a node: only where its interfaces live. */
export interface LinkNodes {
  /** PID whose network namespace holds the node's interfaces; 0 for the host namespace. */
  netnsPid(node: string): Promise<number>;
}

export type LinkOutcome = 'created' | 'existing';

const TRANSIENT = /Device or resource busy|Resource temporarily unavailable|No buffer space|Cannot allocate memory/i;

export function endpointMacOf(lab: string, ep: LinkEndpoint): string {
  return ep.mac ?? endpointMac(lab, ep.node, ep.iface);
}

/** The `ip` lines that configure one end (alias, addresses, up). Pure. */
export function endpointConfigLines(ep: LinkEndpoint, mark: string): string[] {
  const dev = ep.iface;
  return [
    `link set dev ${dev} alias ${mark}`,
    ...ep.ipv4.map((a) => `addr replace ${a} dev ${dev}`),
    ...ep.ipv6.map((a) => `addr replace ${a} dev ${dev}`),
    `link set dev ${dev} up`,
  ];
}

/** The `ip link add` argv creating the pair directly in both namespaces. Pure. */
export function vethAddArgs(lab: string, link: VethLinkSpec, pidA: number, pidZ: number): string[] {
  const [a, z] = link.endpoints;
  const ns = (pid: number) => String(pid || process.pid);
  return [
    'link', 'add', 'name', a.iface, 'netns', ns(pidA), 'mtu', String(link.mtu), 'address', endpointMacOf(lab, a),
    'type', 'veth', 'peer', 'name', z.iface, 'netns', ns(pidZ), 'mtu', String(link.mtu), 'address', endpointMacOf(lab, z),
  ];
}

export function linkTitle(link: VethLinkSpec): string {
  const [a, z] = link.endpoints;
  return `${a.node}:${a.iface} <-> ${z.node}:${z.iface}`;
}

export async function withRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !(e instanceof ExecError) || !TRANSIENT.test(e.stderr)) throw e;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

export async function existingMark(pid: number, iface: string, node: string): Promise<string | null | undefined> {
  const links = await listLinks(pid, node);
  const l = links.find((x) => x.ifname === iface);
  return l === undefined ? undefined : (l.ifalias ?? null);
}

export async function deployVeth(lab: string, link: VethLinkSpec, nodes: LinkNodes): Promise<LinkOutcome> {
  const [a, z] = link.endpoints;
  const mark = linkMark(lab, a, z);
  const [pidA, pidZ] = await Promise.all([nodes.netnsPid(a.node), nodes.netnsPid(z.node)]);
  let outcome: LinkOutcome = 'created';
  try {
    await withRetry(() => ip(0, vethAddArgs(lab, link, pidA, pidZ), a.node));
  } catch (e) {
    if (!(e instanceof ExecError) || !/File exists/i.test(e.stderr)) {
      throw new KindlabError('LINK_CREATE', `link ${linkTitle(link)}: cannot create veth pair`, { cause: e, detail: e instanceof ExecError ? e.stderr.trim() : undefined });
    }
    const [ma, mz] = await Promise.all([existingMark(pidA, a.iface, a.node), existingMark(pidZ, z.iface, z.node)]);
    if (ma !== mark || mz !== mark) {
      const who = ma !== mark && ma !== undefined ? a : z;
      throw new KindlabError('LINK_EXISTS', `link ${linkTitle(link)}: ${who.node} already has an interface ${who.iface} that this lab did not create`, {
        hint: 'remove it, or pick another interface name in the topology',
      });
    }
    outcome = 'existing';
  }
  try {
    await Promise.all([
      withRetry(() => ipBatch(pidA, endpointConfigLines(a, mark), a.node)),
      withRetry(() => ipBatch(pidZ, endpointConfigLines(z, mark), z.node)),
    ]);
  } catch (e) {
    if (outcome === 'created') await ip(pidA, ['link', 'del', 'dev', a.iface], a.node).catch(() => undefined);
    throw new KindlabError('LINK_CREATE', `link ${linkTitle(link)}: cannot configure endpoints`, { cause: e, detail: e instanceof ExecError ? e.message : String(e) });
  }
  return outcome;
}

/** Deletes every interface in a namespace (host by default) carrying this lab's mark (any lab's for null). Returns their names. */
export async function sweepLinks(lab: string | null, pid = 0): Promise<string[]> {
  const prefix = lab === null ? LINK_MARK_PREFIX : linkMarkPrefix(lab);
  const links = await listLinks(pid).catch(() => []);
  const ours = links.filter((l) => l.ifalias?.startsWith(prefix));
  for (const l of ours) await ip(pid, ['link', 'del', 'dev', l.ifname]).catch(() => undefined);
  return ours.map((l) => l.ifname);
}
