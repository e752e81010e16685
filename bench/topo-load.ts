/**
 * Topology load benchmark (issue 18, defect 8): generates topologies of 1, 2, 5, 10 and 20 MiB (linux nodes
 * with labels and exec lines, then veth links between them) and loads each with loadPlan, the path `lab deploy`
 * takes (read, YAML with positions, validation, normalization, plan). Sizes over the 32 MiB cap are loaded
 * with the cap raised through LoadOptions.maxBytes. Each size runs in its own process so peak RSS is per size.
 * Usage: node --import tsx bench/topo-load.ts [--compare DIR [--rounds N]] [MiB ...]
 *   --compare DIR  also runs the checkout at DIR (its own bench/topo-load.ts --child and code, e.g. main),
 *                  alternating with this one, and prints a Markdown table of medians side by side.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../src/topology/index.js';

interface Row { mib: number; bytes: number; nodes: number; links: number; baseRssMB: number; loadS: number; cpuS: number; rssMB: number }

/** YAML text of about `bytes` bytes: 60 % node definitions, the rest links in rings over the nodes. */
function generate(bytes: number): { text: string; nodes: number; links: number } {
  // A /12 management subnet: room for every node of the 20 MiB case (~80,000).
  const parts = ['name: big\nmgmt: {ipv4-subnet: 172.16.0.0/12}\ntopology:\n  kinds:\n    linux: {image: alpine}\n  nodes:\n'];
  let size = parts[0]!.length;
  let nodes = 0;
  while (size < bytes * 0.6) {
    const i = nodes++;
    const t = `    n${i}:\n      kind: linux\n      labels: {rack: r${i % 50}, role: leaf}\n      exec:\n        - ip link set eth1 up\n        - ip addr add 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 dev lo\n`;
    parts.push(t);
    size += t.length;
  }
  parts.push('  links:\n');
  size += 9;
  let links = 0;
  for (;;) {
    // Ring number r joins node a's eth(2r+1) to node a+1's eth(2r+2): every interface is used once.
    const r = Math.floor(links / nodes);
    const a = links % nodes;
    const t = `    - endpoints: ["n${a}:eth${2 * r + 1}", "n${(a + 1) % nodes}:eth${2 * r + 2}"]\n`;
    if (size + t.length > bytes) break;
    parts.push(t);
    size += t.length;
    links++;
  }
  return { text: parts.join(''), nodes, links };
}

