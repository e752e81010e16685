/**
 * Convergence of the Kubernetes-mode agent: time from a `kubectl` change returning to the route appearing or
 * disappearing on the ToR. Real parts: the API server (src/cluster/apiserver) on loopback, `lab-agent k8s` as its
 * own process (kube-router dialect, node clab-bgp-cplane-demo-control-plane), FRR bgpd in a netns as the ToR.
 * 20 changes, alternating: annotate / unannotate the `kubernetes` service (service.advertise.clusterip → its /32),
 * add / remove an externalIP on a `web` service annotated service.advertise.externalip. FRR is polled with
 * `vtysh -c 'show bgp ipv4 unicast PREFIX json'` back to back (≥ every 10 ms); a route counts as there when FRR has
 * selected it as best (processed), and a change counts as seen when the poll that shows it returns (conservative:
 * includes that vtysh run, ~30 ms). Also prints when the agent logged "intent applied"
 * (watch event + debounce + intent) relative to kubectl returning. Target: p50 < 300 ms. No assertions.
 *   node --import tsx bench/agent-convergence.ts [--changes 20] [--debounce-ms N] [--frr-profile datacenter|traditional]
 * Needs root (netns) and FRR (/usr/lib/frr/bgpd, vtysh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiServerProcess, eventually } from '../test/e2e/kubectl-helpers.js';
import { createNetnsPeer, type NetnsPeer } from '../test/interop/lib/netns.js';
import { startFrr, type Frr } from '../test/interop/lib/frr.js';

const { values } = parseArgs({ options: {
  changes: { type: 'string', default: '20' },
  'debounce-ms': { type: 'string' },
  'frr-profile': { type: 'string', default: 'datacenter' },
} });
const NODE = 'clab-bgp-cplane-demo-control-plane';
const ROOT = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample { what: string; ms: number; agentMs: number | undefined; polls: number }

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

/** Polls FRR until `prefix` is (not) there; returns the time the deciding poll returned and the number of polls. */
async function waitRoute(frr: Frr, prefix: string, want: boolean, timeoutMs = 10_000): Promise<{ at: number; polls: number }> {
  const end = performance.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const t = performance.now();
    if ((await present(frr, prefix)) === want) return { at: performance.now(), polls };
    if (performance.now() > end) throw new Error(`${prefix} still ${want ? 'absent' : 'present'} after ${timeoutMs} ms`);
    const spent = performance.now() - t;
    if (spent < 10) await sleep(10 - spent);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kl-bench-conv-'));
  const api = new ApiServerProcess(ApiServerProcess.tempDir());
  let peer: NetnsPeer | undefined;
  let frr: Frr | undefined;
  let agent: ChildProcess | undefined;
  try {
    await api.start();
    peer = await createNetnsPeer('bconv');
    frr = await startFrr(peer, [
      `frr defaults ${values['frr-profile']}`, 'hostname tor0', 'router bgp 65100', ' bgp router-id 10.0.0.1', ' no bgp ebgp-requires-policy',
      ` neighbor ${peer.host4} remote-as 64512`, ` neighbor ${peer.host4} passive`, '',
    ].join('\n'));
    // The agent logs "intent applied" with a wall-clock time; keep each line's parsed time.
    const applied: number[] = [];
    const args = ['--import', 'tsx', 'src/agent/cli.ts', 'k8s', '--node', NODE, '--kubeconfig', api.kubeconfig, '--dialect', 'kube-router',
      '--admin', path.join(dir, 'admin.sock'), '--listen', '0.0.0.0:0', '--no-fib',
      ...(values['debounce-ms'] ? ['--debounce-ms', values['debounce-ms']] : []),
      `--peer-router-ips=${peer.peer4}`, '--peer-router-asns=65100', '--cluster-asn=64512', '--enable-ibgp=false'];
    agent = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    agent.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.includes('"intent applied"')) applied.push(Date.parse((JSON.parse(line) as { time: string }).time));
      }
    });
    const podCidr = (await api.json<{ spec: { podCIDR: string } }>('get', 'node', NODE)).spec.podCIDR;
    await eventually(() => present(frr!, podCidr), `${podCidr} at the ToR (session up)`, 30_000);
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
    const vtyshMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await present(frr, podCidr);
      vtyshMs.push(performance.now() - t);
    }
    const n = Number(values.changes);
    for (let i = 0; i < n; i++) {
      const s = steps[i % steps.length]!;
      await sleep(200); // let the previous change settle
      const before = applied.length;
      await api.ok(...s.args);
      const t0 = performance.now();
      const wall0 = Date.now();
      const seen = await waitRoute(frr, s.prefix, s.appears);
      const agentAt = applied.slice(before).at(-1);
      samples.push({ what: s.what, ms: seen.at - t0, agentMs: agentAt === undefined ? undefined : agentAt - wall0, polls: seen.polls });
    }
    console.log(`agent convergence: kubectl returns → route ${'appears/disappears'} at FRR (${values['frr-profile']} defaults), ${n} changes`);
    console.log(' #  change                     total ms  agent-applied ms  polls');
    samples.forEach((s, i) => console.log(`${String(i + 1).padStart(2)}  ${s.what.padEnd(26)} ${fmt(s.ms)}      ${fmt(s.agentMs)}            ${s.polls}`));
    const ms = samples.map((s) => s.ms);
    const ag = samples.flatMap((s) => (s.agentMs === undefined ? [] : [s.agentMs]));
    console.log(`\ntotal ms   min ${fmt(Math.min(...ms))}  p50 ${fmt(pct(ms, 50))}  p90 ${fmt(pct(ms, 90))}  max ${fmt(Math.max(...ms))}   (target p50 < 300)`);
    if (ag.length) console.log(`agent ms   min ${fmt(Math.min(...ag))}  p50 ${fmt(pct(ag, 50))}  p90 ${fmt(pct(ag, 90))}  max ${fmt(Math.max(...ag))}   ("intent applied" logged, relative to kubectl returning; < 0 = before it returned)`);
    console.log(`vtysh poll ms  p50 ${fmt(pct(vtyshMs, 50))}  (resolution of the measurement)`);
  } finally {
    if (agent && agent.exitCode === null) {
      const done = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGINT');
      const t = setTimeout(() => agent!.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    await frr?.cleanup();
    await peer?.cleanup();
    await api.stop();
    rmSync(api.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
