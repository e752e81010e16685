/**
 * Links between nodes on different Docker engines (`hosts:`): a VXLAN tunnel, one VNI per link.
 * Each end is a VXLAN device created in its engine's host network namespace (so its UDP socket
 * and routes are that machine's, local = its underlay address, remote = the other engine's) and
 * moved into the node at creation under the interface name the topology gives. A veth between
 * the engines would only work when they share a kernel; real machines need the tunnel.
 *
 * The commands run on the engine's machine, in a short-lived helper container (NET_ADMIN, SYS_ADMIN, SYS_PTRACE) with the
 * host's network and pid namespaces (`kindlab-<lab>-<host>-vtep`, labelled with the lab so destroy
 * sweeps it); node pids are the engine's. The MTU is the link's, at most the underlay's minus the
 * 50 bytes of VXLAN/UDP/IP/Ethernet headers.
 */
import { createHash } from 'node:crypto';
import { ExecError, KindlabError } from '../errors.js';
import { mgmtVni, type LinkSpec, type VethLinkSpec } from '../topology/index.js';
import type { ExecResult } from './docker.js';
import type { Engine } from './engines.js';
import { BASE_IMAGE } from './images.js';
import { LABEL_LAB, labLabels, linkMark } from './labels.js';
import { endpointConfigLines, endpointMacOf, linkTitle, vethAddArgs, type LinkOutcome } from './links.js';

export const LABEL_HELPER = 'kindlab.helper';
export const VXLAN_PORT = 4789;
/** Outer Ethernet 14 + IP 20 + UDP 8 + VXLAN 8. */
export const VXLAN_OVERHEAD = 50;

/** Where the helper sees its machine's `/` (the lab directory's copy is written through it). */
export const HOST_ROOT = '/host';

/** `role`: `vtep` (the deploy's and short commands'), or a long-running command's own (a capture), which a second command's helper does not replace. */
export function helperName(lab: string, host: string, role = 'vtep'): string {
  return `kindlab-${lab}-${host}-${role}`;
}

/** One VNI per cross-host link of the lab, from a hash of the lab and link (stable across deploys), collisions moved on. Pure. */
export function crossLinkVnis(lab: string, links: LinkSpec[], crosses: (l: VethLinkSpec) => boolean): Map<VethLinkSpec, number> {
  const out = new Map<VethLinkSpec, number>();
  // the mgmt segment's VNI shares the engines' UDP port: never a link's
  const used = new Set<number>([mgmtVni(lab)]);
  for (const l of links) {
    if (l.type !== 'veth' || !crosses(l)) continue;
    const [a, z] = l.endpoints;
    let vni = (createHash('sha256').update(linkMark(lab, a, z)).digest().readUInt32BE(0) % 0xfffffe) + 1;
    while (used.has(vni)) vni = (vni % 0xfffffe) + 1;
    used.add(vni);
    out.set(l, vni);
  }
  return out;
}

/** `ip link add` argv of one end: created in the engine's namespace, moved into the node (`pid`). Pure. */
export function crossVxlanArgs(iface: string, pid: number, mac: string, mtu: number, vni: number, local: string, remote: string, dev: string): string[] {
  return ['link', 'add', 'name', iface, 'netns', String(pid), 'address', mac, 'mtu', String(mtu), 'type', 'vxlan', 'id', String(vni), 'local', local, 'remote', remote, 'dstport', String(VXLAN_PORT), 'dev', dev];
}

/** The helper containers of a lab, one per engine, started on first use. */
export class VtepHelpers {
  private readonly started = new Map<string, Promise<string>>();
  /** `engine>remote` → the underlay device and MTU there: asked once per deploy, not once per link. */
  readonly underlays = new Map<string, Promise<{ dev: string; mtu: number }>>();
  constructor(
    readonly lab: string,
    private readonly labels: { labDir: string; topo: string },
    readonly role = 'vtep',
  ) {}

