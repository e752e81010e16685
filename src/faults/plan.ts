/**
 * A fault request against a deployed lab → the steps that apply it, the steps that undo it, and the
 * change to the record. Pure: the executor (run.ts) runs the steps and writes the record.
 *
 * Emulation (this kernel has no netem): link down/up is `ip link set` on the named ends; loss is an
 * iptables/ip6tables `statistic --mode random` DROP rule on the packets a named end SENDS (OUTPUT for
 * the node's own packets, FORWARD for routed ones), so `loss 30` on A:eth1 drops ~30 % of A→B packets
 * and a ping from A loses ~30 %; give both ends to impair both directions (a ping then loses
 * 1-(1-p)² ≈ 51 % at 30 %). ARP is not IP and is not dropped.
 */
import { KindlabError } from '../errors.js';
import { AGENT_MARKER, AGENT_PROCESS_PATTERN, IN_CONTAINER, agentControl } from '../cluster/lab/index.js';
import type { AgentAction, Endpoint, Fault, FaultEntry, FaultFile, FaultRequest, LabView, Step } from './types.js';

export const FAULTS_FILE = 'faults.json';

/** Marks our iptables rules (the comment shows in `iptables -S`). */
export const RULE_COMMENT = 'kindlab-fault';

export function emptyFaultFile(lab: string): FaultFile {
  return { version: 1, lab, nextId: 1, faults: [] };
}

export const endpointText = (e: Endpoint): string => `${e.node}:${e.iface}`;

const sameEndpoint = (a: Endpoint, b: Endpoint): boolean => a.node === b.node && a.iface === b.iface;

function checkNode(view: LabView, node: string): void {
  if (!view.nodes.some((n) => n.name === node)) {
    throw new KindlabError('NODE_NOT_FOUND', `lab ${view.lab} has no node "${node}"`, { hint: `nodes: ${view.nodes.map((n) => n.name).join(', ') || '(none)'}` });
  }
}

/** The lab link one end belongs to, or an error naming the node or the interface. */
export function linkOf(view: LabView, e: Endpoint): [Endpoint, Endpoint] {
  checkNode(view, e.node);
  const link = view.links.find(([a, z]) => sameEndpoint(a, e) || sameEndpoint(z, e));
  if (!link) {
    const ifaces = view.links.flatMap(([a, z]) => [a, z]).filter((x) => x.node === e.node).map((x) => x.iface);
    throw new KindlabError('IFACE_NOT_FOUND', `node ${e.node} has no lab link on interface "${e.iface}"`, {
      hint: ifaces.length ? `its link interfaces: ${ifaces.join(', ')}` : `node ${e.node} has no lab links`,
    });
  }
  return link;
}

/** Checks the ends against the lab: each is a link end, and two given ends are one link's. */
export function checkEndpoints(view: LabView, endpoints: Endpoint[]): void {
  const links = endpoints.map((e) => linkOf(view, e));
  if (endpoints.length === 2 && links[0] !== links[1]) {
    const [a, z] = links[0]!;
    const peer = sameEndpoint(a, endpoints[0]!) ? z : a;
    throw new KindlabError('FAULT', `${endpointText(endpoints[0]!)} and ${endpointText(endpoints[1]!)} are not the two ends of one link`, {
      hint: `${endpointText(endpoints[0]!)} is linked to ${endpointText(peer)}`,
    });
  }
}

/** iptables' probability (0…1) for a percentage, in a fixed form so the delete matches the insert. */
export function probability(percent: number): string {
  return (percent / 100).toFixed(4);
}

/** The rules that drop `percent` % of the IPv4 and IPv6 packets `e` sends (own and routed). */
export function lossRules(e: Endpoint, percent: number, op: '-I' | '-D'): Step[] {
  const steps: Step[] = [];
  for (const bin of ['iptables', 'ip6tables']) {
    for (const chain of ['OUTPUT', 'FORWARD']) {
      const argv = [bin, '-w', op, chain, '-o', e.iface, '-m', 'statistic', '--mode', 'random', '--probability', probability(percent), '-m', 'comment', '--comment', RULE_COMMENT, '-j', 'DROP'];
      steps.push(op === '-D' ? { in: 'netns', node: e.node, argv, tolerate: /does a matching rule exist|No chain\/target\/match/ } : { in: 'netns', node: e.node, argv });
    }
  }
  return steps;
}

