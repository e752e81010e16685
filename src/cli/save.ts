/**
 * `lab save (-t FILE | --name LAB)`: each node's running routing configuration, written into the
 * lab directory as `containerlab save` does: `<labdir>/<node>/saved/` gets `frr.conf` (vtysh
 * `show running-config`), `bird.conf` (a copy of the BIRD config file) and `gobgp.txt`
 * (`gobgp global` and the neighbors), for whichever of those daemons the node runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError } from '../errors.js';
import { DockerRuntime, runtimeForLab, LABEL_LAB, LABEL_LABDIR, LABEL_NODE, LABEL_POD_OF, type Runtime } from '../runtime/index.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab save (-t FILE | --name LAB) [-v]';

/** How each daemon's configuration is read from a node: a shell command, and the file it goes to. */
export const SAVERS: ReadonlyArray<{ daemon: string; file: string; script: string }> = [
  { daemon: 'FRR', file: 'frr.conf', script: "command -v vtysh >/dev/null && vtysh -c 'show running-config'" },
  {
    daemon: 'BIRD',
    file: 'bird.conf',
    script: 'command -v birdc >/dev/null && birdc show status >/dev/null && for f in /etc/bird/bird.conf /etc/bird.conf /usr/local/etc/bird.conf; do [ -f "$f" ] && exec cat "$f"; done; exit 1',
  },
  { daemon: 'GoBGP', file: 'gobgp.txt', script: 'command -v gobgp >/dev/null && gobgp global && echo && gobgp neighbor' },
];

export interface SavedNode {
  node: string;
  files: string[];
  /** A lab over several engines: the host the node runs on. */
  host?: string;
}

/** Runs the savers in every running container of the lab and writes what they print. */
export async function saveLab(runtime: Runtime, lab: string, labDir: string | undefined): Promise<SavedNode[]> {
  const containers = (await runtime.listContainers({ [LABEL_LAB]: lab })).filter((c) => c.state === 'running' && !c.labels[LABEL_POD_OF]);
  if (containers.length === 0) throw new KindlabError('LAB_NOT_FOUND', `lab ${lab} is not running`, { hint: 'deploy it: lab deploy -t FILE' });
  const dir = labDir ?? containers.map((c) => c.labels[LABEL_LABDIR]).find(Boolean);
  if (!dir) throw new KindlabError('LAB_NOT_FOUND', `lab ${lab} has no lab directory label`);
  const saved: SavedNode[] = [];
  for (const c of containers.sort((a, b) => a.name.localeCompare(b.name))) {
    const node = c.labels[LABEL_NODE] ?? c.name;
    const files: string[] = [];
    for (const s of SAVERS) {
      const r = await runtime.exec(c.name, ['sh', '-c', s.script], { check: false, target: node });
      if (r.exitCode !== 0 || !r.stdout.trim()) continue;
      const out = join(dir, node, 'saved');
      await mkdir(out, { recursive: true });
      await writeFile(join(out, s.file), r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`);
      files.push(join(out, s.file));
    }
    saved.push({ node, files, ...(c.engine ? { host: c.engine } : {}) });
  }
  return saved;
}

export async function runSave(values: TargetValues): Promise<number> {
  const target = await resolveLab(values, USAGE);
  // a lab over several engines (hosts:): each node's savers run on its engine
  const runtime = await runtimeForLab(target.name, { hosts: target.plan?.hosts, labDir: target.plan?.labDir, local: new DockerRuntime() });
  const saved = await saveLab(runtime, target.name, target.plan?.labDir);
  for (const s of saved) {
    const who = s.host ? `${s.node} (host ${s.host})` : s.node;
    process.stdout.write(s.files.length ? s.files.map((f) => `${who}: saved ${f}\n`).join('') : `${who}: no FRR, BIRD or GoBGP running; nothing saved\n`);
  }
  return 0;
}
