/**
 * `lab-agent k8s --node NAME [--kubeconfig FILE] [--dialect cilium|calico|kube-router|kube-ovn|metallb] [--admin ADDR]
 *  [--listen ADDR:PORT] [--log-level L] [--restart-marker FILE] [dialect flags...]` and `lab-agent adj-out PEER [--json] [--family F]`.
 * Unknown flags belong to the dialect (kube-router's --peer-router-ips..., kube-ovn's --neighbor-address...).
 */
import os from 'node:os';
import { KindlabError } from '../../errors.js';
import { createLogger, type LogLevel, type Logger } from '../../bgp/index.js';
import { adminRequest } from '../client.js';
// not from config.js: that one loads the standalone config's YAML parser
import { DEFAULT_ADMIN } from '../admin-addr.js';
import { formatRib } from '../format.js';
import type { RibJson } from '../admin-server.js';
import { DIALECTS, type DialectName } from '../dialects/types.js';
import { K8sAgent } from './agent.js';

const OWN = new Set(['node', 'kubeconfig', 'dialect', 'admin', 'listen', 'log-level', 'fib-netns', 'no-fib', 'debounce-ms', 'json', 'family', 'restart-marker']);

/** Where a planned restart (SIGTERM) leaves its marker for the next run (restart-marker.ts). */
export const restartMarkerPath = (node: string): string => `/run/lab-agent/${node}.restart.json`;

export interface K8sArgs {
  own: Map<string, string>;
  rest: string[];
  positionals: string[];
}

/** Splits our flags from the dialect's (left in `rest` untouched). */
export function splitArgs(argv: string[]): K8sArgs {
  const own = new Map<string, string>();
  const rest: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!OWN.has(name)) {
      rest.push(a);
      if (inline === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) rest.push(argv[++i]!);
      continue;
    }
    if (inline !== undefined) own.set(name, inline);
    else if (name === 'json' || name === 'no-fib') own.set(name, 'true');
    else own.set(name, argv[++i] ?? '');
  }
  return { own, rest, positionals };
}

export function parseListen(s: string): { address: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s);
  if (!m) throw new KindlabError('USAGE', `--listen wants ADDR:PORT, got "${s}"`);
  return { address: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/** The agent and its logger from `lab-agent k8s` flags; `write` takes the log lines (default: stderr). */
export function k8sAgentFrom(argv: string[], write?: (line: string) => void): { agent: K8sAgent; log: Logger; dialect: string | undefined } {
  const { own, rest } = splitArgs(argv);
  const dialect = own.get('dialect');
  if (dialect && !DIALECTS.includes(dialect as DialectName)) throw new KindlabError('USAGE', `unknown --dialect "${dialect}" (${DIALECTS.join(', ')})`);
  const node = own.get('node') ?? process.env.NODE_NAME ?? os.hostname();
  const log = createLogger({ level: (own.get('log-level') as LogLevel | undefined) ?? undefined, fields: { node }, ...(write ? { write } : {}) });
  const fibNetns = own.has('no-fib') ? false : own.get('fib-netns');
  const agent = new K8sAgent({
    node,
    kubeconfig: own.get('kubeconfig'),
    dialect: dialect as DialectName | undefined,
    dialectArgs: rest,
    admin: own.get('admin') ?? process.env.LAB_AGENT_ADMIN ?? DEFAULT_ADMIN,
    listen: parseListen(own.get('listen') ?? '0.0.0.0:179'),
    log,
    debounceMs: own.has('debounce-ms') ? Number(own.get('debounce-ms')) : undefined,
    ...(fibNetns !== undefined ? { fibNetns } : {}),
    restartMarker: own.get('restart-marker') ?? restartMarkerPath(node),
  });
  return { agent, log, dialect };
}

export async function runK8s(argv: string[]): Promise<number> {
  const { agent, log, dialect } = k8sAgentFrom(argv);
  await agent.start();
  log.info('k8s agent started', { dialect: agent.currentIntent?.dialect ?? dialect ?? 'detecting' });
  let stopping = false;
  const stop = (signal: string, graceful: boolean) => {
    if (stopping) return;
    stopping = true;
    log.info('agent stopping', { signal, graceful });
    void agent.stop({ graceful }).finally(() => setTimeout(() => process.exit(0), 100).unref());
  };
  process.on('SIGTERM', () => stop('SIGTERM', true));
  process.on('SIGINT', () => stop('SIGINT', false));
  return -1;
}

/** `lab-agent adj-out PEER`: what we advertise to one peer (Adj-RIB-Out). */
export async function runAdjOut(argv: string[]): Promise<number> {
  const { own, positionals } = splitArgs(argv);
  const peer = positionals[0];
  if (!peer) throw new KindlabError('USAGE', 'adj-out needs a PEER address');
  const admin = own.get('admin') ?? process.env.LAB_AGENT_ADMIN ?? DEFAULT_ADMIN;
  const q = new URLSearchParams({ peer, family: own.get('family') ?? 'ipv4' });
  const r = await adminRequest<RibJson & { peer: string }>(admin, 'GET', `/adj-out?${q.toString()}`);
  console.log(own.has('json') ? JSON.stringify(r, null, 2) : `Adj-RIB-Out to ${peer}\n${formatRib(r)}`);
  return 0;
}
