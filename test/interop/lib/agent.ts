/**
 * Runs our agent as a real process (`node bin/lab-agent.js run --config FILE`, needs `npm run build`) with its admin
 * API on a unix socket in a temp dir; `api()` queries it, `stop()` kills it (SIGTERM = graceful, SIGKILL = crash).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { adminRequest } from '../../../src/agent/client.js';
import type { NeighborStatus } from '../../../src/bgp/speaker-types.js';
import type { RibJson } from '../../../src/agent/admin-server.js';
import { waitFor } from './netns.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface AgentProcess {
  dir: string;
  admin: string;
  logs: string[];
  api<T>(method: string, p: string, body?: unknown): Promise<T>;
  neighbors(): Promise<NeighborStatus[]>;
  neighbor(address: string): Promise<NeighborStatus | undefined>;
  rib(family: 'ipv4' | 'ipv6'): Promise<RibJson>;
  cli(args: string[]): Promise<string>;
  start(extraArgs?: string[]): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startAgent(config: Record<string, unknown>, opts: { netns?: string } = {}): Promise<AgentProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kl-agent-'));
  const admin = path.join(dir, 'admin.sock');
  const file = path.join(dir, 'agent.yaml');
  await writeFile(file, stringify({ ...config, admin }));
  const logs: string[] = [];
  let proc: ResultPromise | undefined;
  const a: AgentProcess = {
    dir,
    admin,
    logs,
    api: (method, p, body) => adminRequest(admin, method, p, body),
    neighbors: () => adminRequest<NeighborStatus[]>(admin, 'GET', '/neighbors'),
    neighbor: async (address) => (await adminRequest<NeighborStatus[]>(admin, 'GET', '/neighbors')).find((n) => n.address === address),
    rib: (family) => adminRequest<RibJson>(admin, 'GET', `/rib?family=${family}`),
    async cli(args) {
      const r = await execa(process.execPath, ['bin/lab-agent.js', ...args, '--admin', admin], { cwd: repo });
      return String(r.stdout);
    },
    async start(extraArgs = []) {
      const cmd = [process.execPath, 'bin/lab-agent.js', 'run', '--config', file, ...extraArgs];
      proc = opts.netns ? execa('ip', ['netns', 'exec', opts.netns, ...cmd], { cwd: repo, reject: false }) : execa(cmd[0]!, cmd.slice(1), { cwd: repo, reject: false });
      proc.stderr?.on('data', (d: Buffer) => logs.push(...d.toString().trim().split('\n')));
      proc.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().trim().split('\n')));
      await waitFor('agent admin API', async () => (await adminRequest<{ status: string }>(admin, 'GET', '/healthz')).status === 'ok', 15_000, 100);
    },
    async stop(signal = 'SIGTERM') {
      if (!proc) return;
      proc.kill(signal);
      await proc;
      proc = undefined;
    },
    async cleanup() {
      await a.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return a;
}
