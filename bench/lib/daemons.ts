/**
 * The daemons under test for bench/bgp-receive.ts, each started in the topology's daemon namespace with two
 * passive eBGP neighbors: the blaster (import everything) and the monitor (export everything). None installs
 * routes into a kernel FIB (BIRD: no kernel protocol; FRR: bgpd without zebra; GoBGP: no zebra; agent: no FIB),
 * so the figures are about BGP: receive, decide, re-advertise.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { adminRequest } from '../../src/agent/client.js';
import type { NeighborStatus } from '../../src/bgp/speaker-types.js';
import { collectLines, type BenchTopology } from './topology.js';
import { procName } from './proc.js';
import { startBgpd } from './frr.js';
import type { ChildProcess } from 'node:child_process';

export const DAEMONS = ['bird', 'frr', 'gobgp', 'agent'] as const;
export type DaemonKind = (typeof DAEMONS)[number];

export const LABEL: Record<DaemonKind, string> = { bird: 'BIRD 2', frr: 'FRR bgpd', gobgp: 'gobgpd', agent: 'our agent' };

export interface Asns {
  daemon: number;
  blaster: number;
  monitor: number;
}

export interface DaemonUnderTest {
  kind: DaemonKind;
  pid: number;
  /** Prefixes the daemon holds from the blaster, by its own CLI/API (after the timed part). */
  received(): Promise<number>;
  /** Last lines of its output, for error messages. */
  tail: string[];
  cleanup(): Promise<void>;
}

const repo = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, f: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function birdConf(t: BenchTopology, as: Asns): string {
  return `router id ${t.daemonToBlaster};
protocol device { }
protocol bgp blaster { local ${t.daemonToBlaster} as ${as.daemon}; neighbor ${t.blaster} as ${as.blaster}; passive on; ipv4 { import all; export none; }; }
protocol bgp monitor { local ${t.daemonToMonitor} as ${as.daemon}; neighbor ${t.monitor} as ${as.monitor}; passive on; ipv4 { import none; export all; }; }
`;
}

function frrConf(t: BenchTopology, as: Asns): string {
  return `hostname bench
router bgp ${as.daemon}
 bgp router-id ${t.daemonToBlaster}
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${t.blaster} remote-as ${as.blaster}
 neighbor ${t.blaster} passive
 neighbor ${t.monitor} remote-as ${as.monitor}
 neighbor ${t.monitor} passive
 neighbor ${t.monitor} advertisement-interval 0
 address-family ipv4 unicast
  neighbor ${t.blaster} activate
  neighbor ${t.monitor} activate
 exit-address-family
`;
}

