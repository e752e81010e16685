/**
 * Topology load benchmark (issue 18, defect 8): generates topologies of 1, 2, 5, 10 and 20 MiB (linux nodes
 * with labels and exec lines, then veth links between them) and loads each with loadPlan, the path `lab deploy`
 * takes (read, YAML with positions, validation, normalization, plan). Sizes over the 10 MiB cap are loaded
 * with the cap raised through LoadOptions.maxBytes. Each size runs in its own process so peak RSS is per size.
 * Usage: node --import tsx bench/topo-load.ts [MiB ...]
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

const args = process.argv.slice(2);
if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(await runCase(Number(args[1]))));
} else {
  const sizes = args.length > 0 ? args.map(Number) : [1, 2, 5, 10, 20];
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const mib of sizes) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', String(mib)], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
    rows.push(JSON.parse(out) as Row);
  }
  const f = (x: number, d = 2, w = 8) => x.toFixed(d).padStart(w);
  console.log(`node ${process.version}, loadPlan of generated topologies (linux nodes with labels and exec, veth links)`);
  console.log('   MiB |  nodes |  links |  load s |  CPU s | load s/MiB | CPU s/MiB | peak RSS MB');
  for (const r of rows) {
    const mib = r.bytes / 2 ** 20;
    console.log(`${f(mib, 1, 6)} | ${String(r.nodes).padStart(6)} | ${String(r.links).padStart(6)} | ${f(r.loadS, 2, 7)} | ${f(r.cpuS, 2, 6)} | ${f(r.loadS / mib, 3, 10)} | ${f(r.cpuS / mib, 3, 9)} | ${f(r.rssMB, 0, 11)}`);
  }
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const sizeRatio = last.bytes / first.bytes;
  console.log(`size ×${sizeRatio.toFixed(1)}: load time ×${(last.loadS / first.loadS).toFixed(1)}, CPU time ×${(last.cpuS / first.cpuS).toFixed(1)} (linear: ×${sizeRatio.toFixed(1)}; quadratic: ×${(sizeRatio ** 2).toFixed(0)})`);
  console.log(`peak RSS includes the tsx loader (${first.baseRssMB.toFixed(0)} MB before the load); the default cap is 10 MiB, raised here for the larger sizes`);
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs (wall times are noisy on a shared machine; CPU s is the process's own time)`);
  console.log('goal (issue 18 defect 8): linear, under 5 s at 20 MiB');
}