export function linkSteps(endpoints: Endpoint[], state: 'up' | 'down', tolerant = false): Step[] {
  return endpoints.map((e) => ({
    in: 'netns',
    node: e.node,
    argv: ['ip', 'link', 'set', 'dev', e.iface, state],
    ...(tolerant ? { tolerate: /Cannot find device/ } : {}),
  }));
}

/** Words of `ip route show` output that are state, not something `ip route replace` takes. */
const ROUTE_STATE_WORDS = new Set(['linkdown', 'dead', 'offload', 'trap', 'rt_offload', 'rt_trap', 'rt_offload_failed']);

/** `ip route replace` of each saved route (kernel routes come back by themselves when the link is up). */
export function routeRestoreSteps(saved: NonNullable<Extract<Fault, { type: 'link-down' }>['routes']>): Step[] {
  return saved.flatMap((s) =>
    s.routes
      .filter((line) => !/\bproto kernel\b/.test(line) && line.trim() !== '')
      .map((line) => ({
        in: 'netns' as const,
        node: s.node,
        argv: ['ip', ...(s.family === 6 ? ['-6'] : []), 'route', 'replace', ...line.trim().split(/\s+/).filter((w) => !ROUTE_STATE_WORDS.has(w)), 'dev', s.iface],
        tolerate: /./,
      })),
  );
}

/** What undoes a recorded fault (nothing for the events). Tolerant: the fault may be half gone already. */
export function undoSteps(f: Fault): Step[] {
  switch (f.type) {
    case 'link-down':
      return [...linkSteps(f.endpoints, 'up', true), ...routeRestoreSteps(f.routes ?? [])];
    case 'link-flap':
      return linkSteps(f.endpoints, 'up', true);
    case 'link-loss':
      return f.endpoints.flatMap((e) => lossRules(e, f.percent, '-D'));
    case 'node-stop':
      return [{ in: 'docker', node: f.node, action: 'start' }];
    case 'node-pause':
      return [{ in: 'docker', node: f.node, action: 'unpause' }];
    case 'agent-stop':
      return [agentStep(f.node, 'start')];
    case 'node-restart':
    case 'bgp-reset':
    case 'agent-kill':
    case 'agent-restart':
      return [];
  }
}

export function isEvent(f: Fault): boolean {
  return f.type === 'node-restart' || f.type === 'bgp-reset' || f.type === 'agent-kill' || f.type === 'agent-restart';
}

/** How long `kill`/`restart`/`start` wait for the next agent run (the node daemon starts one 1 s after it ended). */
export const AGENT_WAIT_S = 15;

/**
 * The shell run in the node's container for an agent fault. The agent runs inside the node daemon's process
 * (cluster/node/agent-host.ts): kill/restart ask the daemon's control socket to end it as SIGKILL/SIGTERM ended a
 * separate process and wait for the next run, printing `agent run OLD -> NEW in MS ms` (the runner records it).
 */
export function agentScript(action: AgentAction): string {
  const d = IN_CONTAINER.nodeDir;
  const ask = (method: 'GET' | 'POST', what: string, exit: number) =>
    `r=$(${agentControl(method, what)} 2>&1) && echo "$r" || { echo "\${r:-the node daemon does not answer}" >&2; exit ${exit}; }`;
  switch (action) {
    case 'kill':
    case 'restart':
      return ask('POST', `/${action}?wait=${AGENT_WAIT_S}`, 3);
    case 'stop':
      // without the marker the daemon does not start it again; an exec line's own agent process gets SIGTERM
      return `rm -f ${d}/${AGENT_MARKER}; ${agentControl('POST', '/stop')} >/dev/null 2>&1; pkill -TERM -f '${AGENT_PROCESS_PATTERN}'; echo stopped`;
    case 'start':
      return (
        `touch ${d}/${AGENT_MARKER}; i=0; while [ $i -lt ${AGENT_WAIT_S * 10} ]; do ` +
        `s=$(${agentControl('POST', '/sync')} 2>/dev/null); case "$s" in *'"running":true'*) echo "agent run $(echo "$s" | sed 's/.*"run":\\([0-9]*\\).*/\\1/') running"; exit 0;; esac; sleep 0.1; i=$((i+1)); done; ` +
        `echo "no agent within ${AGENT_WAIT_S} s: ${d}/logs/agent.log says why" >&2; exit 4`
      );
  }
}

