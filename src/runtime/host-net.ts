/**
 * Where the special links (special-links.ts) run `ip` and `tc`: this machine (local nsenter, as
 * before), or, for a node on another engine of a lab with `hosts:`, that engine's machine through
 * its helper container (host network and pid namespaces, cross-links.ts). Named namespaces (the
 * dummy links' parking namespace) live in the machine's /run/netns, so the helper enters pid 1's
 * mount namespace for them.
 */
import { execa } from 'execa';
import { ExecError } from '../errors.js';
import type { ExecResult } from './docker.js';
import type { Engine } from './engines.js';
import type { VtepHelpers } from './cross-links.js';
import { ip, ipBatch, ipNamed } from './netns.js';

export interface HostNet {
  /** `host` (this machine) or `host b` (an engine's machine), for messages. */
  readonly where: string;
  /** `ip` in a node's namespace (`pid`), or the machine's own (0); ExecError on failure. */
  ip(pid: number, args: string[], target?: string): Promise<string>;
  ipBatch(pid: number, lines: string[], target?: string): Promise<void>;
  /** `ip -n NETNS`: a named namespace of the machine. */
  ipNamed(netns: string, args: string[]): Promise<string>;
  /** `ip netns add`; a non-zero exit is returned, not thrown. */
  addNetns(netns: string): Promise<ExecResult>;
  /** A host binary (tc) in the machine's namespace; a non-zero exit is returned, not thrown. */
  run(argv: string[]): Promise<ExecResult>;
}

export const localHostNet: HostNet = {
  where: 'host',
  ip,
  ipBatch,
  ipNamed,
  async addNetns(netns) {
    return run(['ip', 'netns', 'add', netns]);
  },
  run,
};

async function run(argv: string[]): Promise<ExecResult> {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The nsenter argv for a pid's network namespace. Pure. */
export function nsenterArgv(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-n', ...argv];
}

/** `ip` argv in a node's namespace (`pid`) or the machine's (0). Pure. */
export function ipArgv(pid: number, args: string[]): string[] {
  return pid ? nsenterArgv(pid, ['ip', ...args]) : ['ip', ...args];
}

/** `ip -batch` argv with its lines as arguments (an exec in the helper has no stdin). Pure. */
export function ipBatchArgv(pid: number, lines: string[]): string[] {
  const ipCmd = (pid ? nsenterArgv(pid, ['ip']) : ['ip']).join(' ');
  return ['sh', '-c', `printf '%s\\n' "$@" | ${ipCmd} -batch -`, 'sh', ...lines];
}

/** argv in the machine's mount namespace (its /run/netns), from the helper (host pid namespace). Pure. */
export function hostMountArgv(argv: string[]): string[] {
  return ['nsenter', '-t', '1', '-m', ...argv];
}

/** The special links' commands on an engine's machine, through its helper. */
export function engineHostNet(e: Engine, helpers: VtepHelpers): HostNet {
  const where = `host ${e.name}`;
  const checked = async (argv: string[], target: string, what: string): Promise<string> => {
    const r = await helpers.exec(e, argv);
    if (r.exitCode !== 0) throw new ExecError(target, what, r.exitCode, r.stdout, r.stderr);
    return r.stdout;
  };
  return {
    where,
    ip: (pid, args, target = where) => checked(ipArgv(pid, args), target, `ip ${args.join(' ')}`),
    async ipBatch(pid, lines, target = where) {
      if (lines.length > 0) await checked(ipBatchArgv(pid, lines), target, `ip -batch: ${lines.join('; ')}`);
    },
    ipNamed: (netns, args) => checked(hostMountArgv(['ip', '-n', netns, ...args]), `netns ${netns} on ${where}`, `ip -n ${netns} ${args.join(' ')}`),
    addNetns: (netns) => helpers.exec(e, hostMountArgv(['ip', 'netns', 'add', netns])),
    run: (argv) => helpers.exec(e, argv),
  };
}
