/**
 * The agent's local admin API (HTTP/JSON on TCP or a unix socket): what `lab-agent neighbor|rib` and /metrics read,
 * plus originate/withdraw/neighbor changes at runtime.
 */
import http from 'node:http';
import { rm } from 'node:fs/promises';
import type { BgpSpeaker, NeighborStatus } from '../bgp/index.js';
import type { Family } from '../bgp/index.js';
import type { BfdPeerStatus } from '../bfd/index.js';
import { KindlabError, errorMessage } from '../errors.js';
import { parseAdminAddress } from './admin-addr.js';
import { renderMetrics } from './metrics.js';
import type { BfdLink } from './bfd-link.js';

export interface AdminExtras {
  /** BFD state per neighbor in GET /neighbors; POST/DELETE /neighbors also set the neighbor's BFD session. */
  bfd?: BfdLink;
}

/** A neighbor as GET /neighbors shows it: the speaker's status plus its BFD session, if it has one. */
export interface AgentNeighborStatus extends NeighborStatus {
  bfd?: BfdSummary;
}

export interface BfdSummary {
  state: BfdPeerStatus['state'];
  remoteState: BfdPeerStatus['state'];
  /** Our diagnostic code (reason of the last state change) and the remote's. */
  diag: number;
  remoteDiag: number;
  multihop: boolean;
  txIntervalMs: number;
  detectTimeMs: number;
  localDiscr: number;
  remoteDiscr: number;
  /** Seconds since the last state change. */
  sinceSeconds: number;
}

export function neighborsWithBfd(sp: BgpSpeaker, extras: AdminExtras = {}): AgentNeighborStatus[] {
  const bfd = new Map((extras.bfd?.status() ?? []).map((b) => [b.peer, b]));
  const now = Date.now();
  return sp.neighborStatus().map((n) => {
    const b = bfd.get(n.address);
    if (!b) return n;
    const summary: BfdSummary = {
      state: b.state, remoteState: b.remoteState, diag: b.diag, remoteDiag: b.remoteDiag, multihop: b.multihop,
      txIntervalMs: b.txIntervalMs, detectTimeMs: b.detectTimeMs, localDiscr: b.localDiscr, remoteDiscr: b.remoteDiscr,
      sinceSeconds: Math.max(0, Math.floor((now - b.since) / 1000)),
    };
    return { ...n, bfd: summary };
  });
}

export function parseFamily(s: string | null | undefined): Family {
  if (!s || s === 'ipv4' || s === 'ipv4-unicast') return 'ipv4-unicast';
  if (s === 'ipv6' || s === 'ipv6-unicast') return 'ipv6-unicast';
  throw new KindlabError('USAGE', `unknown family "${s}" (ipv4, ipv6, ipv4-unicast, ipv6-unicast)`);
}

export interface RibJson {
  family: Family;
  destinations: number;
  paths: number;
  routes?: Array<{ prefix: string; nextHop: string; asPath: number[]; communities: string[]; largeCommunities: string[]; best: boolean; peer: string; stale: boolean; origin: string; med?: number; localPref?: number }>;
}

export function ribJson(sp: BgpSpeaker, family: Family, opts: { summary?: boolean; table?: 'loc' | 'adj-in' | 'adj-out'; peer?: number } = {}): RibJson {
  const c = sp.rib.counts(family);
  const out: RibJson = { family, destinations: c.destinations, paths: c.paths };
  if (opts.summary) return out;
  out.routes = [];
  for (const r of sp.rib.routes({ family, table: opts.table ?? 'loc', peer: opts.peer })) {
    out.routes.push({
      prefix: r.prefix,
      nextHop: r.nextHop,
      asPath: r.asPath,
      communities: r.communities,
      largeCommunities: r.largeCommunities,
      best: r.best,
      peer: r.peer,
      stale: r.stale,
      origin: r.origin,
      ...(r.med !== undefined ? { med: r.med } : {}),
      ...(r.localPref !== undefined ? { localPref: r.localPref } : {}),
    });
  }
  return out;
}

async function body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let s = '';
  for await (const c of req) s += String(c);
  return s ? (JSON.parse(s) as Record<string, unknown>) : {};
}