  /** Runs argv on the engine's machine (its network and pid namespaces); ExecError on failure. */
  async run(e: Engine, argv: string[]): Promise<string> {
    const name = await this.helper(e);
    return (await e.runtime.exec(name, argv, { target: `host ${e.name}` })).stdout;
  }

  /** Runs argv on the engine's machine; a non-zero exit is returned, not thrown. */
  async exec(e: Engine, argv: string[]): Promise<ExecResult> {
    const name = await this.helper(e);
    return e.runtime.exec(name, argv, { check: false, target: `host ${e.name}` });
  }

  /** Runs argv on the engine's machine with its output streamed (execStream); resolves with its exit code. */
  async stream(e: Engine, argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
    const name = await this.helper(e);
    if (!e.runtime.execStream) throw new KindlabError('INTERNAL', `host ${e.name}: its runtime cannot stream an exec`);
    return e.runtime.execStream(name, argv, io, { target: `host ${e.name}` });
  }

  private helper(e: Engine): Promise<string> {
    let p = this.started.get(e.name);
    if (!p) {
      const name = helperName(this.lab, e.name, this.role);
      p = (async () => {
        await e.runtime.removeContainer(name);
        await e.runtime.runContainer({
          name,
          Image: BASE_IMAGE,
          Entrypoint: ['sleep', 'infinity'],
          Labels: { ...labLabels(this.lab, this.labels.labDir, this.labels.topo), [LABEL_HELPER]: this.role },
          // not --privileged: some hosts (this CI's included) cannot grant every capability; these are what ip and nsenter need
          HostConfig: { NetworkMode: 'host', PidMode: 'host', Binds: [`/:${HOST_ROOT}`], CapAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_PTRACE'], SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'] },
        });
        return name;
      })();
      this.started.set(e.name, p);
      p.catch(() => this.started.delete(e.name));
    }
    return p;
  }

  /** Removes the helpers started (the tunnels live in the nodes and do not need them). */
  async stop(engines: Engine[]): Promise<void> {
    for (const e of engines) if (this.started.has(e.name)) await e.runtime.removeContainer(helperName(this.lab, e.name, this.role)).catch(() => undefined);
    this.started.clear();
  }
}

export interface CrossEnd {
  engine: Engine;
  pid: number;
}

export interface CrossLinkResult {
  outcome: LinkOutcome;
  vni: number;
  mtu: number;
  underlayMtu: number;
}

/** The route's device towards $1, then that device as JSON: one exec on the engine's machine. */
const UNDERLAY_SCRIPT = `dev=$(ip -o route get "$1" | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p'); [ -n "$dev" ] || { echo "no route to $1" >&2; exit 1; }; ip -j link show dev "$dev"`;

/** The underlay device towards `remote` and its MTU, on the engine's machine (cached in the helpers: once per engine and remote). */
export function underlayOf(h: VtepHelpers, e: Engine, remote: string): Promise<{ dev: string; mtu: number }> {
  const key = `${e.name}>${remote}`;
  let p = h.underlays.get(key);
  if (!p) {
    p = (async () => {
      const out = await h.run(e, ['sh', '-c', UNDERLAY_SCRIPT, 'sh', remote]).catch((err: unknown) => {
        throw new KindlabError('LINK_CREATE', `host ${e.name} has no route to underlay address ${remote}`, { cause: err, detail: err instanceof ExecError ? err.stderr.trim() : String(err) });
      });
      const link = (JSON.parse(out || '[]') as Array<{ ifname: string; mtu: number }>)[0];
      if (!link) throw new KindlabError('LINK_CREATE', `host ${e.name} has no route to underlay address ${remote}`);
      return { dev: link.ifname, mtu: link.mtu };
    })();
    h.underlays.set(key, p);
    p.catch(() => h.underlays.delete(key));
  }
  return p;
}

/**
 * One end of a link made on its engine's machine in one exec (sh -c SCRIPT sh PID IFACE ALIAS-JSON
 * ADD-LINE CONFIG-LINES...): when the node has no such interface, ADD-LINE (`link add …`, run in the
 * machine's namespace, creating the device in the node) and then the config lines in the node;
 * when it has one carrying the link's mark (ALIAS-JSON, as `ip -j` prints it), the config lines
 * only; else nothing. Prints created, existing or foreign; exit 1: the add failed, 2: the config
 * failed (a device it created is deleted again).
 */
