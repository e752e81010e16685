/** Shared e2e helpers: what a lab left behind (Docker, links, netns) and running the real CLI. */
import { execa } from 'execa';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAB_BIN = join(REPO, 'bin', 'lab.js');

export interface Leftovers {
  containers: string[];
  networks: string[];
  links: string[];
  netns: string[];
}

/** Everything carrying the lab's label or mark, looked up the way a user would (docker, ip). */
export async function leftovers(lab: string): Promise<Leftovers> {
  const ps = await execa('docker', ['ps', '-a', '--filter', `label=kindlab.lab=${lab}`, '--format', '{{.Names}}']);
  const nets = await execa('docker', ['network', 'ls', '--filter', `label=kindlab.lab=${lab}`, '--format', '{{.Name}}']);
  const links = await execa('ip', ['-o', '-d', 'link', 'show']);
  const netns = await execa('ip', ['netns', 'list']);
  const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    containers: lines(ps.stdout),
    networks: lines(nets.stdout),
    links: lines(links.stdout).filter((l) => l.includes(`alias kindlab:${lab}:`)),
    netns: lines(netns.stdout).filter((l) => l.startsWith(`kindlab-${lab}-`)),
  };
}

export const NOTHING: Leftovers = { containers: [], networks: [], links: [], netns: [] };

/** Runs `node bin/lab.js ARGS` and returns its exit code and output (never throws). */
export async function lab(args: string[], opts: { env?: Record<string, string> } = {}) {
  const r = await execa('node', [LAB_BIN, ...args], { reject: false, cwd: REPO, env: { CI: '1', ...opts.env } });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Last-resort cleanup for `after` hooks: destroy by name through the CLI, ignoring errors. */
export async function forceDestroy(lab: string): Promise<void> {
  await execa('node', [LAB_BIN, 'destroy', '--name', lab, '--cleanup'], { reject: false, cwd: REPO });
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, stepMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
