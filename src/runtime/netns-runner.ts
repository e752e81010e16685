/**
 * Host binaries (ip, iptables, tc, tcpdump) run in a node's network namespace, on the machine whose
 * kernel holds it. On the local engine that is this machine's `nsenter -t PID -n`. In a lab over
 * several engines (`hosts:`) the node's pid is its engine's machine's, so the same nsenter runs
 * there, in the engine's helper container (host network and pid namespaces, cross-links.ts),
 * started on first use and removed by `close()`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { KindlabError } from '../errors.js';
import type { ExecResult, Runtime } from './docker.js';
import { EngineRuntime, type Engine } from './engines.js';
import { VtepHelpers } from './cross-links.js';
import { engineHostNet, localHostNet, nsenterArgv } from './host-net.js';

export interface StreamIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface NetnsRunner {
  /** Runs argv inside the container's network namespace; a non-zero exit is returned, not thrown. */
  run(container: string, argv: string[]): Promise<ExecResult>;
  /**
   * Runs argv inside the container's network namespace with its output streamed to `io` as it comes (a pcap),
   * until it ends or `signal` aborts (then it gets SIGINT, as a Ctrl-C would). Resolves with its exit code.
   */
  stream(container: string, argv: string[], io: StreamIo, signal: AbortSignal): Promise<number>;
  /** Where a container's namespace is entered from: `local` or `host NAME` (for messages). */
  where(container: string): Promise<string>;
  /** Removes the helper containers this runner started. */
  close(): Promise<void>;
}

/**
 * @param opts.role the helper's role (its name's last word): a long-running command (a capture) takes its
 *   own, so that another command on the lab, which replaces the `vtep` helper, does not end it.
 */
export function netnsRunner(runtime: Runtime, lab: string, labels: { labDir: string; topo: string }, opts: { role?: string } = {}): NetnsRunner {
  if (!(runtime instanceof EngineRuntime)) {
    return {
      run: async (container, argv) => localHostNet.run(nsenterArgv(await runtime.pid(container), argv)),
      stream: async (container, argv, io, signal) => streamLocal(nsenterArgv(await runtime.pid(container), argv), io, signal),
      where: async () => 'local',
      close: async () => undefined,
    };
  }
  const helpers = new VtepHelpers(lab, labels, opts.role);
  return {
    async run(container, argv) {
      const e = await runtime.engineOf(container);
      return engineHostNet(e, helpers).run(nsenterArgv(await e.runtime.pid(container), argv));
    },
    async stream(container, argv, io, signal) {
      const e = await runtime.engineOf(container);
      return streamOn(e, helpers, nsenterArgv(await e.runtime.pid(container), argv), io, signal);
    },
    where: async (container) => `host ${(await runtime.engineOf(container)).name}`,
    close: () => helpers.stop(runtime.engines),
  };
}

function streamLocal(argv: string[], io: StreamIo, signal: AbortSignal): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(io.stdout, { end: false });
  child.stderr.pipe(io.stderr, { end: false });
  const stop = () => child.kill('SIGINT');
  signal.addEventListener('abort', stop, { once: true });
  return new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new KindlabError('FAULT', `cannot run ${argv[0]}: ${e.message}`)));
    child.on('close', (code, sig) => resolve(code ?? (sig === 'SIGINT' || sig === 'SIGTERM' ? 0 : 1)));
  }).finally(() => signal.removeEventListener('abort', stop));
}

/**
 * argv in the helper, its pid written to `pidFile` first (`exec` keeps the pid), so that a second exec can send
 * it SIGINT: Docker has no call to signal an exec. Pure.
 */
export function pidFileArgv(pidFile: string, argv: string[]): string[] {
  return ['sh', '-c', 'echo $$ > "$0" && exec "$@"', pidFile, ...argv];
}

/** SIGINT to the process whose pid is in `pidFile` (a failure, e.g. not written yet, exits non-zero). Pure. */
export function interruptArgv(pidFile: string): string[] {
  return ['sh', '-c', 'kill -INT "$(cat "$0")"', pidFile];
}

async function streamOn(e: Engine, helpers: VtepHelpers, argv: string[], io: StreamIo, signal: AbortSignal): Promise<number> {
  const pidFile = `/tmp/kindlab-stream-${randomBytes(6).toString('hex')}.pid`;
  let ended = false;
  const stop = async () => {
    // the pid file may not be written yet right after the start: a few tries
    for (let i = 0; i < 20 && !ended; i++) {
      if ((await helpers.exec(e, interruptArgv(pidFile)).catch(() => undefined))?.exitCode === 0) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const onAbort = () => void stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await helpers.stream(e, pidFileArgv(pidFile, argv), io);
  } finally {
    ended = true;
    signal.removeEventListener('abort', onAbort);
    await helpers.exec(e, ['rm', '-f', pidFile]).catch(() => undefined);
  }
}