export const END_SCRIPT = [
  'p=$1 i=$2 m=$3 add=$4; shift 4',
  'if out=$(nsenter -t "$p" -n ip -j link show dev "$i" 2>/dev/null); then',
  '  case "$out" in *"$m"*) r=existing ;; *) echo foreign; exit 0 ;; esac',
  'else',
  '  printf \'%s\\n\' "$add" | ip -batch - || exit 1',
  '  r=created',
  'fi',
  'printf \'%s\\n\' "$@" | nsenter -t "$p" -n ip -batch - || { [ "$r" = created ] && nsenter -t "$p" -n ip link del dev "$i"; exit 2; }',
  'echo "$r"',
].join('\n');

/** The argv of one end's exec (END_SCRIPT): `add` is the `ip link add` argv, `lines` the config lines. Pure. */
export function endArgv(pid: number, iface: string, mark: string, add: string[], lines: string[]): string[] {
  // the alias as ip -j prints it, closing quote included, so a mark that is a prefix of another does not match
  return ['sh', '-c', END_SCRIPT, 'sh', String(pid), iface, `"ifalias":${JSON.stringify(mark)}`, add.join(' '), ...lines];
}

/** What one end's exec did; a foreign interface and failures are errors. */
async function makeEnd(h: VtepHelpers, e: Engine, pid: number, iface: string, mark: string, add: string[], lines: string[]): Promise<'created' | 'existing' | 'foreign'> {
  const r = await h.exec(e, endArgv(pid, iface, mark, add, lines));
  const said = r.stdout.trim().split('\n').pop();
  if (r.exitCode === 0 && (said === 'created' || said === 'existing' || said === 'foreign')) return said;
  throw new ExecError(`host ${e.name}`, r.exitCode === 2 ? `ip -batch in pid ${pid}: ${lines.join('; ')}` : `ip ${add.join(' ')}`, r.exitCode, r.stdout, r.stderr);
}

/** The interface's alias in a node (undefined: no such interface). */
async function markIn(h: VtepHelpers, e: Engine, pid: number, iface: string): Promise<string | null | undefined> {
  const out = await h.run(e, ['nsenter', '-t', String(pid), '-n', 'ip', '-j', 'link', 'show']);
  const l = (JSON.parse(out || '[]') as Array<{ ifname: string; ifalias?: string }>).find((x) => x.ifname === iface);
  return l === undefined ? undefined : (l.ifalias ?? null);
}

