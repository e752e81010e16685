/**
 * Host binaries (ip, iptables, tc) run in a node's network namespace, on the machine whose
 * kernel holds it. On the local engine that is this machine's `nsenter -t PID -n`. In a lab over
 * several engines (`hosts:`) the node's pid is its engine's machine's, so the same nsenter runs
 * there, in the engine's helper container (host network and pid namespaces, cross-links.ts),
 * started on first use and removed by `close()`.
 */
import { execa } from 'execa';
import type { ExecResult, Runtime } from './docker.js';
import { EngineRuntime } from './engines.js';
import { VtepHelpers } from './cross-links.js';

export interface NetnsRunner {
  /** Runs argv inside the container's network namespace; a non-zero exit is returned, not thrown. */
  run(container: string, argv: string[]): Promise<ExecResult>;
  /** Where a container's namespace is entered from: `local` or `host NAME` (for messages). */
  where(container: string): Promise<string>;
  /** Removes the helper containers this runner started. */
  close(): Promise<void>;
}

/** The nsenter argv for a pid's network namespace. Pure. */
export function nsenterArgv(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-n', ...argv];
}

export function netnsRunner(runtime: Runtime, lab: string, labels: { labDir: string; topo: string }): NetnsRunner {
  if (!(runtime instanceof EngineRuntime)) {
    return {
      async run(container, argv) {
        const [file, ...args] = nsenterArgv(await runtime.pid(container), argv);
        const r = await execa(file!, args, { reject: false });
        return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
      },
      where: async () => 'local',
      close: async () => undefined,
    };
  }
  const helpers = new VtepHelpers(lab, labels);
  return {
    async run(container, argv) {
      const e = await runtime.engineOf(container);
      const pid = await e.runtime.pid(container);
      return helpers.exec(e, nsenterArgv(pid, argv));
    },
    where: async (container) => `host ${(await runtime.engineOf(container)).name}`,
    close: () => helpers.stop(runtime.engines),
  };
}
