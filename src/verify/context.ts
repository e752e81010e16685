/**
 * What checks know about a running lab: run a command in a node (recorded as evidence), the
 * node's addresses, which BGP daemons it runs, and which node sits across one of its links.
 * Lookups are cached for one round of checks (a retry round gets a fresh context).
 */
import type { LabPlan } from '../topology/index.js';
import { objectAddress, parseObjectRef, placePod, type ClusterLookup, type PodPlace } from './cluster.js';
import type { Evidence } from './types.js';
import { shellQuote } from '../lib/index.js';
import { KindlabError, errorMessage } from '../errors.js';
import { AGENT_CONTROL, agentControl } from '../cluster/lab/index.js';

export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs argv inside a node's container. Must reject only when the command could not be started. */
export type NodeExec = (node: string, argv: string[]) => Promise<ExecOutput>;

export type Daemon = 'frr' | 'bird' | 'gobgp' | 'agent';

export interface NodeAddress {
  address: string;
  iface: string;
  family: 4 | 6;
  scope: string;
}

/** Collects the commands a check ran and what they printed. */
export class EvidenceLog {
  private readonly parts: Array<{ command: string; output: string }> = [];
  add(command: string, output: string): void {
    this.parts.push({ command, output });
  }
  /** The last command by default; all of them when `all`. */
  evidence(all = false): Evidence {
    const list = all ? this.parts : this.parts.slice(-1);
    if (list.length === 0) return { command: '', output: '' };
    return { command: list.map((p) => p.command).join('\n'), output: list.map((p) => (list.length > 1 ? `$ ${p.command}\n${p.output}` : p.output)).join('\n') };
  }
}

export { shellQuote };

export class LabContext {
  private readonly addrCache = new Map<string, Promise<NodeAddress[]>>();
  private readonly daemonCache = new Map<string, Promise<Daemon[]>>();
  private readonly podCache = new Map<string, Promise<PodPlace>>();
  private readonly queryCache = new Map<string, Promise<ExecOutput>>();

  constructor(
    readonly plan: LabPlan,
    private readonly exec: NodeExec,
    /** The lab's cluster (pod and Service references); undefined without a cluster section. */
    readonly cluster?: ClusterLookup,
  ) {}

  /** Runs a command in `node` (or in a pod: `pod/NAME`, in its netns on its node); the command and its output go to `log`. */
  async run(log: EvidenceLog | undefined, node: string, argv: string[]): Promise<ExecOutput> {
    const command = `${node}$ ${shellQuote(argv)}`;
    try {
      const pod = parseObjectRef(node);
      const r = pod?.type === 'pod' ? await this.execInPod(node, argv) : await this.exec(node, argv);
      log?.add(command, outputText(r));
      return r;
    } catch (e) {
      const msg = errorMessage(e);
      log?.add(command, msg);
      throw e;
    }
  }

  /**
   * `run` for a read-only command (a `show …`): checks in one context that ask a node the same
   * thing share one exec and its output; each still logs it as its own evidence.
   */
  async query(log: EvidenceLog | undefined, node: string, argv: string[]): Promise<ExecOutput> {
    const key = JSON.stringify([node, argv]);
    let p = this.queryCache.get(key);
    if (!p) {
      p = this.run(undefined, node, argv);
      this.queryCache.set(key, p);
    }
    const command = `${node}$ ${shellQuote(argv)}`;
    try {
      const r = await p;
      log?.add(command, outputText(r));
      return r;
    } catch (e) {
      log?.add(command, errorMessage(e));
      throw e;
    }
  }

  private async execInPod(ref: string, argv: string[]): Promise<ExecOutput> {
    const cluster = this.requireCluster(ref);
    let p = this.podCache.get(ref);
    if (!p) {
      p = placePod(this.plan, cluster, parseObjectRef(ref)!);
      this.podCache.set(ref, p);
    }
    const place = await p;
    return this.exec(place.node, place.netns ? ['ip', 'netns', 'exec', place.netns, ...argv] : argv);
  }

  private requireCluster(ref: string): ClusterLookup {
    if (!this.cluster) throw new KindlabError('VERIFY', `${ref}: this lab has no cluster`);
    return this.cluster;
  }