async function runCase(mib: number): Promise<Row> {
  const baseRssMB = process.resourceUsage().maxRSS / 1024;
  const dir = mkdtempSync(join(tmpdir(), 'kl-topo-load-'));
  try {
    const { text, nodes, links } = generate(mib * 2 ** 20);
    const file = join(dir, 'topology.clab.yml');
    writeFileSync(file, text);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = await loadPlan(file, { maxBytes: 64 * 2 ** 20, labDir: join(dir, 'lab') });
    const loadS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (plan.nodes.length !== nodes || plan.links.length !== links) throw new Error(`planned ${plan.nodes.length} nodes and ${plan.links.length} links, generated ${nodes} and ${links}`);
    return { mib, bytes: Buffer.byteLength(text), nodes, links, baseRssMB, loadS, cpuS: (cpu.user + cpu.system) / 1e6, rssMB: process.resourceUsage().maxRSS / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (x: number, d = 2, w = 8): string => x.toFixed(d).padStart(w);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One size loaded in a child process of the checkout at `root` (its own bench script and code). */
function child(root: string, mib: number): Row {
  const script = join(root, 'bench/topo-load.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, '--child', String(mib)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as Row;
}

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(await runCase(Number(args[1]))));
} else {
  // --compare DIR: DIR's checkout (e.g. main) and this one, alternately, --rounds times each; medians.
  const base = opt('--compare');
  const rounds = Number(opt('--rounds') ?? (base ? 3 : 1));
  const sizes = args.length > 0 ? args.map(Number) : [1, 2, 5, 10, 20];
  const here = fileURLToPath(new URL('..', import.meta.url));
  const runs = new Map<string, Row[]>();
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const mib of sizes) {
      // Alternate which checkout goes first, so neither always meets the other's leftovers.
      const order = base ? (r % 2 === 0 ? [['base', base], ['now', here]] : [['now', here], ['base', base]]) : [['now', here]];
      for (const [tag, root] of order) {
        const key = `${tag}\u0000${mib}`;
        const row = child(root!, mib);
        runs.set(key, [...(runs.get(key) ?? []), row]);
        loads.push(loadavg()[0]!);
        // Progress on stderr: a long series interrupted still leaves its rows.
        console.error(`round ${r + 1} ${tag} ${mib} MiB: load ${row.loadS.toFixed(2)} s, CPU ${row.cpuS.toFixed(2)} s, RSS ${row.rssMB.toFixed(0)} MB, load average ${loadavg()[0]!.toFixed(1)}`);
      }
    }
  }
  console.log(`node ${process.version}, loadPlan of generated topologies (linux nodes with labels and exec, veth links); ${rounds} round(s), medians`);
  if (base) {
    console.log(`base: ${base}; now: ${here}`);
    console.log('| MiB | nodes | links | load s base | load s now | CPU s base | CPU s now | CPU s/MiB now | peak RSS MB base | peak RSS MB now |');
    console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const mib of sizes) {
      const b = runs.get(`base\u0000${mib}`)!;
      const n = runs.get(`now\u0000${mib}`)!;
      const m = (rows: Row[], k: keyof Row): number => median(rows.map((x) => x[k]));
      const size = n[0]!.bytes / 2 ** 20;
      console.log(`| ${size.toFixed(1)} | ${n[0]!.nodes} | ${n[0]!.links} | ${f(m(b, 'loadS'), 2, 0)} | ${f(m(n, 'loadS'), 2, 0)} | ${f(m(b, 'cpuS'), 2, 0)} | ${f(m(n, 'cpuS'), 2, 0)} | ${f(m(n, 'cpuS') / size, 3, 0)} | ${f(m(b, 'rssMB'), 0, 0)} | ${f(m(n, 'rssMB'), 0, 0)} |`);
    }
  } else {
    console.log('   MiB |  nodes |  links |  load s |  CPU s | load s/MiB | CPU s/MiB | peak RSS MB');
    for (const mib of sizes) {
      const rows = runs.get(`now\u0000${mib}`)!;
      const r = { ...rows[0]!, loadS: median(rows.map((x) => x.loadS)), cpuS: median(rows.map((x) => x.cpuS)), rssMB: median(rows.map((x) => x.rssMB)) };
      const size = r.bytes / 2 ** 20;
      console.log(`${f(size, 1, 6)} | ${String(r.nodes).padStart(6)} | ${String(r.links).padStart(6)} | ${f(r.loadS, 2, 7)} | ${f(r.cpuS, 2, 6)} | ${f(r.loadS / size, 3, 10)} | ${f(r.cpuS / size, 3, 9)} | ${f(r.rssMB, 0, 11)}`);
    }
  }
  const first = median(runs.get(`now\u0000${sizes[0]}`)!.map((x) => x.cpuS));
  const last = median(runs.get(`now\u0000${sizes[sizes.length - 1]}`)!.map((x) => x.cpuS));
  const sizeRatio = sizes[sizes.length - 1]! / sizes[0]!;
  console.log(`now: size ×${sizeRatio.toFixed(1)}: CPU time ×${(last / first).toFixed(1)} (linear: ×${sizeRatio.toFixed(1)}; quadratic: ×${(sizeRatio ** 2).toFixed(0)})`);
  console.log(`the default cap is 32 MiB (${sizes.some((x) => x > 32) ? 'raised here for the larger sizes' : 'every size here is under it'}); peak RSS includes the tsx loader`);
  console.log(`load average (1 min) during the runs: median ${median(loads).toFixed(1)}, min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} on ${cpus().length} CPUs (wall times are noisy on a shared machine; CPU s is the process's own time)`);
  console.log('goal (issue 18 defect 8): linear, under 5 s at 20 MiB');
}