function gobgpConf(t: BenchTopology, as: Asns): string {
  const nb = (addr: string, peerAs: number, local: string) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${addr}"
    peer-as = ${peerAs}
  [neighbors.transport.config]
    passive-mode = true
    local-address = "${local}"
`;
  return `[global.config]
  as = ${as.daemon}
  router-id = "${t.daemonToBlaster}"
  port = 179
${nb(t.blaster, as.blaster, t.daemonToBlaster)}${nb(t.monitor, as.monitor, t.daemonToMonitor)}`;
}

function agentConf(t: BenchTopology, as: Asns, admin: string): string {
  const nb = (addr: string, peerAs: number, local: string) => `  - { address: ${addr}, asn: ${peerAs}, passive: true, localAddress: ${local}, maxPrefixes: 4000000 }`;
  return `asn: ${as.daemon}
routerId: ${t.daemonToBlaster}
listen: { address: 0.0.0.0, port: 179 }
admin: ${admin}
logLevel: warn
neighbors:
${nb(t.blaster, as.blaster, t.daemonToBlaster)}
${nb(t.monitor, as.monitor, t.daemonToMonitor)}
`;
}

/** Starts one daemon and waits until it can be queried (not until sessions are up). */
export async function startDaemon(kind: DaemonKind, t: BenchTopology, as: Asns, opts: { agentRepo?: string } = {}): Promise<DaemonUnderTest> {
  const dir = await mkdtemp(path.join(tmpdir(), `kl-bench-${kind}-`));
  const file = (name: string) => path.join(dir, name);
  const inNs = (cmd: string, args: string[]) => t.exec(t.daemonNs, cmd, args);
  let args: string[] = [];
  let proc: ChildProcess | undefined;
  let extraCleanup = async () => undefined as void;
  let received: () => Promise<number>;
  let ready: () => Promise<boolean>;
  if (kind === 'bird') {
    await writeFile(file('bird.conf'), birdConf(t, as));
    args = ['/usr/sbin/bird', '-f', '-c', file('bird.conf'), '-s', file('bird.ctl'), '-P', file('bird.pid')];
    const birdc = async (cmd: string[]) => String((await execa('birdc', ['-s', file('bird.ctl'), ...cmd])).stdout);
    ready = async () => (await birdc(['show', 'status'])).includes('Daemon is up');
    received = async () => Number(/Routes:\s+(\d+) imported/.exec(await birdc(['show', 'protocols', 'all', 'blaster']))?.[1] ?? NaN);
  } else if (kind === 'frr') {
    const frr = await startBgpd(t, t.daemonNs, frrConf(t, as));
    proc = frr.proc;
    extraCleanup = frr.cleanup;
    ready = async () => (await frr.vtysh('show bgp summary json')).includes('routerId');
    received = () => frr.pfxRcd(t.blaster);
  } else if (kind === 'gobgp') {
    await writeFile(file('gobgpd.toml'), gobgpConf(t, as));
    const api = `127.0.0.1:${50051 + Math.floor(Math.random() * 1000)}`;
    args = ['gobgpd', '-f', file('gobgpd.toml'), '--api-hosts', api, '-l', 'warn'];
    const gobgp = (a: string[]) => inNs('gobgp', ['-u', api.split(':')[0]!, '-p', api.split(':')[1]!, ...a]);
    ready = async () => (await gobgp(['global', '-j'])).includes(t.daemonToBlaster);
    received = async () => Number(/Destination:\s+(\d+)/.exec(await gobgp(['global', 'rib', 'summary', '-a', 'ipv4']))?.[1] ?? NaN);
  } else {
    const admin = file('admin.sock');
    await writeFile(file('agent.yaml'), agentConf(t, as, admin));
    // KL_BENCH_AGENT_PROF=DIR: the agent writes a V8 CPU profile there (bgp-receive stops it with SIGINT first).
    const prof = process.env.KL_BENCH_AGENT_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KL_BENCH_AGENT_PROF}`] : [];
    // The V8 flags that build starts its agent with (none for a build from before dist/agent/node-flags.js).
    const flagsFile = path.join(opts.agentRepo ?? repo, 'dist/agent/node-flags.js');
    const flags = existsSync(flagsFile) ? ((await import(pathToFileURL(flagsFile).href)) as { AGENT_NODE_FLAGS: string[] }).AGENT_NODE_FLAGS : [];
    args = [process.execPath, ...flags, ...prof, 'bin/lab-agent.js', 'run', '--config', file('agent.yaml')];
    ready = async () => (await adminRequest<{ status: string }>(admin, 'GET', '/healthz')).status === 'ok';
    received = async () => (await adminRequest<NeighborStatus[]>(admin, 'GET', '/neighbors')).find((n) => n.address === t.blaster)?.accepted ?? NaN;
  }
  // The agent may be another build (bench/bgp-receive.ts --compare): its own checkout's bin/ and dist/.
  const p = proc ?? t.spawnIn(t.daemonNs, args[0]!, args.slice(1), { cwd: kind === 'agent' && opts.agentRepo ? opts.agentRepo : repo });
  const tail = collectLines(p);
  let exited = false;
  p.once('exit', () => (exited = true));
  const cleanup = async () => {
    await extraCleanup();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await until(`${kind} to answer its CLI/API`, async () => {
      if (exited) throw new Error(`${kind} exited: ${tail.join('\n')}`);
      return ready().catch(() => false);
    });
    const expected = kind === 'agent' ? 'node' : kind === 'frr' ? 'bgpd' : kind === 'gobgp' ? 'gobgpd' : 'bird';
    if (procName(p.pid!) !== expected) throw new Error(`pid ${p.pid} is ${procName(p.pid!)}, not ${expected}`);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { kind, pid: p.pid!, received, tail, cleanup };
}
