/**
 * "The DaemonSet wins": when a project's DaemonSet pod brings its agent to this node, kindlab's own
 * supervised agent (started by the deploy from `cluster.bgp`, run inside the node daemon while the
 * agent.enabled marker exists) steps aside, so two agents never fight over port 179. The marker
 * goes first (the host then does not start it again), then the agent stops as SIGTERM stopped it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SUPERVISED_AGENT_MARKER, SUPERVISED_AGENT_SCRIPT } from './project-agent.js';

function cmdlines(procDir: string): Array<{ pid: number; argv: string[] }> {
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const d of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      out.push({ pid: Number(d), argv: fs.readFileSync(path.join(procDir, d, 'cmdline'), 'utf8').split('\0') });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Pids whose command line is `… dist/agent/cli.js k8s …` (a separate agent process of an earlier build). */
export function supervisedAgentPids(procDir = '/proc'): number[] {
  return cmdlines(procDir)
    .filter(({ argv }) => {
      const i = argv.findIndex((a) => a.endsWith(SUPERVISED_AGENT_SCRIPT));
      return i >= 0 && argv[i + 1] === 'k8s';
    })
    .map((c) => c.pid);
}

/** Pids of any `lab-agent k8s` process (`bin/lab-agent.js k8s` or `dist/agent/cli.js k8s`), e.g. one a topology's exec line started. */
export function agentProcessPids(procDir = '/proc'): number[] {
  return cmdlines(procDir)
    .filter(({ argv }) => {
      const i = argv.findIndex((a) => a.endsWith('bin/lab-agent.js') || a.endsWith(SUPERVISED_AGENT_SCRIPT));
      return i >= 0 && argv[i + 1] === 'k8s';
    })
    .map((c) => c.pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the supervised agent if it runs: the one the node daemon hosts (`hosted` stops it, true when one ran)
 * and any separate process of an earlier build. Returns what it stopped (empty: there was none).
 */
export async function stopSupervisedAgent(stateDir: string, hosted?: () => Promise<boolean>): Promise<string[]> {
  fs.rmSync(path.join(stateDir, SUPERVISED_AGENT_MARKER), { force: true });
  const stopped: string[] = [];
  if (hosted && (await hosted())) stopped.push(`in-process (pid ${process.pid})`);
  const pids = supervisedAgentPids();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
      stopped.push(`pid ${pid}`);
    } catch {
      /* gone already */
    }
  }
  // Its graceful stop closes the BGP sessions; wait (bounded) so the new agent can bind port 179.
  for (let i = 0; i < 50 && pids.some((p) => fs.existsSync(`/proc/${p}`)); i++) await sleep(100);
  return stopped;
}
