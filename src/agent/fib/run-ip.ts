/**
 * Runs `ip` and collects its output. node:child_process instead of execa: the agent is resident on every
 * Kubernetes node, and execa's module graph costs it ~10 MB of RSS for four plain calls.
 */
import { spawn } from 'node:child_process';

export interface IpResult {
  /** The exit code; -1 when `ip` could not be started or was killed. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runIp(argv: string[], input?: string): Promise<IpResult> {
  return new Promise((resolve) => {
    const p = spawn('ip', argv, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout!.on('data', (b: Buffer) => out.push(b));
    p.stderr!.on('data', (b: Buffer) => err.push(b));
    let spawnError = '';
    p.on('error', (e) => (spawnError = e.message));
    p.on('close', (code) => resolve({ exitCode: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + spawnError }));
    if (input !== undefined) {
      p.stdin!.on('error', () => undefined); // ip exited early: its exit code says why
      p.stdin!.end(input);
    }
  });
}
