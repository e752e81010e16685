/**
 * Send benchmark (issue 3): our agent (`node bin/lab-agent.js run`, its config originating N IPv4 /24s) in one
 * netns, FRR bgpd (-Z, no zebra) in another, eBGP. Time = from session Established (FRR's bgpTimerUpMsec) until
 * FRR's `show bgp ipv4 unicast summary json` pfxRcd for the agent reaches N (polled every 100 ms). Also the
 * agent's start-up (config load: N originate entries), both processes' peak RSS and CPU seconds. Prints figures.
 *
 *   node --import tsx bench/bgp-send.ts [--prefixes 1000000]
 * Needs root, `npm run build`, frr.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { adminRequest } from '../src/agent/client.js';
import type { NeighborStatus } from '../src/bgp/speaker-types.js';
import { startBgpd, type BenchFrr } from './lib/frr.js';
import { procUsage } from './lib/proc.js';
import { nowMs } from './lib/raw-peer.js';
import { collectLines, createTopology, type BenchTopology } from './lib/topology.js';

const { values: v } = parseArgs({ options: { prefixes: { type: 'string', default: '1000000' }, timeout: { type: 'string', default: '300' } } });
const N = Number(v.prefixes);
const repo = fileURLToPath(new URL('../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The agent's config: one neighbor (FRR) and N originated /24s from 1.0.0.0 up, written as flow mappings. */
function agentYaml(local: string, peer: string, admin: string): string {
  const out = [`asn: 65000`, `routerId: ${local}`, `listen: { address: ${local}, port: 0 }`, `admin: ${admin}`, `logLevel: warn`,
    `neighbors:`, `  - { address: ${peer}, asn: 65010, localAddress: ${local}, connectRetryTime: 1, idleHoldTime: 1 }`, `originate:`];
  for (let i = 0; i < N; i++) {
    const n = (1 << 16) + i;
    out.push(`  - { prefix: ${n >>> 16}.${(n >>> 8) & 255}.${n & 255}.0/24 }`);
  }
  return `${out.join('\n')}\n`;
}

const frrConf = (t: BenchTopology) => `hostname bench-send
router bgp 65010
 bgp router-id ${t.monitor}
 no bgp ebgp-requires-policy
 neighbor ${t.daemonToMonitor} remote-as 65000
 neighbor ${t.daemonToMonitor} passive
 address-family ipv4 unicast
  neighbor ${t.daemonToMonitor} activate
 exit-address-family
`;

let current: BenchTopology | undefined;
process.on('SIGINT', () => void (current?.cleanup() ?? Promise.resolve()).finally(() => process.exit(130)));

async function main(): Promise<void> {
  // The agent runs in the topology's daemon netns, FRR in its monitor netns (the blaster netns stays idle).
  const t = await createTopology('s');
  current = t;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kl-bench-send-'));
  let frr: BenchFrr | undefined;
  try {
    const admin = path.join(dir, 'admin.sock');
    await writeFile(path.join(dir, 'agent.yaml'), agentYaml(t.daemonToMonitor, t.monitor, admin));
    const spawnAt = nowMs();
    const agent = t.spawnIn(t.daemonNs, process.execPath, ['bin/lab-agent.js', 'run', '--config', path.join(dir, 'agent.yaml')], { cwd: repo });
    const agentTail = collectLines(agent);
    const deadline = Date.now() + Number(v.timeout) * 1000;
    // Start-up first (the agent loads N originate entries from YAML), then let it settle, then start FRR, so the
    // timed part is the session alone. The agent connects (connect-retry 1 s) once FRR listens.
    let readyAt: number | undefined;
    while (readyAt === undefined) {
      if (agent.exitCode !== null) throw new Error(`agent exited: ${agentTail.join('\n')}`);
      if (Date.now() > deadline) throw new Error('agent start-up timed out');
      const h = await adminRequest<{ status: string }>(admin, 'GET', '/healthz').catch(() => undefined);
      if (h?.status === 'ok') readyAt = nowMs();
      else await sleep(200);
    }
    await sleep(3000);
    const before = procUsage(agent.pid!);
    frr = await startBgpd(t, t.monitorNs, frrConf(t));
    const frrTail = collectLines(frr.proc);
    const f = frr;
    let pfx = 0;
    let doneAt: number | undefined;
    let sentAt: number | undefined;
    while (Date.now() < deadline) {
      if (agent.exitCode !== null) throw new Error(`agent exited: ${agentTail.join('\n')}`);
      if (frr.proc.exitCode !== null) throw new Error(`bgpd exited: ${frrTail.join('\n')}`);
      if (sentAt === undefined) {
        const adv = (await adminRequest<NeighborStatus[]>(admin, 'GET', '/neighbors').catch(() => []))[0]?.advertised ?? 0;
        if (adv >= N) sentAt = nowMs();
      }
      pfx = await f.pfxRcd(t.daemonToMonitor).catch(() => NaN);
      if (pfx >= N) {
        doneAt = nowMs();
        break;
      }
      await sleep(100);
    }
    const nb = JSON.parse(await frr.vtysh(`show bgp neighbors ${t.daemonToMonitor} json`)) as Record<string, { bgpTimerUpMsec?: number }>;
    const upMsec = nb[t.daemonToMonitor]?.bgpTimerUpMsec;
    const estAt = upMsec === undefined ? undefined : nowMs() - upMsec;
    const a = procUsage(agent.pid!);
    const b = procUsage(frr.proc.pid!);
    const st = (await adminRequest<NeighborStatus[]>(admin, 'GET', '/neighbors'))[0];
    const s = (x: number | undefined, from: number | undefined) => (x === undefined || from === undefined ? '?' : `${((x - from) / 1000).toFixed(2)} s`);
    const cpu = os.cpus();
    console.log(`bgp-send: our agent originates ${N.toLocaleString('en')} IPv4 /24s (one attribute set) to FRR bgpd 8.4 (-Z), eBGP, each in its own netns`);
    console.log(`${cpu.length} × ${cpu[0]?.model ?? '?'}, node ${process.version}`);
    console.log(`| Established → FRR pfxRcd = ${N.toLocaleString('en')} | agent's advertised count = N | agent CPU s (session) | agent RSS before → after | agent start-up (config load) | agent peak RSS (whole life) | bgpd peak RSS | bgpd CPU s | pfxRcd | agent advertised |`);
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(`| ${doneAt === undefined ? `> ${v.timeout} s since start` : s(doneAt, estAt)} | ${s(sentAt, estAt)} | ${(a.cpuS - before.cpuS).toFixed(2)} | ${before.rssMB.toFixed(0)} → ${a.rssMB.toFixed(0)} MB | ${s(readyAt, spawnAt)} | ${a.peakRssMB.toFixed(0)} MB | ${b.peakRssMB.toFixed(0)} MB | ${b.cpuS.toFixed(2)} | ${pfx.toLocaleString('en')} | ${st?.advertised.toLocaleString('en') ?? '?'} |`);
    console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on this shared 2-core machine slows wall times)`);
    console.log('FRR starts once the agent has loaded its config and idled 3 s; pfxRcd polled every 100 ms (about ±0.1 s).');
    console.log('agent CPU s (session): from FRR start to pfxRcd = N; its peak RSS is reached while parsing the YAML config of N originate entries.');
    if (doneAt === undefined) process.exitCode = 1;
  } finally {
    await t.cleanup();
    await frr?.cleanup();
    await rm(dir, { recursive: true, force: true });
    current = undefined;
  }
}

await main();
