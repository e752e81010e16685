import { spawn } from 'node:child_process';
import { ExecError } from '../../errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command on the node (no shell); throws ExecError on a non-zero exit unless `reject: false`. */
export function run(argv: string[], opts: { input?: string; reject?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (e) => reject(new ExecError('node', argv.join(' '), -1, '', e.message)));
    p.on('close', (code) => {
      const r = { code: code ?? -1, stdout, stderr };
      if (r.code !== 0 && opts.reject !== false) reject(new ExecError('node', argv.join(' '), r.code, stdout, stderr));
      else resolve(r);
    });
    p.stdin.on('error', () => {}); // a command that exits before reading its input
    p.stdin.end(opts.input ?? '');
  });
}

/** Runs commands in order, stopping at the first failure. */
export async function runAll(cmds: string[][]): Promise<void> {
  for (const c of cmds) await run(c);
}

export type Logger = (line: Record<string, unknown>) => void;

export const jsonLogger =
  (base: Record<string, unknown> = {}, out: NodeJS.WritableStream = process.stderr): Logger =>
  (line) =>
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...base, ...line })}\n`);
