/**
 * `lab export logs DIR`, as `kind export logs` does for CI artifacts: for every container of the
 * lab its Docker logs and inspect output, its addresses, routes and links, the routing daemons'
 * state (FRR, BIRD, GoBGP, the kindlab agent), and the lab directory's own logs and reports
 * (node daemon, agent, API server, deploy state, topology data). Works from labels alone.
 */
import { cp, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError, errorMessage } from '../errors.js';
import type { Runtime } from './docker.js';
import { LABEL_LAB, LABEL_LABDIR, LABEL_NODE } from './labels.js';
import { runPool } from '../lib/index.js';

/** What is collected from each container: a shell command and the file it goes to (skipped when it prints nothing). */
export const NODE_STATE: ReadonlyArray<{ file: string; script: string }> = [
  { file: 'ip-addr.txt', script: 'ip -d addr' },
  { file: 'ip-route.txt', script: 'ip route; echo; ip -6 route' },
  { file: 'ip-link.json', script: 'ip -j -d link' },
  { file: 'frr.txt', script: "command -v vtysh >/dev/null && vtysh -c 'show running-config' -c 'show bgp summary' -c 'show ip route' -c 'show bfd peers'" },
  { file: 'bird.txt', script: 'command -v birdc >/dev/null && birdc show status >/dev/null && birdc show protocols all && birdc show route' },
  { file: 'gobgp.txt', script: 'command -v gobgp >/dev/null && gobgp neighbor && gobgp global rib' },
  { file: 'lab-agent.txt', script: 'command -v lab-agent >/dev/null && lab-agent neighbor && lab-agent global rib' },
  { file: 'processes.txt', script: 'ps -ef 2>/dev/null || ps' },
];

export interface ExportResult {
  lab: string;
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
  /** What could not be collected (e.g. a stopped container's exec), said, never fatal. */
  skipped: string[];
}

/** Collects everything of `lab` into `outDir` (created). */
export async function exportLabLogs(runtime: Runtime, lab: string, outDir: string, labDir?: string): Promise<ExportResult> {
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const dir = labDir ?? containers.map((c) => c.labels[LABEL_LABDIR]).find(Boolean);
  if (containers.length === 0 && !dir) throw new KindlabError('LAB_NOT_FOUND', `lab ${lab} has no container and no lab directory`, { hint: 'see: lab inspect --all' });
  const result: ExportResult = { lab, dir: outDir, files: [], skipped: [] };
  const put = async (rel: string, text: string) => {
    await mkdir(join(outDir, rel, '..'), { recursive: true });
    await writeFile(join(outDir, rel), text.endsWith('\n') || text === '' ? text : `${text}\n`);
    result.files.push(rel);
  };
  await mkdir(outDir, { recursive: true });
  await runPool(containers, 4, async (c) => {
    const node = c.labels[LABEL_NODE] ?? c.name;
    const base = join('nodes', node);
    await put(join(base, 'inspect.json'), JSON.stringify(c, null, 2));
    await put(join(base, 'container.log'), await runtime.logs(c.name).catch((e: unknown) => `(no logs: ${errorMessage(e)})`));
    if (c.state !== 'running') {
      result.skipped.push(`${node}: ${c.state}, no exec`);
      return;
    }
    for (const s of NODE_STATE) {
      const r = await runtime.exec(c.name, ['sh', '-c', s.script], { check: false, target: node }).catch(() => undefined);
      if (r && r.exitCode === 0 && r.stdout.trim()) await put(join(base, s.file), r.stdout);
    }
  });
  if (dir && (await stat(dir).then((s) => s.isDirectory(), () => false))) {
    for (const rel of await labDirFiles(dir)) {
      await mkdir(join(outDir, 'lab-dir', rel, '..'), { recursive: true });
      await cp(join(dir, rel), join(outDir, 'lab-dir', rel));
      result.files.push(join('lab-dir', rel));
    }
  } else if (dir) result.skipped.push(`lab directory ${dir} is gone`);
  result.files.sort();
  await put('summary.json', JSON.stringify({ lab, exportedAt: new Date().toISOString(), containers: containers.map((c) => ({ name: c.name, state: c.state, image: c.image })), skipped: result.skipped }, null, 2));
  return result;
}

/** The lab directory's logs and reports — never its secrets (CA key, token, kubeconfigs). */
async function labDirFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? join(rel, e.name) : e.name;
    if (e.isDirectory()) {
      if (e.name === 'pki' || e.name === 'store') continue; // the CA key; the API objects (Secrets)
      out.push(...(await labDirFiles(dir, p)));
    } else if (e.isFile() && /\.(log|json|txt|ya?ml|conf)$/.test(e.name) && !/kubeconfig|token|\.key$/.test(e.name)) out.push(p);
  }
  return out;
}