export function agentStep(node: string, action: AgentAction): Step {
  return { in: 'container', node, argv: ['sh', '-c', agentScript(action)], hint: `node ${node} runs no kindlab BGP agent (k8s-node nodes of a lab whose cluster has bgp.agent on do)` };
}

/**
 * `agent run 3 -> 4 in 1130 ms` (the agent hosted by the node daemon) or `agent pid 41 -> 97 in 1130 ms` (a
 * separate agent process, earlier builds) → the numbers (undefined parts when the line says less).
 */
export function parseAgentRestart(out: string): { oldPid?: number; newPid?: number; oldRun?: number; newRun?: number; restartMs?: number } {
  const m = /agent (pid|run) (\d+|-) -> (\d+) in (\d+) ms/.exec(out);
  if (!m) return {};
  const [o, n] = m[1] === 'pid' ? ['oldPid', 'newPid'] : ['oldRun', 'newRun'];
  return { ...(m[2] !== '-' ? { [o]: Number(m[2]) } : {}), [n]: Number(m[3]), restartMs: Number(m[4]) };
}

/** The plan of one request: undo `replaced` entries, run `steps`, record `add`, drop the `remove` ids. */
export interface FaultPlan {
  steps: Step[];
  /** The fault to record after the steps ran (a flap's pid is filled in by the runner). */
  add?: Fault;
  /** Ids of recorded entries this request ends or replaces. */
  remove: number[];
  /** Recorded entries this request narrows (a loss on two ends, one of them changed): same id, new fault. */
  narrow?: Array<{ id: number; fault: Fault }>;
}

const touches = (f: Fault, endpoints: Endpoint[]): boolean =>
  'endpoints' in f && f.endpoints.some((x) => endpoints.some((e) => sameEndpoint(x, e)));

/**
 * The recorded entries that name some of `endpoints`, split: those naming only these ends are
 * removed, the others narrowed to their other ends (a down on A and B, then `up` on B: A stays down and recorded).
 */
function without(entries: FaultEntry[], endpoints: Endpoint[]): Pick<FaultPlan, 'remove' | 'narrow'> {
  const remove: number[] = [];
  const narrow: Array<{ id: number; fault: Fault }> = [];
  for (const x of entries) {
    if (!('endpoints' in x.fault)) continue;
    const others = x.fault.endpoints.filter((e) => !endpoints.some((r) => sameEndpoint(r, e)));
    if (others.length) narrow.push({ id: x.id, fault: { ...x.fault, endpoints: others } });
    else remove.push(x.id);
  }
  return { remove, ...(narrow.length ? { narrow } : {}) };
}

