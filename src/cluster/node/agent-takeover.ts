/**
 * "The DaemonSet wins": when a project's DaemonSet pod brings its agent to this node, kindlab's own
 * supervised agent (started by the deploy from `cluster.bgp`, kept alive by agent.sh while the
 * agent.enabled marker exists) steps aside, so two agents never fight over port 179. The marker
 * goes first (agent.sh then exits instead of restarting it), then the agent gets SIGTERM.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SUPERVISED_AGENT_MARKER, SUPERVISED_AGENT_SCRIPT } from './project-agent.js';

/** Pids whose command line is `… dist/agent/cli.js k8s …` (from /proc of this container). */
export function supervisedAgentPids(procDir = '/proc'): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(path.join(procDir, d, 'cmdline'), 'utf8').split('\0');
    } catch {
      continue;
    }
    const i = argv.findIndex((a) => a.endsWith(SUPERVISED_AGENT_SCRIPT));
    if (i >= 0 && argv[i + 1] === 'k8s') out.push(Number(d));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops the supervised agent if it runs; returns the pids it stopped (empty: there was none). */
export async function stopSupervisedAgent(stateDir: string): Promise<number[]> {
  fs.rmSync(path.join(stateDir, SUPERVISED_AGENT_MARKER), { force: true });
  const pids = supervisedAgentPids();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone already */
    }
  }
  // Its graceful stop closes the BGP sessions; wait (bounded) so the new agent can bind port 179.
  for (let i = 0; i < 50 && pids.some((p) => fs.existsSync(`/proc/${p}`)); i++) await sleep(100);
  return pids;
}