export async function deployCrossLink(lab: string, link: VethLinkSpec, ends: [CrossEnd, CrossEnd], vni: number, h: VtepHelpers): Promise<CrossLinkResult> {
  const mark = linkMark(lab, link.endpoints[0], link.endpoints[1]);
  const fail = (what: string, e: unknown) => new KindlabError('LINK_CREATE', `link ${linkTitle(link)} (hosts ${ends[0].engine.name} - ${ends[1].engine.name}, VXLAN ${vni}): ${what}`, { cause: e, detail: e instanceof ExecError ? e.stderr.trim() || e.message : String(e) });
  const under = await Promise.all(ends.map((x, i) => underlayOf(h, x.engine, ends[1 - i]!.engine.underlay))).catch((e: unknown) => {
    throw fail('cannot find the underlay', e);
  });
  const underlayMtu = Math.min(...under.map((u) => u.mtu));
  const mtu = Math.min(link.mtu, underlayMtu - VXLAN_OVERHEAD);
  // both ends at once, one exec each: check, create, configure
  const done = await Promise.allSettled(
    ([0, 1] as const).map((i) => {
      const ep = link.endpoints[i];
      const { engine, pid } = ends[i];
      return makeEnd(h, engine, pid, ep.iface, mark, crossVxlanArgs(ep.iface, pid, endpointMacOf(lab, ep), mtu, vni, engine.underlay, ends[1 - i]!.engine.underlay, under[i]!.dev), endpointConfigLines(ep, mark));
    }),
  );
  const failed = done.findIndex((d) => d.status === 'rejected' || d.value === 'foreign');
  if (failed >= 0) {
    // half a link is worse than none: the end this deploy created goes again
    await Promise.all(done.map((d, i) => (d.status === 'fulfilled' && d.value === 'created' ? h.run(ends[i]!.engine, ['nsenter', '-t', String(ends[i]!.pid), '-n', 'ip', 'link', 'del', 'dev', link.endpoints[i]!.iface]).catch(() => undefined) : undefined)));
    const d = done[failed]!;
    const ep = link.endpoints[failed]!;
    if (d.status === 'fulfilled') throw new KindlabError('LINK_EXISTS', `link ${linkTitle(link)}: ${ep.node} already has an interface ${ep.iface} that this lab did not create`, { hint: 'remove it, or pick another interface name in the topology' });
    const err = d.reason as unknown;
    throw fail(err instanceof ExecError && err.exitCode === 2 ? `cannot configure ${ep.node}:${ep.iface}` : `cannot create the VXLAN interface in ${ep.node}`, err);
  }
  const outcome: LinkOutcome = done.some((d) => d.status === 'fulfilled' && d.value === 'existing') ? 'existing' : 'created';
  return { outcome, vni, mtu, underlayMtu };
}

/** Whether a listed container is a helper (not a node of the lab). */
export function isHelper(labels: Record<string, string>): boolean {
  return labels[LABEL_HELPER] !== undefined && labels[LABEL_LAB] !== undefined;
}

/**
 * A veth link between two nodes on the same engine of a lab with `hosts:`: made on that engine's
 * machine through its helper (the node pids are that machine's), as a remote engine needs, not
 * with this machine's `ip`. Same pair, names, MACs and marks as a local link (links.ts).
 */
export async function deployEngineVeth(lab: string, link: VethLinkSpec, engine: Engine, pids: [number, number], h: VtepHelpers): Promise<LinkOutcome> {
  const mark = linkMark(lab, link.endpoints[0], link.endpoints[1]);
  const fail = (what: string, e: unknown) => new KindlabError('LINK_CREATE', `link ${linkTitle(link)} (host ${engine.name}): ${what}`, { cause: e, detail: e instanceof ExecError ? e.stderr.trim() || e.message : String(e) });
  const marks = await Promise.all(link.endpoints.map((ep, i) => markIn(h, engine, pids[i]!, ep.iface)));
  let outcome: LinkOutcome = 'created';
  if (marks.some((m) => m !== undefined)) {
    const i = marks.findIndex((m) => m !== mark);
    if (i >= 0) {
      const ep = link.endpoints[i]!;
      throw new KindlabError('LINK_EXISTS', `link ${linkTitle(link)}: ${ep.node} already has an interface ${ep.iface} that this lab did not create`, { hint: 'remove it, or pick another interface name in the topology' });
    }
    outcome = 'existing';
  } else {
    await h.run(engine, ['ip', ...vethAddArgs(lab, link, pids[0], pids[1])]).catch((e: unknown) => {
      throw fail('cannot create the veth pair', e);
    });
  }
  try {
    for (const i of [0, 1]) {
      const ep = link.endpoints[i]!;
      await h.run(engine, ['sh', '-c', `printf '%s\\n' "$@" | nsenter -t ${pids[i]} -n ip -batch -`, 'sh', ...endpointConfigLines(ep, mark)]).catch((e: unknown) => {
        throw fail(`cannot configure ${ep.node}:${ep.iface}`, e);
      });
    }
  } catch (e) {
    if (outcome === 'created') await h.run(engine, ['nsenter', '-t', String(pids[0]), '-n', 'ip', 'link', 'del', 'dev', link.endpoints[0].iface]).catch(() => undefined);
    throw e;
  }
  return outcome;
}
