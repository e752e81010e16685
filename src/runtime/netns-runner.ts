/**
 * Host binaries (ip, iptables, tc) run in a node's network namespace, on the machine whose
 * kernel holds it. On the local engine that is this machine's `nsenter -t PID -n`. In a lab over
 * several engines (`hosts:`) the node's pid is its engine's machine's, so the same nsenter runs
 * there, in the engine's helper container (host network and pid namespaces, cross-links.ts),
 * started on first use and removed by `close()`.
 */
import type { ExecResult, Runtime } from './docker.js';
import { EngineRuntime } from './engines.js';
import { VtepHelpers } from './cross-links.js';
import { engineHostNet, localHostNet, nsenterArgv } from './host-net.js';

export interface NetnsRunner {
  /** Runs argv inside the container's network namespace; a non-zero exit is returned, not thrown. */
  run(container: string, argv: string[]): Promise<ExecResult>;
  /** Where a container's namespace is entered from: `local` or `host NAME` (for messages). */
  where(container: string): Promise<string>;
  /** Removes the helper containers this runner started. */
  close(): Promise<void>;
}

export function netnsRunner(runtime: Runtime, lab: string, labels: { labDir: string; topo: string }): NetnsRunner {
  if (!(runtime instanceof EngineRuntime)) {
    return {
      run: async (container, argv) => localHostNet.run(nsenterArgv(await runtime.pid(container), argv)),
      where: async () => 'local',
      close: async () => undefined,
    };
  }
  const helpers = new VtepHelpers(lab, labels);
  return {
    async run(container, argv) {
      const e = await runtime.engineOf(container);
      return engineHostNet(e, helpers).run(nsenterArgv(await e.runtime.pid(container), argv));
    },
    where: async (container) => `host ${(await runtime.engineOf(container)).name}`,
    close: () => helpers.stop(runtime.engines),
  };
}
