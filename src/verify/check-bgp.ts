/** bgp checks: a node's sessions (or one peer) Established, with optional prefix counts. */
import type { EvidenceLog, LabContext, Daemon } from './context.js';
import { parseAgentNeighbors, parseBirdProtocols, parseFrrSummary, parseGobgpNeighbors, type Session } from './probes/sessions.js';
import type { BgpExpectation, BgpSource } from './types.js';
import { KindlabError } from '../errors.js';

export interface Outcome {
  passed: boolean;
  detail: string;
}

const SESSION_COMMANDS: Record<Exclude<BgpSource, 'auto'>, { argv: string[]; parse: (s: string) => Session[] }> = {
  frr: { argv: ['vtysh', '-c', 'show bgp summary json'], parse: parseFrrSummary },
  bird: { argv: ['birdc', 'show', 'protocols', 'all'], parse: parseBirdProtocols },
  gobgp: { argv: ['gobgp', 'neighbor', '-j'], parse: parseGobgpNeighbors },
  agent: { argv: ['lab-agent', 'neighbor', '--json'], parse: parseAgentNeighbors },
};

export async function bgpSource(ctx: LabContext, node: string, wanted: BgpSource): Promise<Exclude<BgpSource, 'auto'> | undefined> {
  if (wanted !== 'auto') return wanted;
  const running: Daemon[] = await ctx.daemons(node);
  return (['frr', 'bird', 'gobgp', 'agent'] as const).find((d) => running.includes(d));
}

/** The node's sessions as its speaker reports them (throws with the command's output on failure). */
export async function readSessions(ctx: LabContext, log: EvidenceLog, node: string, source: Exclude<BgpSource, 'auto'>): Promise<Session[]> {
  const cmd = SESSION_COMMANDS[source];
  const r = await ctx.query(log, node, cmd.argv);
  if (r.exitCode !== 0) throw new KindlabError('VERIFY', `${cmd.argv[0]} failed (exit ${r.exitCode})${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
  return cmd.parse(r.stdout);
}

function describe(s: Session): string {
  return `${s.peer}${s.remoteAs ? ` AS${s.remoteAs}` : ''} ${s.state}${s.established && s.prefixes !== undefined ? ` ${s.prefixes} pfx` : ''}`;
}

function prefixProblem(e: BgpExpectation, count: number | undefined, what: string): string | undefined {
  if (e.prefixes === undefined && e.minPrefixes === undefined) return undefined;
  if (count === undefined) return `${what}: the speaker does not report a prefix count`;
  if (e.prefixes !== undefined && count !== e.prefixes) return `${what}: ${count} prefixes received, expected exactly ${e.prefixes}`;
  if (e.minPrefixes !== undefined && count < e.minPrefixes) return `${what}: ${count} prefixes received, expected at least ${e.minPrefixes}`;
  return undefined;
}

/** Prefixes in the speaker's IPv4 unicast BGP table (FRR: what `show bgp ipv4` displays; agent: RIB destinations). */
async function tableRoutes(ctx: LabContext, log: EvidenceLog, node: string, source: Exclude<BgpSource, 'auto'>): Promise<number> {
  const argv = source === 'frr' ? ['vtysh', '-c', 'show bgp ipv4 unicast json'] : source === 'agent' ? ['lab-agent', 'rib', '--json', '--summary', '--family', 'ipv4'] : undefined;
  if (!argv) throw new KindlabError('VERIFY', `counting the BGP table is supported for FRR and lab-agent, not ${source}`);
  const r = await ctx.query(log, node, argv);
  if (r.exitCode !== 0) throw new KindlabError('VERIFY', `${argv[0]} failed (exit ${r.exitCode})`);
  const j = JSON.parse(r.stdout || '{}') as { routes?: Record<string, unknown>; destinations?: number };
  return source === 'frr' ? Object.keys(j.routes ?? {}).length : (j.destinations ?? 0);
}

export async function checkBgp(ctx: LabContext, log: EvidenceLog, e: BgpExpectation): Promise<Outcome> {
  const source = await bgpSource(ctx, e.node, e.source);
  if (!source) return { passed: false, detail: `${e.node} runs no BGP speaker (looked for bgpd, bird, gobgpd, lab-agent)` };
  const outcome = await checkSessions(ctx, log, e, source);
  if (e.routes === undefined) return outcome;
  // The table is counted even when a session is down: the count is the evidence a reader looks for.
  const n = await tableRoutes(ctx, log, e.node, source);
  if (n !== e.routes) return { passed: false, detail: `${source}: ${n} routes in the BGP table, expected ${e.routes}; ${outcome.detail.replace(`${source}: `, '')}` };
  return { passed: outcome.passed, detail: `${outcome.detail}; ${n} routes in the BGP table` };
}

async function checkSessions(ctx: LabContext, log: EvidenceLog, e: BgpExpectation, source: Exclude<BgpSource, 'auto'>): Promise<Outcome> {
  const sessions = await readSessions(ctx, log, e.node, source);
  if (e.peer) {
    const s = sessions.find((x) => x.peer === e.peer || x.label === e.peer);
    if (!s) return { passed: false, detail: `${source}: no session with ${e.peer} (sessions: ${sessions.map((x) => x.peer).join(', ') || 'none'})` };
    if (!s.established) return { passed: false, detail: `${source}: ${describe(s)}` };
    const bad = prefixProblem(e, s.prefixes, e.peer);
    return { passed: !bad, detail: bad ?? `${source}: ${describe(s)}` };
  }
  if (sessions.length === 0) return { passed: false, detail: `${source}: no BGP sessions configured` };
  const up = sessions.filter((s) => s.established);
  const down = sessions.filter((s) => !s.established);
  const need = e.minEstablished ?? sessions.length;
  const summary = `${up.length}/${sessions.length} Established`;
  if (up.length < need) return { passed: false, detail: `${source}: ${summary}${e.minEstablished !== undefined ? ` (need ${need})` : ''}; down: ${down.map(describe).join(', ')}` };
  const total = up.every((s) => s.prefixes === undefined) ? undefined : up.reduce((a, s) => a + (s.prefixes ?? 0), 0);
  const bad = prefixProblem(e, total, 'all sessions');
  return { passed: !bad, detail: bad ?? `${source}: ${summary} (${up.map(describe).join(', ')})` };
}
