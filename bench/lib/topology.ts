/**
 * Benchmark topology: three network namespaces, blaster ── daemon ── monitor, joined by two veth pairs with
 * addresses from 198.18.0.0/15. Processes started with `spawnIn` are killed by `cleanup()`, which also deletes
 * the namespaces (and with them the veths). Names carry a random id so parallel runs do not collide.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';

export interface BenchTopology {
  daemonNs: string;
  blasterNs: string;
  monitorNs: string;
  /** Daemon side toward the blaster, the blaster, daemon side toward the monitor, the monitor. */
  daemonToBlaster: string;
  blaster: string;
  daemonToMonitor: string;
  monitor: string;
  /** Starts `cmd` in a namespace (via `ip netns exec`, which execs: the child's pid is the command's). */
  spawnIn(ns: string, cmd: string, args: string[], opts?: { cwd?: string }): ChildProcess;
  exec(ns: string, cmd: string, args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

const ip = (args: string[]) => execa('ip', args);

export async function createTopology(tag = 'b'): Promise<BenchTopology> {
  const id = randomBytes(3).toString('hex');
  const n = (s: string) => `klb${tag}-${id}-${s}`;
  const t = { daemonNs: n('d'), blasterNs: n('b'), monitorNs: n('m') };
  const procs: ChildProcess[] = [];
  const net = randomBytes(1)[0]! & 0x7f;
  const a = (sub: number, host: number) => `198.${18 + (net >> 6)}.${((net & 63) << 2) + sub}.${host}`;
  const links = [
    { dev: `kb${id}d1`, peer: `kb${id}b`, ns: t.blasterNs, daemonIp: a(0, 1), peerIp: a(0, 2) },
    { dev: `kb${id}d2`, peer: `kb${id}m`, ns: t.monitorNs, daemonIp: a(1, 1), peerIp: a(1, 2) },
  ];
  const cleanup = async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
    for (const ns of [t.daemonNs, t.blasterNs, t.monitorNs]) await ip(['netns', 'del', ns]).catch(() => undefined);
  };
  try {
    for (const ns of [t.daemonNs, t.blasterNs, t.monitorNs]) {
      await ip(['netns', 'add', ns]);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    for (const l of links) {
      await ip(['link', 'add', l.dev, 'netns', t.daemonNs, 'type', 'veth', 'peer', 'name', l.peer, 'netns', l.ns]);
      await ip(['-n', t.daemonNs, 'addr', 'add', `${l.daemonIp}/30`, 'dev', l.dev]);
      await ip(['-n', l.ns, 'addr', 'add', `${l.peerIp}/30`, 'dev', l.peer]);
      await ip(['-n', t.daemonNs, 'link', 'set', l.dev, 'up']);
      await ip(['-n', l.ns, 'link', 'set', l.peer, 'up']);
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
  return {
    ...t,
    daemonToBlaster: links[0]!.daemonIp,
    blaster: links[0]!.peerIp,
    daemonToMonitor: links[1]!.daemonIp,
    monitor: links[1]!.peerIp,
    spawnIn(ns, cmd, args, opts = {}) {
      const p = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      procs.push(p);
      return p;
    },
    async exec(ns, cmd, args) {
      return String((await execa('ip', ['netns', 'exec', ns, cmd, ...args], { timeout: 60_000 })).stdout);
    },
    cleanup,
  };
}

/** Keeps the last `max` lines a process wrote (for error messages) and calls `onLine` for each stdout line. */
export function collectLines(p: ChildProcess, onLine?: (line: string) => void, max = 40): string[] {
  const tail: string[] = [];
  const feed = (isOut: boolean) => {
    let rest = '';
    return (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) {
        tail.push(l);
        if (tail.length > max) tail.shift();
        if (isOut) onLine?.(l);
      }
    };
  };
  p.stdout?.on('data', feed(true));
  p.stderr?.on('data', feed(false));
  return tail;
}
