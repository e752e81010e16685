/**
 * Convergence of the Kubernetes-mode agent: time from a `kubectl` change returning to the route appearing in or
 * disappearing from the ToR's kernel table. Real parts: the API server (src/cluster/apiserver) on loopback,
 * `lab-agent k8s` as its own process (kube-router dialect, node clab-bgp-cplane-demo-control-plane), FRR bgpd + zebra
 * in a netns as the ToR. N changes (default 100), alternating: annotate / unannotate the `kubernetes` service
 * (service.advertise.clusterip → its /32), add / remove an externalIP on a `web` service annotated
 * service.advertise.externalip.
 * Measurement (no polling): `ip monitor route` runs in the ToR's netns, so a change counts as seen when zebra has
 * installed or removed the route in the kernel (after bgpd received the UPDATE and selected the path); the time is
 * when the bench reads that netlink event. The agent runs with --log-level debug and its log lines give the stages
 * in between: "cluster change" (first watch event at the agent), "intent applied", "updates sent" (UPDATE written
 * to the ToR's socket); bgpd's `debug bgp updates in` log (µs timestamps) gives when the ToR received it. All times are wall clock relative to kubectl returning (negative = before it returned; the
 * API server notifies watchers before it answers). Prints p50/p90/p99 of each stage. No assertions.
 *   node --import tsx bench/agent-convergence.ts [--changes 100] [--debounce-ms N] [--frr-profile datacenter|traditional] [--root DIR]
 *     [--zebra-work-queue MS] [--tor frr|bird]
 * --tor bird: BIRD 2 is the ToR (its kernel protocol exports every best route at once), so the figure is the agent's
 * part plus a ToR without FRR's work-queue holds (bgpd 50 ms, zebra 10 ms); no bgpd receive column then.
 * --root runs another checkout's agent (e.g. the base build, for a side-by-side table).
 * Needs root (netns) and FRR (/usr/lib/frr/bgpd, zebra, vtysh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiServerProcess, eventually } from '../test/e2e/kubectl-helpers.js';
import { createNetnsPeer, type NetnsPeer } from '../test/interop/lib/netns.js';
import { startFrr, type Frr } from '../test/interop/lib/frr.js';
import { birdRoute, startBird, type Bird } from '../test/interop/lib/bird.js';

const { values } = parseArgs({ options: {
  changes: { type: 'string', default: '100' },
  root: { type: 'string' },
  'zebra-work-queue': { type: 'string' },
  'debounce-ms': { type: 'string' },
  'frr-profile': { type: 'string', default: 'datacenter' },
  tor: { type: 'string', default: 'frr' },
} });
if (values.tor !== 'frr' && values.tor !== 'bird') throw new Error(`--tor: frr or bird, not ${values.tor}`);
const NODE = 'clab-bgp-cplane-demo-control-plane';
const ROOT = values.root ? path.resolve(values.root) : path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stage times of one change, ms after kubectl returned. */
interface Sample { what: string; kubectl: number; watch?: number; applied?: number; sent?: number; bgpd?: number; tor: number }

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const fmt = (x: number | undefined) => (x === undefined ? '   -' : x.toFixed(0).padStart(4));

/** The prefix has a best path at FRR (a path FRR has received but not yet processed has no `bestpath` flag). */
async function present(frr: Frr, prefix: string): Promise<boolean> {
  const j = await frr.json<{ paths?: Array<{ bestpath?: { overall?: boolean } }> }>(`show bgp ipv4 unicast ${prefix} json`);
  return (j.paths ?? []).some((p) => p.bestpath?.overall === true);
}

