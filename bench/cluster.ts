/**
 * Time from `lab deploy` to a usable cluster: all 4 nodes Ready and the 2 nettool pods Running
 * (the Cilium article's cluster.yaml and nettool.yaml). Target: under 10 s (kind: 60–90 s for
 * 4 nodes). Runs the real CLI; prints one line per run and the median; no assertions.
 *   npm run build && node --import tsx bench/cluster.ts [--runs N] [--article] [--compare OLD_CHECKOUT] [--settle S]
 * --article deploys the whole article lab (labs/cilium-bgp/topo.yaml: routers, tors, servers too).
 * Memory column (issue 16's ≤ 60 MB per Kubernetes node): `--settle` seconds after the pods run, each
 * Kubernetes node container's cgroup memory (docker stats) and the RSS of its Node.js processes (API server,
 * node daemon, BGP agent). --compare deploys with another built checkout's bin/lab.js ("old", whose dist/ the
 * containers then run) alternately with this one ("new"), rotating which goes first; prints both side by side.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { execa } from 'execa';
import { NODES, PODS } from '../src/cluster/client/resources.js';
import { isNodeReady, labClient } from '../src/cluster/lab/api.js';
import { copyArticleLab, writeClusterLab } from '../test/e2e/cluster-lab.js';
import { LAB_BIN } from '../test/e2e/helpers.js';
import { uniqueLabName } from '../test/e2e/plan-helpers.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    article: { type: 'boolean', default: false },
    compare: { type: 'string' },
    settle: { type: 'string', default: '5' },
  },
});

/** One Kubernetes node's memory: container cgroup usage and its Node.js processes' RSS (MB). */
interface NodeMem {
  node: string;
  containerMB: number;
  procs: Array<{ role: string; rssMB: number; anonMB: number; fileMB: number; pssMB: number; ussMB: number; cpuS: number }>;
}

// Since issue 16 the agent runs inside the node daemon's process: the 'agent' row is empty then.
const ROLES: Array<[string, RegExp]> = [['apiserver', /cluster\/apiserver\/main\.js/], ['node daemon', /cluster\/node\/main\.js/], ['agent', /agent\/cli\.js k8s|lab-agent\.js k8s/]];

/** docker stats' usage figure ("41.2MiB / 23.4GiB") in MB. */
function statsMB(usage: string): number {
  const m = /^([\d.]+)\s*([KMG]i?B|B)/.exec(usage.trim());
  if (!m) return NaN;
  const unit: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, MiB: 1, GiB: 1024, KB: 1e3 / 2 ** 20, MB: 1e6 / 2 ** 20, GB: 1e9 / 2 ** 20 };
  return Number(m[1]) * (unit[m[2]!] ?? NaN);
}

