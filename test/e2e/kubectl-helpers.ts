import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { waitFor } from '../lib/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/k8s');
export const KUBECTL = fs.existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';

/** The real API server process (src/cluster/apiserver/main.ts) on 127.0.0.1, random port. */
export class ApiServerProcess {
  proc: ChildProcess | undefined;
  log = '';
  readonly kubeconfig: string;

  constructor(readonly dataDir: string, readonly extraArgs: string[] = []) {
    this.kubeconfig = path.join(dataDir, 'kubeconfig');
  }

  static tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'kindlab-apiserver-'));
  }

  async start(): Promise<void> {
    fs.rmSync(this.kubeconfig, { force: true });
    this.log = '';
    const args = ['--import', 'tsx', path.join(ROOT, 'src/cluster/apiserver/main.ts'), '--data', this.dataDir, '--listen', '127.0.0.1:0', '--cluster-config', path.join(FIXTURES, 'cluster.yaml'), '--kubeconfig', this.kubeconfig, ...this.extraArgs];
    const p = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = p;
    p.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/api server listening/.test(this.log)) {
      if (p.exitCode !== null) throw new Error(`api server exited (${p.exitCode}):\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`api server did not start:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
  }

  async kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const r = await execa(KUBECTL, args, { env: { KUBECONFIG: this.kubeconfig }, reject: false, ...(input !== undefined ? { input } : {}), timeout: 30_000 });
    return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  async json<T = Record<string, any>>(...args: string[]): Promise<T> {
    return JSON.parse(await this.ok(...args, '-o', 'json')) as T;
  }
}

/** Polls `fn` until it returns a truthy value (bounded). */
export function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  return waitFor(what, fn, ms, 100);
}

/** Column values of one row of kubectl's table output, keyed by header. */
export function tableRows(out: string): Array<Record<string, string>> {
  const lines = out.split('\n').filter((l) => l.trim());
  const header = lines[0] ?? '';
  const starts: Array<{ name: string; at: number }> = [];
  const re = /\S+(?: \S+)*/g;
  for (let m; (m = re.exec(header)); ) starts.push({ name: m[0], at: m.index });
  return lines.slice(1).map((l) => Object.fromEntries(starts.map((s, i) => [s.name, l.slice(s.at, starts[i + 1]?.at ?? l.length).trim()])));
}
