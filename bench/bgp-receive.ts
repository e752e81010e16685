/**
 * Receive benchmark (issue 3): for each of BIRD, FRR bgpd, our agent and gobgpd, in one run on this machine.
 * Three network namespaces: blaster ── daemon ── monitor. The blaster (bench/lib/peer-main.ts, our TypeScript)
 * pre-builds UPDATEs with src/bgp/wire/blaster.ts and writes them as fast as TCP allows; the monitor counts the
 * /24s the daemon re-advertises. Time = from the blaster's session Established until the monitor has every
 * prefix (so all are in the daemon's RIB and re-advertised). CPU = the daemon's utime+stime over that window,
 * peak RSS = its VmHWM. Not a test: prints figures only.
 *
 *   node --import tsx bench/bgp-receive.ts [--prefixes 1000000] [--sets 1000,500000] [--daemons bird,frr,agent,gobgp]
 *                                          [--cap 180]   (seconds; a daemon still short of all prefixes is "> cap")
 *   node --import tsx bench/bgp-receive.ts --compare /tmp/old-checkout [--rounds 3] [--sets 1000,500000]
 *     this checkout ("new") against another built checkout ("old") and BIRD, rotating the order each round for
 *     `rounds` rounds per attribute-set count; prints one table per build and the medians side by side.
 *     `--no-bird` leaves BIRD out.
 * Needs root, `npm run build` (the agent runs as `node bin/lab-agent.js run`), bird2, frr, gobgpd.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DAEMONS, LABEL, startDaemon, type DaemonKind, type DaemonUnderTest } from './lib/daemons.js';
import { EventStream } from './lib/events.js';
import { procUsage } from './lib/proc.js';
import { createTopology, type BenchTopology } from './lib/topology.js';

const { values: v } = parseArgs({
  options: {
    prefixes: { type: 'string', default: '1000000' },
    sets: { type: 'string', default: '1000,500000' },
    daemons: { type: 'string', default: 'bird,frr,agent,gobgp' },
    cap: { type: 'string', default: '180' },
    compare: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    'no-bird': { type: 'boolean', default: false },
  },
});
const COMPARE = v.compare;
/** In --compare mode BIRD runs in the same rounds, so the targets (≤ BIRD's time and RSS) read off one run. */
const WITH_BIRD = !v['no-bird'];
const ROUNDS = Number(v.rounds);
const PREFIXES = Number(v.prefixes);
const SETS = v.sets!.split(',').map(Number);
const KINDS = (COMPARE ? 'agent' : v.daemons!).split(',') as DaemonKind[];
const CAP_S = Number(v.cap);
for (const k of KINDS) if (!DAEMONS.includes(k)) throw new Error(`unknown daemon ${k} (${DAEMONS.join(', ')})`);

const ASNS = { daemon: 65000, blaster: 65001, monitor: 65002 };
const repo = fileURLToPath(new URL('../', import.meta.url));
const peerMain = fileURLToPath(new URL('./lib/peer-main.ts', import.meta.url));

interface Row {
  kind: DaemonKind;
  /** 'old' / 'new' in --compare mode. */
  build?: string;
  sets: number;
  /** Seconds from Established until the monitor had all prefixes; undefined when the cap was hit. */
  totalS?: number;
  /** Seconds until the blaster's last byte was taken by the kernel (the daemon reads at its own pace). */
  sentS?: number;
  atMonitor: number;
  inRib: number;
  peakRssMB: number;
  cpuS: number;
  /** The monitor's own CPU seconds (it shares the machine's two cores with the daemon). */
  monitorCpuS: number;
}

let current: BenchTopology | undefined;
const log = (s: string) => process.stderr.write(`${s}\n`);

function peer(t: BenchTopology, mode: 'blaster' | 'monitor', sets: number): { events: EventStream; pid: number } {
  const ns = mode === 'blaster' ? t.blasterNs : t.monitorNs;
  const args = mode === 'blaster'
    ? ['--host', t.daemonToBlaster, '--local', t.blaster, '--asn', String(ASNS.blaster), '--prefixes', String(PREFIXES), '--sets', String(sets)]
    : ['--host', t.daemonToMonitor, '--local', t.monitor, '--asn', String(ASNS.monitor), '--expect', String(PREFIXES)];
  const p = t.spawnIn(ns, process.execPath, ['--import', 'tsx', peerMain, mode, ...args], { cwd: repo });
  return { events: new EventStream(mode, p), pid: p.pid! };
}