async function nodeMemory(lab: string): Promise<NodeMem[]> {
  const names = (await execa('docker', ['ps', '--filter', `label=kindlab.lab=${lab}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
  const out: NodeMem[] = [];
  for (const c of names.sort()) {
    const top = await execa('docker', ['top', c, '-eo', 'pid,rss,args'], { reject: false });
    const procs: NodeMem['procs'] = [];
    for (const line of top.stdout.split('\n').slice(1)) {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      const role = m && ROLES.find(([, re]) => re.test(m[3]!))?.[0];
      if (!m || !role) continue;
      // RssAnon (heap, buffers) vs RssFile (the node binary's and modules' mapped pages, shared through the page cache).
      const status = await readFile(`/proc/${m[1]}/status`, 'utf8').catch(() => '');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
      // PSS shares each page among the processes mapping it; USS (private pages) is what ending the process frees.
      const rollup = await readFile(`/proc/${m[1]}/smaps_rollup`, 'utf8').catch(() => '');
      const rk = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
      // CPU seconds the process used since it started (utime + stime, in clock ticks of 1/100 s): the price of a flag that saves memory.
      const stat = (await readFile(`/proc/${m[1]}/stat`, 'utf8').catch(() => '')).replace(/^.*\) /s, '').split(' ');
      const cpuS = (Number(stat[11]) + Number(stat[12])) / 100;
      procs.push({ role, rssMB: Number(m[2]) / 1024, anonMB: kb('RssAnon'), fileMB: kb('RssFile'), pssMB: rk('Pss'), ussMB: rk('Private_Clean') + rk('Private_Dirty'), cpuS });
    }
    if (procs.length === 0) continue; // not a Kubernetes node (the switch)
    const st = await execa('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', c]);
    out.push({ node: c, containerMB: statsMB(st.stdout.split('/')[0]!), procs });
  }
  return out;
}

interface Run {
  build: string;
  podsAt: number;
  mem: NodeMem[];
}

async function once(run: number, build = 'new', labBin = LAB_BIN): Promise<Run> {
  const name = uniqueLabName(`kl-bench-k8s${run}`);
  const { dir, file } = values.article ? await copyArticleLab(name, 'kindlab-bench-article-') : await writeClusterLab(name);
  try {
    const t0 = performance.now();
    const up = await execa('node', [labBin, 'deploy', '-t', file, '--renderer', 'silent'], { reject: false, env: { CI: '1' } });
    const tDeploy = (performance.now() - t0) / 1000;
    if (up.exitCode !== 0) throw new Error(`deploy failed: ${up.stderr}`);
    const client = labClient(join(dir, `lab-${name}`, 'kubeconfig'));
    let nodesAt = NaN;
    let podsAt = NaN;
    try {
      while (performance.now() - t0 < 60_000 && Number.isNaN(podsAt)) {
        const nodes = (await client.list(NODES)).items;
        if (Number.isNaN(nodesAt) && nodes.length === 4 && nodes.every(isNodeReady)) nodesAt = (performance.now() - t0) / 1000;
        const pods = (await client.list(PODS, { namespace: 'default' })).items;
        if (!Number.isNaN(nodesAt) && pods.length === 2 && pods.every((p) => p.status?.phase === 'Running')) podsAt = (performance.now() - t0) / 1000;
        else await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, Number(values.settle) * 1000));
    const mem = await nodeMemory(name).catch((e: unknown) => {
      console.log(`run ${run} (${build}): memory not measured: ${String(e)}`);
      return [] as NodeMem[];
    });
    const perNode = mem.map((m) => `${m.node.replace(/^.*-(control-plane|worker\d*)$/, '$1')} ${m.containerMB.toFixed(0)}/${m.procs.reduce((a, p) => a + p.rssMB, 0).toFixed(0)} MB`).join(', ');
    for (const m of mem) console.log(`  ${build} ${m.node}: container ${m.containerMB.toFixed(1)} MB; ${m.procs.map((p) => `${p.role} RSS ${p.rssMB.toFixed(1)} MB (anon ${p.anonMB.toFixed(1)}, file ${p.fileMB.toFixed(1)}, PSS ${p.pssMB.toFixed(1)}, USS ${p.ussMB.toFixed(1)}), CPU ${p.cpuS.toFixed(2)} s`).join('; ')}`);
    console.log(`run ${run} (${build}): lab deploy returned ${tDeploy.toFixed(2)} s; 4 nodes Ready at ${nodesAt.toFixed(2)} s; 2 pods Running at ${podsAt.toFixed(2)} s; container/processes: ${perNode}`);
    return { build, podsAt, mem };
  } finally {
    await execa('node', [labBin, 'destroy', '--name', name, '--cleanup'], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Per node kind (control-plane / worker) and column: the median over runs and nodes. */
function memTable(runs: Run[]): string {
  const builds = [...new Set(runs.map((r) => r.build))];
  const cols: Array<[string, (m: NodeMem) => number]> = [
    ['container (cgroup)', (m) => m.containerMB],
    ['Node.js processes', (m) => m.procs.length],
    ['Node.js RSS total', (m) => m.procs.reduce((a, p) => a + p.rssMB, 0)],
    ['Node.js PSS total', (m) => m.procs.reduce((a, p) => a + p.pssMB, 0)],
    ['Node.js USS total', (m) => m.procs.reduce((a, p) => a + p.ussMB, 0)],
    ['Node.js CPU s total', (m) => m.procs.reduce((a, p) => a + p.cpuS, 0)],
    ...ROLES.flatMap(([role]): Array<[string, (m: NodeMem) => number]> =>
      (['rss', 'pss', 'uss'] as const).map((k): [string, (m: NodeMem) => number] => [`${role} ${k.toUpperCase()}`, (m) => {
        const ps = m.procs.filter((p) => p.role === role);
        return ps.length ? ps.reduce((a, p) => a + p[`${k}MB`], 0) : NaN;
      }])),
  ];
  const lines = [`| node | MB or CPU s (median) | ${builds.join(' | ')} |`, `|:--|:--|${builds.map(() => '--:').join('|')}|`];
  for (const kind of ['control-plane', 'worker']) {
    for (const [col, f] of cols) {
      const cells = builds.map((b) => {
        const ms = runs.filter((r) => r.build === b).flatMap((r) => r.mem.filter((m) => (kind === 'worker') === /worker\d*$/.test(m.node)));
        const v = median(ms.map(f));
        return Number.isNaN(v) ? '–' : v.toFixed(col.includes('CPU') ? 2 : 1);
      });
      lines.push(`| ${kind} | ${col} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

const load0 = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const runs: Run[] = [];
console.log(`bench/cluster: ${values.article ? 'the whole article lab (11 containers)' : '4-node cluster + L2 switch'}, ${values.runs} runs${values.compare ? ` each of old (${values.compare}) and new` : ''}; target < 10 s to 4 nodes Ready + 2 pods Running, ≤ 60 MB per Kubernetes node`);
for (let i = 1; i <= Number(values.runs); i++) {
  const order: Array<[string, string]> = values.compare ? [['old', join(values.compare, 'bin', 'lab.js')], ['new', LAB_BIN]] : [['new', LAB_BIN]];
  if (i % 2 === 0) order.reverse();
  for (const [build, bin] of order) runs.push(await once(i, build, bin));
}
for (const b of [...new Set(runs.map((r) => r.build))]) {
  const sorted = runs.filter((r) => r.build === b).map((r) => r.podsAt).sort((a, c) => a - c);
  console.log(`${b}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s to pods Running (min ${sorted[0]!.toFixed(2)}, max ${sorted[sorted.length - 1]!.toFixed(2)})`);
}
console.log(`\nmemory ${values.settle} s after the pods run (container = docker stats' usage of the node container, which also counts the pods' processes and page cache it charged):`);
console.log(memTable(runs));
console.log(`load average at start ${load0}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared with other work)`);