export async function startAdminServer(sp: BgpSpeaker, addr: string, started = Date.now(), extras: AdminExtras = {}): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    handle(sp, req, started, extras).then(
      ({ status, json, text }) => {
        res.writeHead(status, { 'content-type': text !== undefined ? 'text/plain; version=0.0.4' : 'application/json' });
        res.end(text ?? `${JSON.stringify(json, null, 1)}\n`);
      },
      (e: unknown) => {
        const status = e instanceof KindlabError && e.code === 'USAGE' ? 400 : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify({ error: errorMessage(e) })}\n`);
      },
    );
  });
  const a = parseAdminAddress(addr);
  if (a.kind === 'unix') await rm(a.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new KindlabError('BGP_ADMIN', `cannot listen on admin address ${addr}: ${e.message}`, { cause: e })));
    if (a.kind === 'tcp') server.listen(a.port, a.host, resolve);
    else server.listen(a.path, resolve);
  });
  return server;
}

async function handle(sp: BgpSpeaker, req: http.IncomingMessage, started: number, extras: AdminExtras): Promise<{ status: number; json?: unknown; text?: string }> {
  const url = new URL(req.url ?? '/', 'http://agent');
  const q = url.searchParams;
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /healthz':
      return { status: 200, json: { status: 'ok' } };
    case 'GET /neighbors':
      return { status: 200, json: neighborsWithBfd(sp, extras) };
    case 'GET /rib': {
      const peerAddr = q.get('peer');
      const peer = peerAddr ? sp.ribPeerOf(peerAddr) : undefined;
      if (peerAddr && peer === undefined) return { status: 404, json: { error: `no RIB for peer ${peerAddr}` } };
      const table = (q.get('table') ?? (peerAddr ? 'adj-in' : 'loc')) as 'loc' | 'adj-in' | 'adj-out';
      const summary = q.get('summary') === '1' || q.get('summary') === 'true';
      return { status: 200, json: ribJson(sp, parseFamily(q.get('family')), { summary, table, peer }) };
    }
    case 'GET /adj-out': {
      const peerAddr = q.get('peer') ?? '';
      const peer = sp.ribPeerOf(peerAddr);
      if (peer === undefined) return { status: 404, json: { error: `no RIB for peer ${peerAddr}` } };
      return { status: 200, json: { peer: peerAddr, ...ribJson(sp, parseFamily(q.get('family')), { table: 'adj-out', peer }) } };
    }
    case 'GET /metrics': {
      const rib = (['ipv4-unicast', 'ipv6-unicast'] as const).map((family) => ({ family, ...sp.rib.counts(family) }));
      return { status: 200, text: renderMetrics(sp.neighborStatus(), rib, { updatesIn: sp.updatesIn, uptimeSeconds: Math.floor((Date.now() - started) / 1000) }) };
    }
    case 'POST /originate': {
      const b = await body(req);
      if (typeof b.prefix !== 'string') throw new KindlabError('USAGE', 'POST /originate needs {"prefix": ...}');
      sp.originate(b.prefix, { communities: b.communities as string[] | undefined, largeCommunities: b.largeCommunities as string[] | undefined, med: b.med as number | undefined, localPref: b.localPref as number | undefined, nextHop: b.nextHop as string | undefined });
      return { status: 200, json: { originated: b.prefix } };
    }
    case 'POST /withdraw': {
      const b = await body(req);
      if (typeof b.prefix !== 'string') throw new KindlabError('USAGE', 'POST /withdraw needs {"prefix": ...}');
      sp.withdraw(b.prefix);
      return { status: 200, json: { withdrawn: b.prefix } };
    }
    case 'POST /refresh': {
      const b = await body(req);
      const ok = sp.refresh(String(b.peer ?? ''), parseFamily(b.family as string | undefined));
      return { status: ok ? 200 : 409, json: { refreshed: ok } };
    }
    case 'POST /neighbors': {
      // Same YAML/JSON shape as a config file's neighbors entry.
      const b = await body(req);
      // loaded on use: the config parser brings yaml and ajv, which a node's k8s agent otherwise never needs
      const { parseAgentConfig } = await import('./config.js');
      const cfg = parseAgentConfig(JSON.stringify({ asn: sp.cfg.asn, routerId: sp.cfg.routerId, neighbors: [b] }), 'POST /neighbors');
      sp.updateNeighbor(cfg.speaker.neighbors[0]!);
      await extras.bfd?.set(cfg.speaker.neighbors[0]!.peerAddress, cfg.bfd[0]);
      return { status: 200, json: { neighbor: cfg.speaker.neighbors[0]!.peerAddress } };
    }
    case 'DELETE /neighbors': {
      const removed = sp.removeNeighbor(q.get('address') ?? '');
      if (removed) await extras.bfd?.set(q.get('address') ?? '', undefined);
      return { status: removed ? 200 : 404, json: { removed } };
    }
    default:
      return { status: 404, json: { error: `no route ${route}` } };
  }
}
