/**
 * `lab-agent k8s` inside another Node.js process (the node daemon, src/cluster/node/agent-host.ts), so a
 * Kubernetes node runs one Node.js process instead of two. Same flags as the command line; the host says
 * where the log lines go and ends the agent as the signals end a separate one.
 */
import { k8sAgentFrom } from './cli.js';

export interface HostedAgent {
  /** As SIGTERM (`graceful`: a planned restart, no Cease) or SIGINT. */
  stop(graceful: boolean): Promise<void>;
  /** As SIGKILL: sessions dropped without NOTIFICATION, kernel routes left. */
  kill(): Promise<void>;
}

/** Starts the agent from its `k8s` flags (`--node N --kubeconfig F --dialect D ...`); resolves once it runs. */
export async function startHostedK8sAgent(argv: string[], write: (line: string) => void): Promise<HostedAgent> {
  const { agent, log, dialect } = k8sAgentFrom(argv, write);
  try {
    await agent.start();
  } catch (e) {
    await agent.kill().catch(() => undefined);
    throw e;
  }
  log.info('k8s agent started', { dialect: agent.currentIntent?.dialect ?? dialect ?? 'detecting', hosted: true, pid: process.pid });
  return {
    async stop(graceful) {
      log.info('agent stopping', { graceful, hosted: true });
      await agent.stop({ graceful });
    },
    async kill() {
      log.info('agent killed', { hosted: true });
      await agent.kill();
    },
  };
}
