/**
 * What each Node.js process of a Kubernetes node costs before it does any work: a fresh `node` with that build's
 * V8 flags loads the process's module graph (the node daemon's and the k8s agent's static imports, as their
 * main scripts do), runs a GC, idles 1 s, and reports VmRSS (RssAnon = heap and buffers, RssFile = the node
 * binary's and modules' mapped pages, shared with other processes through the page cache). No Docker, no
 * cluster: the floor under bench/cluster.ts's per-node figure. Alternates old and new builds, `rounds` times.
 *   node --import tsx bench/node-rss.ts --old /tmp/old-checkout [--rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: v } = parseArgs({ options: { old: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const NEW = fileURLToPath(new URL('../', import.meta.url));

/** Per process: the dist modules its main imports at start (main itself would start working). */
const ROLES: Record<string, string[]> = {
  'node daemon': ['dist/cluster/client/client.js', 'dist/cluster/client/kubeconfig.js', 'dist/cluster/node/daemon.js', 'dist/cluster/node/proxy/proxier.js', 'dist/cluster/node/netpol/enforcer.js', 'dist/cluster/node/sys.js'],
  // dist/agent/cli.js would run its main: its static imports, then what the command imports.
  'agent (k8s)': ['dist/agent/config.js', 'dist/agent/client.js', 'dist/agent/format.js', 'dist/agent/k8s/cli.js'],
  // issue 16: the agent hosted in the node daemon's process (what the daemon imports once agent.enabled exists)
  'node daemon + hosted agent': ['dist/cluster/client/client.js', 'dist/cluster/client/kubeconfig.js', 'dist/cluster/node/daemon.js', 'dist/cluster/node/proxy/proxier.js', 'dist/cluster/node/netpol/enforcer.js', 'dist/cluster/node/sys.js', 'dist/cluster/node/agent-host.js', 'dist/agent/index.js'],
  'agent (standalone run)': ['dist/agent/config.js', 'dist/agent/client.js', 'dist/agent/format.js', 'dist/agent/run.js'],
};

/**
 * The V8 flags that build starts a role's process with: the node daemon's own (plan.ts NODE_DAEMON_FLAGS) for the
 * daemon roles, NODE_FLAGS for the agent's; none for a build from before they existed.
 */
async function flagsOf(root: string, role: string): Promise<string[]> {
  const plan = path.join(root, 'dist/cluster/lab/plan.js');
  if (!existsSync(plan)) return [];
  const m = (await import(plan)) as { NODE_FLAGS?: readonly string[]; NODE_DAEMON_FLAGS?: readonly string[] };
  return [...((role.startsWith('node daemon') ? m.NODE_DAEMON_FLAGS : undefined) ?? m.NODE_FLAGS ?? [])];
}

function measure(root: string, modules: string[], flags: string[]): { rss: number; anon: number; file: number } {
  const script = `
    process.argv[1] = 'bench';
    for (const m of ${JSON.stringify(modules)}) await import(${JSON.stringify(root)} + '/' + m);
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 1000));
    const s = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
    const kb = (k) => Number(new RegExp(k + ':\\\\s+(\\\\d+)').exec(s)[1]) / 1024;
    process.stdout.write(JSON.stringify({ rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }));
    process.exit(0);`;
  const out = execFileSync(process.execPath, [...flags, '--expose-gc', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as { rss: number; anon: number; file: number };
}

const builds: Array<[string, string]> = v.old ? [['old', path.resolve(v.old)], ['new', NEW]] : [['new', NEW]];
const rows = new Map<string, Array<{ rss: number; anon: number; file: number }>>();
const load0 = os.loadavg().map((x) => x.toFixed(1)).join(' ');
for (let r = 0; r < Number(v.rounds); r++) {
  for (const [build, root] of r % 2 ? [...builds].reverse() : builds) {
    for (const [role, mods] of Object.entries(ROLES)) {
      const key = `${role}\t${build}`;
      if (mods.some((m) => !existsSync(path.join(root, m)))) continue; // a role that build does not have
      rows.set(key, [...(rows.get(key) ?? []), measure(root, mods, await flagsOf(root, role))]);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`node-rss: one process per role, its module graph loaded, after GC + 1 s idle; median of ${v.rounds}; node ${process.version}`);
for (const [build, root] of builds) console.log(`${build} = ${root} (node daemon flags: ${(await flagsOf(root, 'node daemon')).join(' ') || 'none'}; agent: ${(await flagsOf(root, 'agent')).join(' ') || 'none'})`);
console.log(`\n| process | ${builds.map(([b]) => `${b} RSS (anon + file) MB`).join(' | ')} |`);
console.log(`|:--|${builds.map(() => '--:').join('|')}|`);
for (const role of Object.keys(ROLES)) {
  const cells = builds.map(([b]) => {
    const xs = rows.get(`${role}\t${b}`);
    if (!xs) return '–';
    return `${median(xs.map((x) => x.rss)).toFixed(1)} (${median(xs.map((x) => x.anon)).toFixed(1)} + ${median(xs.map((x) => x.file)).toFixed(1)})`;
  });
  console.log(`| ${role} | ${cells.join(' | ')} |`);
}
console.log(`\nload average at start ${load0}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