  /** A pod's IP or a Service's ClusterIP, from `pod/…` / `svc/…`. */
  objectAddress(ref: string, family?: 4 | 6): Promise<string> {
    const r = parseObjectRef(ref);
    if (!r) return Promise.reject(new KindlabError('VERIFY', `"${ref}" is not pod/NAME, pod/NAMESPACE/NAME, svc/NAME or svc/NAMESPACE/NAME`));
    return objectAddress(this.requireCluster(ref), r, family);
  }

  /** Every address configured in the node's network namespace (`ip -j addr show`). */
  addresses(node: string): Promise<NodeAddress[]> {
    const owner = this.ownerOf(node);
    let p = this.addrCache.get(owner);
    if (!p) {
      p = this.readAddresses(node);
      this.addrCache.set(owner, p);
    }
    return p;
  }

  private readAddresses(node: string): Promise<NodeAddress[]> {
    return this.run(undefined, node, ['ip', '-j', 'addr', 'show']).then((r) => (r.exitCode === 0 ? parseIpAddr(r.stdout) : []), () => []);
  }

  /** The node whose network namespace `node` runs in (itself, or its `network-mode: container:` owner). */
  private ownerOf(node: string): string {
    return this.plan.nodes.find((n) => n.name === node)?.netnsOwner ?? node;
  }

  /**
   * Reads a node's addresses and its processes in one exec, for a caller about to ask both of every node (derive):
   * each `docker exec` costs more than the two reads (issue 16). Elsewhere each is read alone, since the process
   * scan forks once per process and most contexts ask only one of them. Without `sh` in the image the addresses
   * are read by `ip` alone later, as before.
   */
  prefetchFacts(node: string): void {
    const owner = this.ownerOf(node);
    if (this.addrCache.has(owner) || this.daemonCache.has(node)) return;
    const facts = this.run(undefined, node, ['sh', '-c', nodeFactsScript()]).then((r) => parseNodeFacts(r.stdout), (): NodeFacts => ({ daemons: [] }));
    this.daemonCache.set(node, facts.then((f) => f.daemons));
    this.addrCache.set(owner, facts.then((f) => f.addresses ?? this.readAddresses(node)));
  }

  /**
   * The address a probe aims at for a node: a global address on lo (router ID style), else one
   * on a lab link, else anything but the management interface, else the management address.
   */
  async preferredAddress(node: string, family: 4 | 6 = 4): Promise<string | undefined> {
    const all = (await this.addresses(node)).filter((a) => a.family === family && a.scope !== 'host' && a.scope !== 'link');
    const linkIfaces = new Set(this.plan.links.flatMap((l) => l.endpoints.filter((e) => e.node === node).map((e) => e.iface)));
    const pick = all.find((a) => a.iface === 'lo') ?? all.find((a) => linkIfaces.has(a.iface)) ?? all.find((a) => a.iface !== 'eth0') ?? all[0];
    return pick?.address;
  }

  /** The BGP speakers running in the node, from its processes' command lines. */
  daemons(node: string): Promise<Daemon[]> {
    let p = this.daemonCache.get(node);
    if (!p) {
      p = this.run(undefined, node, ['sh', '-c', `${processesScript()}; true`]).then((r) => daemonsIn(r.stdout), () => []);
      this.daemonCache.set(node, p);
    }
    return p;
  }

  /** The node at the other end of `node:iface`, from the topology's links (the netns owner for network-mode container: nodes). */
  peerAcross(node: string, iface: string): string | undefined {
    const owner = (n: string) => this.ownerOf(n);
    for (const l of this.plan.links) {
      if (l.type !== 'veth') continue; // the other end of a host/macvlan/vxlan link is no node
      const [a, z] = l.endpoints;
      if (a.node === node && a.iface === iface) return owner(z.node);
      if (z.node === node && z.iface === iface) return owner(a.node);
    }
    return undefined;
  }