export function planFault(req: FaultRequest, view: LabView, file: FaultFile): FaultPlan {
  if (req.kind === 'link') {
    checkEndpoints(view, req.endpoints);
    const on = (types: Fault['type'][]) => file.faults.filter((x) => types.includes(x.fault.type) && touches(x.fault, req.endpoints));
    switch (req.action) {
      case 'down':
        return { steps: linkSteps(req.endpoints, 'down'), add: { type: 'link-down', endpoints: req.endpoints }, ...without(on(['link-down']), req.endpoints) };
      case 'up': {
        // A flap touched by `up` ends as a whole (its process sees the record gone and leaves every end up).
        const downs = without(on(['link-down']), req.endpoints);
        return { steps: linkSteps(req.endpoints, 'up'), ...downs, remove: [...downs.remove, ...on(['link-flap']).map((x) => x.id)] };
      }
      case 'flap':
        return { steps: [], add: { type: 'link-flap', endpoints: req.endpoints, periodMs: req.periodMs, ...(req.count ? { count: req.count } : {}), pid: 0 }, remove: [] };
      case 'loss': {
        // A new loss on an end replaces its old one (those rules are deleted first); loss 0 only removes.
        // An old loss on two ends of which one is named here stays on the other end.
        const old = on(['link-loss']);
        const steps: Step[] = [];
        for (const x of old) {
          if (x.fault.type !== 'link-loss') continue;
          const percent = x.fault.percent;
          steps.push(...x.fault.endpoints.filter((e) => req.endpoints.some((r) => sameEndpoint(r, e))).flatMap((e) => lossRules(e, percent, '-D')));
        }
        if (req.percent > 0) steps.push(...req.endpoints.flatMap((e) => lossRules(e, req.percent, '-I')));
        return { steps, ...(req.percent > 0 ? { add: { type: 'link-loss', endpoints: req.endpoints, percent: req.percent } } : {}), ...without(old, req.endpoints) };
      }
    }
  }
  checkNode(view, req.node);
  if (req.kind === 'agent') {
    const kind = view.nodes.find((n) => n.name === req.node)!.kind;
    if (kind !== 'k8s-node') throw new KindlabError('FAULT', `node ${req.node} is of kind ${kind}: only k8s-node nodes run the kindlab BGP agent`, { hint: `the lab's k8s nodes: ${view.nodes.filter((n) => n.kind === 'k8s-node').map((n) => n.name).join(', ') || '(none)'}` });
  }
  const onNode = (type: Fault['type']) => file.faults.filter((x) => x.fault.type === type && 'node' in x.fault && x.fault.node === req.node).map((x) => x.id);
  if (req.kind === 'bgp') {
    const clear = req.peer ? `clear ip bgp ${req.peer}` : 'clear ip bgp *';
    return { steps: [{ in: 'container', node: req.node, argv: ['vtysh', '-c', clear] }], add: { type: 'bgp-reset', node: req.node, ...(req.peer ? { peer: req.peer } : {}) }, remove: [] };
  }
  if (req.kind === 'agent') {
    const step = agentStep(req.node, req.action);
    switch (req.action) {
      case 'kill':
        return { steps: [step], add: { type: 'agent-kill', node: req.node }, remove: [] };
      case 'restart':
        return { steps: [step], add: { type: 'agent-restart', node: req.node }, remove: [] };
      case 'stop':
        return { steps: [step], add: { type: 'agent-stop', node: req.node }, remove: onNode('agent-stop') };
      case 'start':
        return { steps: [step], remove: onNode('agent-stop') };
    }
  }
  const docker: Step = { in: 'docker', node: req.node, action: req.action };
  switch (req.action) {
    case 'stop':
      // Docker stops a paused container too; its pause record is over.
      return { steps: [docker], add: { type: 'node-stop', node: req.node }, remove: [...onNode('node-stop'), ...onNode('node-pause')] };
    case 'start':
      return { steps: [docker], remove: onNode('node-stop') };
    case 'pause':
      return { steps: [docker], add: { type: 'node-pause', node: req.node }, remove: onNode('node-pause') };
    case 'unpause':
      return { steps: [docker], remove: onNode('node-pause') };
    case 'restart':
      // A restart leaves the node running and unpaused: its stop and pause records are over.
      return { steps: [docker], add: { type: 'node-restart', node: req.node }, remove: [...onNode('node-stop'), ...onNode('node-pause')] };
  }
}

/** The record after a plan ran: `remove` dropped, `narrow` applied, `add` appended with the next id. */
export function applyToFile(file: FaultFile, plan: Pick<FaultPlan, 'add' | 'remove' | 'narrow'>, at: Date): { file: FaultFile; entry?: FaultEntry } {
  const faults = file.faults.filter((x) => !plan.remove.includes(x.id)).map((x) => ({ ...x, fault: plan.narrow?.find((n) => n.id === x.id)?.fault ?? x.fault }));
  if (!plan.add) return { file: { ...file, faults } };
  const entry: FaultEntry = { id: file.nextId, at: at.toISOString(), fault: plan.add };
  return { file: { ...file, nextId: file.nextId + 1, faults: [...faults, entry] }, entry };
}

