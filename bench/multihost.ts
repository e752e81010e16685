/**
 * One 60-node leaf-spine (4 FRR spines, 8 FRR leaves with unnumbered eBGP, 48 linux hosts) deployed on one
 * Docker engine, then split over two, in the same run, alternating the order each round. The engines are
 * the e2e harness's (test/e2e/engines.ts): extra dockerd's, each in its own network namespace, joined by a
 * veth underlay, so both configurations run on engines set up the same way. The split keeps a rack
 * (a leaf and its hosts) on one engine: spines 1-2 and leaves 1-4 on a, spines 3-4 and leaves 5-8 on b,
 * so 16 spine-leaf links cross the engines (VXLAN tunnels). After each deploy the bench waits for every
 * BGP session and for host1 to reach the last host (across the engines when split), then destroys.
 * Prints a table; no assertions. Leaves nothing: engines, netns and temp files are removed at the end.
 *
 *   flock /tmp/kindlab-docker.lock node --import tsx bench/multihost.ts [--rounds 2] [--max-workers 4] [--base DIR] [--split-only]
 *
 * `--base DIR`: also deploy the split lab with another checkout's build (DIR/bin/lab.js and DIR/dist), in
 * the same rounds, for before/after. `--split-only`: skip the one-engine deploys.
 */
import { establishedIn } from './lib/frr.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { formatTable } from '../src/runtime/inspect.js';
import { LAB_BIN, REPO } from '../test/e2e/helpers.js';
import { dockerOn, engine, loadInto, makeUnderlay, removeEngine, startEngine, type TestEngine } from '../test/e2e/engines.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, 'max-workers': { type: 'string', default: '4' }, base: { type: 'string' }, 'split-only': { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
const LAB = 'kl-bench-mh';
const TAG = 'klbmh';
const A = engine('a', TAG, 0);
const B = engine('b', TAG, 1);
const SHAPE = { spines: 4, leaves: 8, hosts: 48 };

function routerConfig(name: string, asn: number, routerId: string, fabric: string[]): string {
  return [
    'frr defaults datacenter', `hostname ${name}`, 'service integrated-vtysh-config', '!',
    `router bgp ${asn}`, ` bgp router-id ${routerId}`, ' no bgp ebgp-requires-policy',
    ' neighbor FABRIC peer-group', ' neighbor FABRIC remote-as external',
    ...fabric.map((i) => ` neighbor ${i} interface peer-group FABRIC`),
    ' address-family ipv4 unicast', '  redistribute connected', ' exit-address-family', '!', '',
  ].join('\n');
}

/** Which engine a node goes to when split: the first half of the spines and of the racks on a. */
function split(node: string): 'a' | 'b' {
  const m = /^(spine|leaf|host)(\d+)$/.exec(node)!;
  const i = Number(m[2]);
  if (m[1] === 'spine') return i <= SHAPE.spines / 2 ? 'a' : 'b';
  const leaf = m[1] === 'leaf' ? i : ((i - 1) % SHAPE.leaves) + 1;
  return leaf <= SHAPE.leaves / 2 ? 'a' : 'b';
}

interface Generated {
  file: string;
  nodes: string[];
  crossLinks: number;
}