  /** Which node owns `address` (every node of the lab is asked once). */
  async nodeOf(address: string): Promise<string | undefined> {
    // every node asked at once (each once per context), then the first in plan order that has it
    const nodes = this.plan.nodes.filter((n) => n.kind !== 'bridge');
    const all = await Promise.all(nodes.map((n) => this.addresses(n.name)));
    const i = all.findIndex((as) => as.some((a) => a.address === address));
    return i < 0 ? undefined : nodes[i]!.netnsOwner === nodes[i]!.name ? nodes[i]!.name : nodes[i]!.netnsOwner;
  }
}

/** What a command printed, as evidence: stdout, stderr, and a non-zero exit status. */
function outputText(r: ExecOutput): string {
  return ([r.stdout.trimEnd(), r.stderr.trimEnd()].filter(Boolean).join('\n') + (r.exitCode !== 0 ? `\n(exit ${r.exitCode})` : '')).trim();
}

const FACTS_MARK = '--kindlab-facts ip exit ';

/** What one exec of nodeFactsScript tells: addresses undefined when the script did not run (no sh). */
export interface NodeFacts {
  addresses?: NodeAddress[];
  daemons: Daemon[];
}

/**
 * `ip -j addr show`, its exit status after a mark line, then every process's command line (NULs as spaces, one per
 * line) and, for a Kubernetes node, whether the agent hosted in its node daemon runs (its control socket says).
 */
export function nodeFactsScript(): string {
  return `ip -j addr show 2>/dev/null; s=$?; echo; echo "${FACTS_MARK}$s"; ${processesScript()}; true`;
}

/** Every process's command line (NULs as spaces), one per line; a Kubernetes node's agent runs inside its node daemon's process: the daemon's control socket says whether it runs. */
function processesScript(): string {
  const hosted = `[ -S ${AGENT_CONTROL} ] && ${agentControl('GET', '/status')} 2>/dev/null | grep -q '"running":true' && echo 'lab-agent k8s (in the node daemon)'`;
  return `for f in /proc/[0-9]*/cmdline; do tr "\\000" " " < "$f" 2>/dev/null; echo; done; ${hosted}`;
}

/** nodeFactsScript's output: addresses when `ip` ran and exited 0 ([] when it failed, undefined without the mark: the script did not run). */
export function parseNodeFacts(stdout: string): NodeFacts {
  const at = stdout.indexOf(FACTS_MARK);
  if (at < 0) return { daemons: daemonsIn(stdout) };
  const rest = stdout.slice(at + FACTS_MARK.length);
  const nl = rest.indexOf('\n');
  const status = (nl < 0 ? rest : rest.slice(0, nl)).trim();
  let addresses: NodeAddress[] = [];
  if (status === '0') {
    try {
      addresses = parseIpAddr(stdout.slice(0, at).trim());
    } catch {
      addresses = [];
    }
  }
  return { addresses, daemons: daemonsIn(nl < 0 ? '' : rest.slice(nl + 1)) };
}

export function daemonsIn(cmdlines: string): Daemon[] {
  const found = new Set<Daemon>();
  for (const line of cmdlines.split('\n')) {
    const argv0 = line.trim().split(' ')[0] ?? '';
    if (/(^|\/)bgpd$/.test(argv0)) found.add('frr');
    else if (/(^|\/)bird$/.test(argv0)) found.add('bird');
    else if (/(^|\/)gobgpd$/.test(argv0)) found.add('gobgp');
    // lab-agent run (standalone) or k8s (a cluster node's agent: `node …/dist/agent/cli.js k8s`)
    else if (/(^|[\s/])(lab-agent(\.js)?|agent\/cli\.js)\s+(run|k8s)\b/.test(line)) found.add('agent');
  }
  return [...found];
}

export function parseIpAddr(stdout: string): NodeAddress[] {
  const data = JSON.parse(stdout || '[]') as Array<{ ifname?: string; addr_info?: Array<{ family?: string; local?: string; scope?: string }> }>;
  return data.flatMap((i) =>
    (i.addr_info ?? []).filter((a) => a.local).map((a) => ({ address: a.local!, iface: i.ifname ?? '', family: a.family === 'inet6' ? (6 as const) : (4 as const), scope: a.scope ?? 'global' })),
  );
}