async function runCase(kind: DaemonKind, sets: number, agentRepo?: string): Promise<Row> {
  const t = await createTopology('r');
  current = t;
  let d: DaemonUnderTest | undefined;
  try {
    d = await startDaemon(kind, t, ASNS, { agentRepo });
    const { events: monitor, pid: monitorPid } = peer(t, 'monitor', sets);
    if (!(await monitor.wait('established', Date.now() + 60_000))) throw new Error(`${kind}: monitor session not Established in 60 s`);
    const blaster = peer(t, 'blaster', sets).events;
    const est = await blaster.wait('established', Date.now() + 90_000);
    if (!est) throw new Error(`${kind}: blaster session not Established in 90 s`);
    const cpu0 = procUsage(d.pid).cpuS;
    const monitorCpu0 = procUsage(monitorPid).cpuS;
    const done = await monitor.wait('complete', est.t + CAP_S * 1000);
    const u = procUsage(d.pid);
    const monitorCpuS = procUsage(monitorPid).cpuS - monitorCpu0;
    const sent = blaster.seen.get('sent');
    const atMonitor = done?.count ?? monitor.last?.count ?? 0;
    const inRib = await Promise.race([d.received(), new Promise<number>((r) => setTimeout(() => r(NaN), 60_000))]);
    return {
      kind, sets, totalS: done && (done.t - est.t) / 1000, sentS: sent && (sent.t - est.t) / 1000,
      atMonitor, inRib, peakRssMB: u.peakRssMB, cpuS: u.cpuS - cpu0, monitorCpuS,
    };
  } catch (e) {
    if (d) log(`${kind} output:\n${d.tail.join('\n')}`);
    throw e;
  } finally {
    if (kind === 'agent' && d && process.env.KL_BENCH_AGENT_PROF) {
      // A clean exit, so the agent writes its CPU profile (cleanup would SIGKILL it).
      process.kill(d.pid, 'SIGINT');
      await new Promise((r) => setTimeout(r, 4000));
    }
    await t.cleanup();
    await d?.cleanup();
    current = undefined;
  }
}