/** Kernel route events in the ToR's netns (`ip monitor route`): prefix → times (Date.now()) it was added / deleted. */
class RouteMonitor {
  readonly events: Array<{ prefix: string; added: boolean; at: number }> = [];
  private waiters: Array<() => void> = [];
  constructor(private readonly proc: ChildProcess) {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      const at = Date.now();
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^(Deleted )?(\S+) /.exec(line);
        if (!m || !/proto (bgp|bird) /.test(line)) continue; // zebra's routes are proto bgp, BIRD's proto bird
        const prefix = m[2]!.includes('/') ? m[2]! : `${m[2]}/32`;
        this.events.push({ prefix, added: !m[1], at });
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Time of the first event for `prefix` with index ≥ from. */
  async wait(from: number, prefix: string, added: boolean, timeoutMs = 10_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.slice(from).find((x) => x.prefix === prefix && x.added === added);
      if (e) return e.at;
      if (Date.now() > end) throw new Error(`${prefix} not ${added ? 'added' : 'deleted'} at the ToR after ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  stop(): void {
    this.proc.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kl-bench-conv-'));
  const api = new ApiServerProcess(ApiServerProcess.tempDir());
  let peer: NetnsPeer | undefined;
  let frr: Frr | undefined;
  let bird: Bird | undefined;
  let agent: ChildProcess | undefined;
  let mon: RouteMonitor | undefined;
  try {
    await api.start();
    peer = await createNetnsPeer('bconv');
    if (values.tor === 'bird') {
      bird = await startBird(peer, [
        'router id 10.0.0.1;', 'protocol device {}', 'protocol kernel { ipv4 { export all; }; }',
        `protocol bgp agent { local as 65100; neighbor ${peer.host4} as 64512; passive on; ipv4 { import all; export none; }; }`, '',
      ].join('\n'));
    } else {
      frr = await startFrr(peer, [
        `frr defaults ${values['frr-profile']}`, 'hostname tor0', 'router bgp 65100', ' bgp router-id 10.0.0.1', ' no bgp ebgp-requires-policy',
        ` neighbor ${peer.host4} remote-as 64512`, ` neighbor ${peer.host4} passive`, '',
      ].join('\n'));
    }
    // bgpd's own receive time: `debug bgp updates in` to a log file with µs timestamps (bgpd runs in UTC here).
    const frrLog = frr ? path.join(frr.dir, 'bgpd.log') : '';
    if (frr) await execa('vtysh', ['--vty_socket', frr.dir, '-c', 'configure terminal', '-c', `log file ${frrLog} debugging`, '-c', 'log timestamp precision 6', '-c', 'debug bgp updates in']);
    const rcvd = (from: number, prefix: string): number | undefined => {
      if (!frr) return undefined;
      let text = '';
      try { text = readFileSync(frrLog, 'utf8'); } catch { return undefined; }
      for (const line of text.split('\n')) {
        const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d+)/.exec(line);
        if (!m || !line.includes('rcvd') || !line.includes(prefix)) continue;
        const at = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]!.slice(0, 12)}Z`);
        if (at >= from) return at;
      }
      return undefined;
    };
    // zebra holds RIB work 10 ms by default (`zebra work-queue`); bgpd's 50 ms process-queue hold is fixed.
    if (frr && values['zebra-work-queue']) await execa('vtysh', ['--vty_socket', frr.dir, '-c', 'configure terminal', '-c', `zebra work-queue ${values['zebra-work-queue']}`]);
    mon = new RouteMonitor(spawn('ip', ['netns', 'exec', peer.ns, 'ip', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    // The agent's debug log lines carry a wall-clock time; keep each stage's times.
    const stages = { 'cluster change': [] as number[], 'intent applied': [] as number[], 'updates sent': [] as number[] };
    const args = ['--import', 'tsx', 'src/agent/cli.ts', 'k8s', '--node', NODE, '--kubeconfig', api.kubeconfig, '--dialect', 'kube-router',
      '--admin', path.join(dir, 'admin.sock'), '--listen', '0.0.0.0:0', '--no-fib', '--log-level', 'debug',
      ...(values['debounce-ms'] ? ['--debounce-ms', values['debounce-ms']] : []),
      `--peer-router-ips=${peer.peer4}`, '--peer-router-asns=65100', '--cluster-asn=64512', '--enable-ibgp=false'];
    agent = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    agent.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /"msg":"(cluster change|intent applied|updates sent)"/.exec(line);
        if (m) stages[m[1] as keyof typeof stages].push(Date.parse((JSON.parse(line) as { time: string }).time));
      }
    });
    const podCidr = (await api.json<{ spec: { podCIDR: string } }>('get', 'node', NODE)).spec.podCIDR;
    await eventually(async () => (frr ? present(frr, podCidr) : (await birdRoute(bird!, podCidr)) !== undefined), `${podCidr} at the ToR (session up)`, 30_000);
    const kubeIP = (await api.json<{ spec: { clusterIP: string } }>('get', 'service', 'kubernetes')).spec.clusterIP;
    const web = await api.kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: { name: web, namespace: default, annotations: { kube-router.io/service.advertise.externalip: "true" } }
spec: { type: ClusterIP, ports: [{ port: 80 }] }
`);
    if (web.code !== 0) throw new Error(web.stderr);
    const extIP = '192.0.2.80';
    const steps: Array<{ what: string; prefix: string; appears: boolean; args: string[] }> = [
      { what: 'annotate svc clusterip', prefix: `${kubeIP}/32`, appears: true, args: ['annotate', 'service', 'kubernetes', 'kube-router.io/service.advertise.clusterip=true'] },
      { what: 'unannotate svc clusterip', prefix: `${kubeIP}/32`, appears: false, args: ['annotate', 'service', 'kubernetes', 'kube-router.io/service.advertise.clusterip-'] },
      { what: 'add externalIP', prefix: `${extIP}/32`, appears: true, args: ['patch', 'service', 'web', '--type=merge', '-p', `{"spec":{"externalIPs":["${extIP}"]}}`] },
      { what: 'remove externalIP', prefix: `${extIP}/32`, appears: false, args: ['patch', 'service', 'web', '--type=json', '-p', '[{"op":"remove","path":"/spec/externalIPs"}]'] },
    ];
    const samples: Sample[] = [];
    const n = Number(values.changes);
    const after = (xs: number[], from: number, t0: number) => (xs.length > from ? xs[from]! - t0 : undefined);
    for (let i = 0; i < n; i++) {
      const s = steps[i % steps.length]!;
      await sleep(200); // let the previous change settle
      const from = { w: stages['cluster change'].length, a: stages['intent applied'].length, u: stages['updates sent'].length, r: mon.events.length };
      const k0 = Date.now();
      await api.ok(...s.args);
      const t0 = Date.now();
      const tor = await mon.wait(from.r, s.prefix, s.appears);
      await sleep(20); // the agent's log lines of this change are read
      samples.push({
        what: s.what, kubectl: t0 - k0, tor: tor - t0, bgpd: ((x) => (x === undefined ? undefined : x - t0))(rcvd(k0, s.prefix)),
        watch: after(stages['cluster change'], from.w, t0), applied: after(stages['intent applied'], from.a, t0), sent: after(stages['updates sent'], from.u, t0),
      });
    }
    console.log(`agent convergence: kubectl returns → route in/out of the ToR's kernel table (${bird ? 'BIRD 2, kernel protocol' : `FRR ${values['frr-profile']} defaults`}${values['zebra-work-queue'] ? `, zebra work-queue ${values['zebra-work-queue']}` : ''}, ip monitor), ${n} changes, agent from ${ROOT}`);
    console.log(' #  change                     kubectl  watch  applied  sent   bgpd    ToR   (ms; stages relative to kubectl returning)');
    samples.forEach((s, i) => console.log(`${String(i + 1).padStart(3)}  ${s.what.padEnd(26)} ${fmt(s.kubectl)}   ${fmt(s.watch)}   ${fmt(s.applied)}   ${fmt(s.sent)}   ${fmt(s.bgpd)}   ${fmt(s.tor)}`));
    console.log('\nstage (ms after kubectl returned)            p50   p90   p99   max');
    const row = (name: string, xs: number[]) => {
      if (xs.length) console.log(`${name.padEnd(42)} ${fmt(pct(xs, 50))}  ${fmt(pct(xs, 90))}  ${fmt(pct(xs, 99))}  ${fmt(Math.max(...xs))}   (${xs.length})`);
    };
    const pick = (k: 'watch' | 'applied' | 'sent' | 'bgpd') => samples.flatMap((s) => (s[k] === undefined ? [] : [s[k]]));
    row('kubectl run (start → return)', samples.map((s) => s.kubectl));
    row('watch event at the agent', pick('watch'));
    row('intent applied', pick('applied'));
    row('UPDATE sent', pick('sent'));
    row('UPDATE received at the ToR (bgpd debug log)', pick('bgpd'));
    row(`route at the ToR (kernel, ${bird ? 'BIRD' : 'zebra'})`, samples.map((s) => s.tor));
    console.log('target: route at the ToR p50 ≤ 30, p99 ≤ 100');
  } finally {
    mon?.stop();
    if (agent && agent.exitCode === null) {
      const done = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGINT');
      const t = setTimeout(() => agent!.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    await frr?.cleanup();
    await bird?.cleanup();
    await peer?.cleanup();
    await api.stop();
    rmSync(api.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