/** The undo steps of every recorded fault, newest first (so a loss set after a down is removed first). */
export function clearPlan(file: FaultFile): Array<{ entry: FaultEntry; steps: Step[] }> {
  return [...file.faults].reverse().map((entry) => ({ entry, steps: undoSteps(entry.fault) }));
}

/** One line of `lab fault list`. */
export function describeFault(f: Fault): string {
  switch (f.type) {
    case 'link-down':
      return `link ${f.endpoints.map(endpointText).join(' ')} down`;
    case 'link-flap':
      return `link ${f.endpoints.map(endpointText).join(' ')} flap every ${f.periodMs} ms${f.count ? `, ${f.count} times` : ''} (pid ${f.pid})`;
    case 'link-loss':
      return `link ${f.endpoints.map(endpointText).join(' ')} loss ${f.percent}% (iptables statistic DROP on egress)`;
    case 'node-stop':
      return `node ${f.node} stopped`;
    case 'node-pause':
      return `node ${f.node} paused`;
    case 'node-restart':
      return `node ${f.node} restarted (event)`;
    case 'bgp-reset':
      return `bgp ${f.node} reset ${f.peer ?? 'all peers'} (event)`;
    case 'agent-kill':
    case 'agent-restart': {
      const how = f.type === 'agent-kill' ? 'killed (SIGKILL)' : 'restarted (SIGTERM)';
      const later = f.restartMs !== undefined ? ` ${f.restartMs} ms later` : '';
      const back = f.newRun ? `; its node daemon started run ${f.newRun}${later}` : f.newPid ? `; its supervisor started pid ${f.newPid}${later}` : '';
      return `agent ${f.node} ${how}${f.oldRun ? ` run ${f.oldRun}` : f.oldPid ? ` pid ${f.oldPid}` : ''}${back} (event)`;
    }
    case 'agent-stop':
      return `agent ${f.node} stopped (its supervisor told to stop)`;
  }
}

/** The command that captures `iface` in the netns of the process `pid`, pcap to stdout (packet-buffered). */
export function tcpdumpArgv(pid: number, iface: string, count?: number): string[] {
  // -w - and not -w FILE: tcpdump drops root to its own user (and AppArmor confines its paths), so the caller writes the file.
  // --immediate-mode: without it packets wait in the kernel's capture buffer (up to 1 s) and a Ctrl-C right after loses them.
  return ['nsenter', `--net=/proc/${pid}/ns/net`, ...tcpdumpCmd(iface, count)];
}

/** tcpdump's argv alone (run in the node's netns by the caller: here, or on the node's machine). Pure. */
export function tcpdumpCmd(iface: string, count?: number): string[] {
  return ['tcpdump', '--immediate-mode', '-U', '-n', '-i', iface, '-w', '-', ...(count ? ['-c', String(count)] : [])];
}

/** The lab's nodes and links from its lab directory's state.json and topology-data.json (parsed JSON). */
export function labViewOf(labDir: string, state: { lab: string; nodes: Array<{ name: string; container: string; kind: string }> }, topologyData: unknown): LabView {
  const raw = (topologyData as { links?: Array<{ a?: { node?: string; interface?: string }; z?: { node?: string; interface?: string } }> } | undefined)?.links ?? [];
  const links: Array<[Endpoint, Endpoint]> = [];
  for (const l of raw) {
    if (l.a?.node && l.a.interface && l.z?.node && l.z.interface) links.push([{ node: l.a.node, iface: l.a.interface }, { node: l.z.node, iface: l.z.interface }]);
  }
  return { lab: state.lab, labDir, nodes: state.nodes.map((n) => ({ name: n.name, container: n.container, kind: n.kind })), links };
}