/** The lab on `engines` (one: everything on a; two: split by rack). */
async function writeLab(dir: string, engines: TestEngine[]): Promise<Generated> {
  const nodes: string[] = [];
  const lines: string[] = [];
  const links: Array<[string, string]> = [];
  const place = (n: string) => (engines.length === 1 ? 'a' : split(n));
  for (let s = 1; s <= SHAPE.spines; s++) {
    await writeFile(join(dir, `spine${s}.conf`), routerConfig(`spine${s}`, 65100, `10.0.0.${s}`, Array.from({ length: SHAPE.leaves }, (_, l) => `eth${l + 1}`)));
    nodes.push(`spine${s}`);
    lines.push(`    spine${s}: { kind: frr, host: ${place(`spine${s}`)}, startup-config: spine${s}.conf }`);
  }
  const linkLines: string[] = [];
  for (let l = 1; l <= SHAPE.leaves; l++) {
    await writeFile(join(dir, `leaf${l}.conf`), routerConfig(`leaf${l}`, 65000 + l, `10.0.1.${l}`, Array.from({ length: SHAPE.spines }, (_, s) => `eth${s + 1}`)));
    nodes.push(`leaf${l}`);
    lines.push(`    leaf${l}: { kind: frr, host: ${place(`leaf${l}`)}, startup-config: leaf${l}.conf }`);
    for (let s = 1; s <= SHAPE.spines; s++) {
      links.push([`spine${s}`, `leaf${l}`]);
      linkLines.push(`    - endpoints: ["spine${s}:eth${l}", "leaf${l}:eth${s}"]`);
    }
  }
  for (let h = 1; h <= SHAPE.hosts; h++) {
    const l = ((h - 1) % SHAPE.leaves) + 1;
    const k = Math.floor((h - 1) / SHAPE.leaves);
    nodes.push(`host${h}`);
    lines.push(`    host${h}: { kind: linux, host: ${place(`host${h}`)}, exec: ["ip addr add 10.200.${h}.2/24 dev eth1", "ip route replace 10.0.0.0/8 via 10.200.${h}.1"] }`);
    links.push([`leaf${l}`, `host${h}`]);
    linkLines.push(`    - endpoints: ["leaf${l}:eth${10 + k}", "host${h}:eth1"]`);
    linkLines.push(`      ipv4: [10.200.${h}.1/24, ""]`);
  }
  const yaml = [
    `name: ${LAB}`,
    'hosts:',
    ...engines.map((e) => `  ${e.name}: { engine: "unix://${e.sock}", underlay: ${e.underlay} }`),
    'mgmt: { ipv4-subnet: 172.31.240.0/22 }',
    'topology:',
    '  defaults: { image: kindlab/base }',
    '  nodes:',
    ...lines,
    '  links:',
    ...linkLines,
    '',
  ].join('\n');
  const file = join(dir, `topo-${engines.length}.yaml`);
  await writeFile(file, yaml);
  return { file, nodes, crossLinks: links.filter(([x, y]) => place(x) !== place(y)).length };
}

const engineOf = (name: string) => (name === 'a' ? A : B);
const container = (n: string) => `clab-${LAB}-${n}`;

async function lab(args: string[], bin = LAB_BIN): Promise<void> {
  const r = await execa('node', [bin, ...args], { reject: false, cwd: REPO, env: { CI: '1' } });
  if (r.exitCode !== 0) throw new Error(`lab ${args.join(' ')} failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
}

async function sessionsUp(e: TestEngine, router: string): Promise<number> {
  const r = await dockerOn(e, ['exec', container(router), 'vtysh', '-c', 'show bgp summary json']);
  return r.exitCode === 0 ? establishedIn(r.stdout) : 0;
}

/** Seconds until every spine and leaf has all its sessions and host1 pings the last host; NaN after 180 s. */
async function converge(where: (n: string) => TestEngine): Promise<number> {
  const t0 = performance.now();
  const routers = [
    ...Array.from({ length: SHAPE.spines }, (_, s) => ({ n: `spine${s + 1}`, want: SHAPE.leaves })),
    ...Array.from({ length: SHAPE.leaves }, (_, l) => ({ n: `leaf${l + 1}`, want: SHAPE.spines })),
  ];
  let pending = routers;
  while (performance.now() - t0 < 180_000) {
    const counts = await Promise.all(pending.map((r) => sessionsUp(where(r.n), r.n)));
    pending = pending.filter((r, i) => counts[i]! < r.want);
    if (pending.length === 0) {
      const p = await dockerOn(where('host1'), ['exec', container('host1'), 'ping', '-c', '1', '-W', '1', `10.200.${SHAPE.hosts}.2`]);
      if (p.exitCode === 0) return (performance.now() - t0) / 1000;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return NaN;
}

async function containersOn(e: TestEngine): Promise<string[]> {
  const r = await dockerOn(e, ['ps', '-a', '--filter', `label=kindlab.lab=${LAB}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean);
}

interface Row {
  round: number;
  build: string;
  engines: number;
  deploy: number;
  converge: number;
  destroy: number;
  containers: string;
  cross: number;
}