function table(rows: Row[]): string {
  const head = ['daemon', 'attr sets', 'Established → all at monitor', 'blaster sent', 'peak RSS', 'CPU s', 'in RIB', 'at monitor', 'monitor CPU s'];
  const body = rows.map((r) => [
    r.build && r.kind === 'agent' ? `${LABEL[r.kind]} (${r.build})` : LABEL[r.kind],
    r.sets.toLocaleString('en'),
    r.totalS === undefined ? `> ${CAP_S} s` : `${r.totalS.toFixed(2)} s`,
    r.sentS === undefined ? `> ${CAP_S} s` : `${r.sentS.toFixed(2)} s`,
    `${r.peakRssMB.toFixed(0)} MB`,
    r.cpuS.toFixed(2),
    Number.isNaN(r.inRib) ? '?' : r.inRib.toLocaleString('en'),
    r.atMonitor.toLocaleString('en'),
    r.monitorCpuS.toFixed(2),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  return [line(head), `|${w.map((x, i) => (i < 2 ? `:${'-'.repeat(x + 1)}` : `${'-'.repeat(x + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

process.on('SIGINT', () => void (current?.cleanup() ?? Promise.resolve()).finally(() => process.exit(130)));

const started = Date.now();
const load0 = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const rows: Row[] = [];
const failures: string[] = [];
async function compareRuns(oldRepo: string): Promise<void> {
  for (const sets of SETS) {
    for (let round = 1; round <= ROUNDS; round++) {
      // Rotate which goes first, so drift on the shared machine falls on all of them.
      const all: Array<'old' | 'new' | 'bird'> = WITH_BIRD ? ['old', 'new', 'bird'] : ['old', 'new'];
      const order = all.map((_, i) => all[(i + round - 1) % all.length]!);
      for (const build of order) {
        const kind: DaemonKind = build === 'bird' ? 'bird' : 'agent';
        log(`${build === 'bird' ? LABEL.bird : `agent (${build})`} round ${round}/${ROUNDS}: ${PREFIXES.toLocaleString('en')} prefixes, ${sets.toLocaleString('en')} attribute sets ...`);
        try {
          const r = { ...(await runCase(kind, Math.min(sets, PREFIXES), build === 'old' ? oldRepo : build === 'new' ? repo : undefined)), build };
          rows.push(r);
          log(`  ${r.totalS === undefined ? `> ${CAP_S} s` : `${r.totalS.toFixed(2)} s`}, ${r.peakRssMB.toFixed(0)} MB, ${r.cpuS.toFixed(2)} CPU s`);
        } catch (e) {
          failures.push(`${build} round ${round} at ${sets} sets: ${(e as Error).message}`);
          log(`  failed: ${(e as Error).message}`);
        }
      }
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function compareTable(): string {
  const lines = WITH_BIRD
    ? ['| attr sets | metric (median) | old | new | BIRD | new/old | new/BIRD |', '|:--|:--|--:|--:|--:|--:|--:|']
    : ['| attr sets | metric (median) | old | new | new/old |', '|:--|:--|--:|--:|--:|'];
  for (const sets of SETS) {
    const of = (build: string, f: (r: Row) => number | undefined) =>
      median(rows.filter((r) => r.build === build && r.sets === Math.min(sets, PREFIXES)).map(f).filter((x): x is number => x !== undefined));
    for (const [name, f, unit] of [['time', (r: Row) => r.totalS, 's'], ['peak RSS', (r: Row) => r.peakRssMB, 'MB'], ['CPU', (r: Row) => r.cpuS, 's']] as const) {
      const o = of('old', f);
      const n = of('new', f);
      const b = of('bird', f);
      const pct = (x: number, y: number) => `${((x / y - 1) * 100).toFixed(1)} %`;
      lines.push(WITH_BIRD
        ? `| ${sets.toLocaleString('en')} | ${name} | ${o.toFixed(2)} ${unit} | ${n.toFixed(2)} ${unit} | ${b.toFixed(2)} ${unit} | ${pct(n, o)} | ${(n / b).toFixed(2)}× |`
        : `| ${sets.toLocaleString('en')} | ${name} | ${o.toFixed(2)} ${unit} | ${n.toFixed(2)} ${unit} | ${pct(n, o)} |`);
    }
  }
  return lines.join('\n');
}

if (COMPARE) await compareRuns(COMPARE);
else for (const sets of SETS) {
  for (const kind of KINDS) {
    log(`${LABEL[kind]}: ${PREFIXES.toLocaleString('en')} prefixes, ${sets.toLocaleString('en')} attribute sets ...`);
    try {
      const r = await runCase(kind, Math.min(sets, PREFIXES));
      rows.push(r);
      log(`  ${r.totalS === undefined ? `> ${CAP_S} s (${r.atMonitor} at monitor)` : `${r.totalS.toFixed(2)} s`}, ${r.peakRssMB.toFixed(0)} MB, ${r.cpuS.toFixed(2)} CPU s`);
    } catch (e) {
      failures.push(`${LABEL[kind]} at ${sets} sets: ${(e as Error).message}`);
      log(`  failed: ${(e as Error).message}`);
    }
  }
}
const cpu = os.cpus();
console.log(`bgp-receive: ${PREFIXES.toLocaleString('en')} IPv4 /24s from a pre-built blaster → daemon → monitor peer, eBGP, each process in its own netns`);
console.log(`${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Linux ${os.release()}, node ${process.version}`);
if (COMPARE) {
  console.log(`old = ${COMPARE}, new = ${repo}${WITH_BIRD ? ', BIRD 2' : ''}; ${ROUNDS} rounds per set count, rotating which goes first`);
  console.log('\nold:');
  console.log(table(rows.filter((r) => r.build === 'old')));
  console.log('\nnew:');
  console.log(table(rows.filter((r) => r.build === 'new')));
  if (WITH_BIRD) {
    console.log('\nBIRD 2:');
    console.log(table(rows.filter((r) => r.build === 'bird')));
  }
  console.log('\nmedians:');
  console.log(compareTable());
} else console.log(table(rows));
console.log(`load average at start ${load0}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on this shared machine slows wall times; CPU s is each process's own)`);
console.log('time: blaster session Established → the monitor holds every prefix (so all are in the RIB and re-advertised);');
console.log('CPU s: the daemon\'s utime+stime over that window; peak RSS: its VmHWM (whole life); in RIB: its own count afterwards.');
console.log(`no FIB: BIRD without kernel protocol, FRR bgpd -Z (no zebra), gobgpd without zebra, agent without FIB. Run took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
for (const f of failures) console.log(`FAILED: ${f}`);
process.exitCode = failures.length > 0 ? 1 : 0;