async function once(dir: string, round: number, engines: TestEngine[], build: { name: string; bin: string }): Promise<Row> {
  const g = await writeLab(dir, engines);
  const where = (n: string) => engineOf(engines.length === 1 ? 'a' : split(n));
  const t0 = performance.now();
  await lab(['deploy', '-t', g.file, '--renderer', 'silent', '--max-workers', String(values['max-workers'])], build.bin);
  const tDeploy = (performance.now() - t0) / 1000;
  const counts = await Promise.all([A, B].map(containersOn));
  const tConv = await converge(where);
  const t1 = performance.now();
  const destroyed = await lab(['destroy', '-t', g.file, '--cleanup']).then(() => true, async (e: unknown) => {
    // say what still holds the management network on each engine, then finish the job by name
    process.stderr.write(`${String(e)}\n`);
    for (const x of [A, B]) {
      const n = await dockerOn(x, ['network', 'inspect', `kindlab-${LAB}`, '--format', '{{json .Containers}}']);
      process.stderr.write(`engine ${x.name}: kindlab-${LAB} endpoints: ${n.stdout || n.stderr}\n`);
    }
    await lab(['destroy', '--name', LAB, '--cleanup']);
    return false;
  });
  const tDestroy = (performance.now() - t1) / 1000;
  const left = (await Promise.all([A, B].map(containersOn))).flat();
  if (left.length) throw new Error(`destroy left ${left.join(', ')}`);
  return { round, build: build.name, engines: engines.length, deploy: tDeploy, converge: tConv, destroy: destroyed ? tDestroy : NaN, containers: counts.map((c, i) => `${[A, B][i]!.name}:${c.length}`).join(' '), cross: g.crossLinks };
}

const dir = await mkdtemp(join(tmpdir(), 'kl-bench-mh-'));
const rows: Row[] = [];
try {
  await makeUnderlay([A, B]);
  await Promise.all([startEngine(A), startEngine(B)]);
  // both engines hold the image before timing: the image transfer is not what is measured
  await Promise.all([loadInto(A, ['kindlab/base:latest']), loadInto(B, ['kindlab/base:latest'])]);
  for (let r = 1; r <= rounds; r++) {
    const here = { name: 'this', bin: LAB_BIN };
    const configs: Array<[TestEngine[], { name: string; bin: string }]> = [
      ...(values['split-only'] ? [] : [[[A], here] as [TestEngine[], typeof here]]),
      [[A, B], here],
      ...(values.base ? [[[A, B], { name: 'base', bin: join(values.base, 'bin', 'lab.js') }] as [TestEngine[], typeof here]] : []),
    ];
    const order = r % 2 === 1 ? configs : [...configs].reverse();
    for (const [engines, build] of order) {
      const row = await once(dir, r, engines, build);
      rows.push(row);
      process.stderr.write(`round ${r}, ${row.build}, ${row.engines} engine(s): deploy ${row.deploy.toFixed(1)} s, converge ${row.converge.toFixed(1)} s, destroy ${row.destroy.toFixed(1)} s\n`);
    }
  }
} finally {
  await execa('node', [LAB_BIN, 'destroy', '--name', LAB, '--cleanup'], { reject: false, cwd: REPO });
  for (const e of [A, B]) await removeEngine(e);
  await rm(dir, { recursive: true, force: true });
}
const f = (s: number) => (Number.isNaN(s) ? 'failed/timeout' : `${s.toFixed(1)} s`);
process.stdout.write(`${SHAPE.spines + SHAPE.leaves + SHAPE.hosts} nodes (${SHAPE.spines} spines, ${SHAPE.leaves} leaves, ${SHAPE.hosts} hosts), --max-workers ${values['max-workers']}, ${(await import('node:os')).cpus().length} CPUs\n`);
process.stdout.write(
  formatTable([
    ['ROUND', 'BUILD', 'ENGINES', 'DEPLOY', 'BGP+PING', 'DESTROY', 'CONTAINERS', 'CROSS-ENGINE LINKS'],
    ...rows.map((r) => [String(r.round), r.build, String(r.engines), f(r.deploy), f(r.converge), f(r.destroy), r.containers, String(r.cross)]),
  ]) + '\n',
);
