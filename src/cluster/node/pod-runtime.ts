import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../client/types.js';
import { ContainerProcess, type RestartPolicy } from './container-process.js';
import type { HostLocalIpam } from './ipam.js';
import { netnsExists, setupPodNetwork, teardownPodNetwork } from './podnet.js';
import { hostVethName, netnsName, podNetworkCommands } from './podnet-plan.js';
import type { KubeClient } from '../client/client.js';
import { objectData, type DockerPods } from './docker-pods.js';
import { EnvError, envObjects, resolvedContainer, type EnvSources } from './env-plan.js';
import { isNotFound } from '../client/errors.js';
import type { Engine } from './engine.js';
import { RealContainer } from './real-container.js';
import { chooseRuntime, containerCreate, planVolumes, wantsImage, type RealPodContext, type RuntimeChoice, type VolumePlan } from './real-pod-plan.js';
import { runAll } from './sys.js';
import { errorMessage } from '../../errors.js';
import type { ContainerReport } from './pod-status.js';
import { runProbe, type ProbeExec } from './probes.js';
import { ContainerProbes, type ProbeWorker } from './probe-state.js';
import type { Logger } from './sys.js';
import { planWorkload, type WorkloadPlan } from './workload-plan.js';
import { projectAgentPlan, type ProjectAgentContext } from './project-agent.js';

/** One pod CIDR of the node: its gateway on the bridge and the IPAM handing out its addresses. */
export interface PodCidrNet {
  cidr: string;
  gateway: string;
  prefix: number;
  ipam: HostLocalIpam;
}

export interface NodeNet {
  bridge: string;
  /** The node's pod CIDRs, primary family first (two on a dual-stack node). */
  cidrs: PodCidrNet[];
  mtu: number;
  /** The node's addresses (InternalIPs), primary first. */
  hostIPs: string[];
}

interface ContainerRt {
  spec: Container;
  plan: WorkloadPlan;
  /** A project's BGP daemon image run as kindlab's agent (project-agent.ts): what the pod status says. */
  note?: string;
  /** The agent runs on the node's network, not in the pod's netns (it peers from the node's addresses). */
  nodeNetwork?: boolean;
  proc?: ContainerProcess;
  /** Set when the container runs its real image. */
  real?: RealContainer;
  /** Set when the real container cannot be made (a volume it needs). */
  failed?: { reason: string; message: string };
  ready: boolean;
  /** The startup probe passed (or there is none) for the current run. */
  started: boolean;
  /** The probe workers of the current run (probe-state.ts) and which run they belong to. */
  probes?: ContainerProbes;
  runKey?: string;
}

/** What a pod needs to run real images: the engine side and the API (configMaps, secrets). */
export interface RealPods {
  docker: DockerPods;
  client: KubeClient;
}

export type PodEventSink = (pod: Pod, e: { type: 'Normal' | 'Warning'; reason: string; message: string; fieldPath?: string }) => void;

/** Absolute path of an executable on the node, searching PATH for bare names. */
export function resolveBinary(name: string): string | undefined {
  const ok = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return ok(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) if (ok(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

export const podDirName = (p: Pod) => `${p.metadata.namespace}_${p.metadata.name}_${p.metadata.uid}`;

/**
 * One pod on this node: its netns and veth on the bridge, its address from IPAM, its
 * containers as supervised processes, and readiness probing. `onChange` fires whenever
 * something the pod status shows may have changed.
 */
export class PodRuntime {
  readonly netns: string | undefined;
  readonly hostVeth: string;
  readonly dir: string;
  /** The pod's addresses, primary first; `ip` is the primary one. */
  ips: string[] = [];
  ip: string | undefined;
  error: string | undefined;
  /** Why containers run stand-ins instead of their images (the pod status message). */
  notice: string | undefined;
  readonly startTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  private containers: ContainerRt[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sandbox: RealPodContext | undefined;

  /** Project agents started (their messages), for the pod's Events. */
  readonly agentNotes: string[] = [];

  constructor(public pod: Pod, private readonly net: NodeNet, stateDir: string, private readonly log: Logger, private readonly onChange: () => void, private readonly realPods?: RealPods, private readonly event?: PodEventSink, private readonly agent?: ProjectAgentContext & { claim: () => Promise<string | undefined> }, private readonly client?: KubeClient) {
    const ns = pod.metadata.namespace ?? 'default';
    this.netns = pod.spec.hostNetwork ? undefined : netnsName(ns, pod.metadata.name!);
    this.hostVeth = hostVethName(ns, pod.metadata.name!);
    this.dir = path.join(stateDir, 'pods', podDirName(pod));
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  /** Per container: its real image, or the stand-in (with the reason when the image was wanted). */
  private async choose(): Promise<Map<string, RuntimeChoice>> {
    const out = new Map<string, RuntimeChoice>();
    const r = this.realPods;
    for (const c of this.pod.spec.containers ?? []) {
      // a project's BGP image runs as kindlab's agent: never pulled, never run
      if (this.agent && projectAgentPlan(this.pod, c, this.agent)) {
        out.set(c.name, { run: 'standin' });
        continue;
      }
      const present = !!r && wantsImage(this.pod, c) && (await r.docker.engine.imagePresent(c.image ?? '').catch(() => false));
      let choice = chooseRuntime(this.pod, c, { engine: !!r, present });
      if (choice.run === 'pull' && r) {
        const fieldPath = `spec.containers{${c.name}}`;
        this.event?.(this.pod, { type: 'Normal', reason: 'Pulling', message: `Pulling image "${c.image}"`, fieldPath });
        try {
          await r.docker.engine.pull(c.image ?? '', 120_000);
          this.event?.(this.pod, { type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${c.image}"`, fieldPath });
          choice = { run: 'image' };
        } catch (e) {
          choice = { run: 'standin', why: `pulling image "${c.image}" failed: ${errorMessage(e)}` };
        }
      }
      out.set(c.name, choice);
    }
    return out;
  }

  /**
   * Sets the pod up: its choices of runtime, then (for real images) volumes, the sandbox created
   * and the containers created while the sandbox starts and the network is set up in it (the
   * engine's slow steps overlap), then every container started.
   */
  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const key = `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
    const choices = await this.choose();
    const real = this.realPods;
    const ctx = real ? real.docker.context(this.dir) : undefined;
    const policy = (this.pod.spec.restartPolicy ?? 'Always') as RestartPolicy;
    const ipv6 = this.netns ? this.net.cidrs.some((c) => c.cidr.includes(':')) : this.net.hostIPs.some((ip) => ip.includes(':'));
    const wantReal = !!real && [...choices.values()].some((c) => c.run === 'image');
    let volumes: VolumePlan[] | Error = [];
    if (wantReal && real) {
      try {
        volumes = planVolumes(this.pod, this.dir);
        await real.docker.prepareVolumes(this.pod, volumes, real.client);
      } catch (e) {
        volumes = e instanceof Error ? e : new Error(String(e));
      }
    }
    const standIns: string[] = [];
    // The addresses first: env may name them (status.podIP). Allocation is idempotent per pod uid.
    const podIPs = this.netns ? this.net.cidrs.map((c) => c.ipam.allocate(key, this.uid)) : [...this.net.hostIPs];
    const envSources = await this.envSources(podIPs);
    for (const spec of this.pod.spec.containers ?? []) {
      const choice = choices.get(spec.name)!;
      const agent = this.agent && projectAgentPlan(this.pod, spec, this.agent);
      // env and $(VAR) in command/args resolved as the kubelet does (env-plan.ts); a missing ConfigMap/Secret key fails the container
      let c = spec;
      let envError: string | undefined;
      if (!agent) {
        try {
          const r = resolvedContainer(spec, envSources);
          c = r.container;
          if (r.skipped.length) this.event?.(this.pod, { type: 'Warning', reason: 'InvalidEnvironmentVariableNames', message: `Keys [${r.skipped.join(', ')}] from the EnvFrom of container ${spec.name} were skipped since they are considered invalid environment variable names.`, fieldPath: `spec.containers{${spec.name}}` });
        } catch (e) {
          if (!(e instanceof EnvError)) throw e;
          envError = e.message;
        }
      }
      const plan: WorkloadPlan = agent ? { kind: 'process', argv: agent.argv, env: {} } : planWorkload(this.pod, c, { podDir: this.dir, resolveBinary, ipv6 });
      const rt: ContainerRt = { spec: c, plan, ready: false, started: false, ...(agent ? { note: agent.message, nodeNetwork: true } : {}), ...(envError ? { failed: { reason: 'CreateContainerConfigError', message: envError } } : {}) };
      if (agent) {
        const took = await this.agent!.claim();
        this.agentNotes.push(agent.message, ...(took ? [took] : []));
      }
      this.containers.push(rt);
      if (choice.run === 'standin' && choice.why) standIns.push(`container ${c.name} runs a stand-in: ${choice.why}`);
      if (choice.run !== 'image' || !real || !ctx || rt.failed) continue;
      try {
        if (volumes instanceof Error) throw volumes;
        const create = containerCreate(this.pod, c, c.image ?? '', volumes, ctx);
        rt.real = new RealContainer({ engine: real.docker.engine, name: c.name, create, logFile: path.join(this.dir, `${c.name}.log`), restartPolicy: policy, log: (l) => this.log({ pod: key, ...l }), onChange: () => this.changed() });
      } catch (e) {
        rt.failed = { reason: 'CreateContainerConfigError', message: errorMessage(e) };
      }
    }
    const reals = this.containers.filter((c) => c.real);
    let created: Promise<boolean[]> = Promise.resolve([]);
    if (this.netns) {
      const ips = podIPs;
      const spec = { netns: this.netns, hostVeth: this.hostVeth, ips, bridge: this.net.bridge, gateways: this.net.cidrs, mtu: this.net.mtu };
      if (reals.length && real && ctx) {
        // The sandbox's netns becomes the pod's: same veth, addresses and routes as a stand-in pod's.
        if (netnsExists(spec.netns) || fs.existsSync(`/sys/class/net/${spec.hostVeth}`)) await teardownPodNetwork(spec);
        this.sandbox = ctx;
        try {
          const id = await real.docker.createSandbox(this.pod, ctx);
          created = Promise.all(reals.map((c) => c.real!.prepare()));
          await real.docker.startSandbox(this.pod, id, this.netns);
          await runAll(podNetworkCommands(spec, { netnsExists: true }));
        } catch (e) {
          await created.catch(() => undefined);
          await teardownPodNetwork(spec);
          await real.docker.removeSandbox(this.pod, ctx).catch(() => undefined);
          throw e;
        }
      } else await setupPodNetwork(spec);
      this.ips = ips;
    } else {
      this.ips = [...this.net.hostIPs];
      created = Promise.all(reals.map((c) => c.real!.prepare()));
    }
    this.ip = this.ips[0];
    this.log({ msg: 'pod network ready', pod: key, netns: this.netns, ip: this.ip, ips: this.ips, veth: this.netns ? this.hostVeth : undefined, sandbox: !!this.sandbox });
    const ok = await created;
    reals.forEach((c, i) => ok[i] && c.real!.begin());
    for (const rt of this.containers) {
      const { plan, spec: c } = rt;
      if (rt.real || rt.failed) continue;
      if (plan.kind === 'unavailable') {
        this.log({ level: 'warn', msg: 'container cannot run', pod: key, container: c.name, reason: plan.reason, image: c.image });
        continue;
      }
      if (plan.kind === 'nginx') {
        fs.mkdirSync(path.join(plan.dir, 'tmp'), { recursive: true });
        fs.writeFileSync(path.join(plan.dir, 'nginx.conf'), plan.config);
      }
      rt.proc = new ContainerProcess({ name: c.name, netns: rt.nodeNetwork ? '' : (this.netns ?? ''), argv: plan.argv, env: plan.env, ...(plan.kind === 'process' && plan.cwd ? { cwd: plan.cwd } : {}), logFile: path.join(this.dir, `${c.name}.log`), pidFile: path.join(this.dir, `${c.name}.pid`), restartPolicy: policy, ...(c.stdin ? { stdin: true, stdinOnce: !!c.stdinOnce, tty: !!c.tty } : {}), log: (l) => this.log({ pod: key, ...l }), onChange: () => this.onChange() });
      rt.proc.start();
    }
    if (standIns.length) {
      this.notice = standIns.join('; ');
      for (const m of standIns) this.event?.(this.pod, { type: 'Warning', reason: 'StandIn', message: m, fieldPath: `spec.containers{${m.split(' ')[1]}}` });
      this.log({ level: 'warn', msg: 'stand-ins instead of images', pod: key, notice: this.notice });
    }
    // a short tick: each probe worker keeps its own period (probe-state.ts)
    this.probeTimer = setInterval(() => void this.probe(), 250);
    void this.probe();
    this.onChange();
  }

  /** What env reads: the ConfigMaps and Secrets the containers name (absent when not found), the pod's and node's facts. */
  private async envSources(podIPs: string[]): Promise<EnvSources> {
    const ns = this.pod.metadata.namespace ?? 'default';
    const configMaps = new Map<string, Record<string, string>>();
    const secrets = new Map<string, Record<string, string>>();
    const client = this.client ?? this.realPods?.client;
    const want = (this.pod.spec.containers ?? []).map(envObjects);
    const fetch = async (kind: 'configMap' | 'secret', name: string, into: Map<string, Record<string, string>>) => {
      if (!client || into.has(name)) return;
      try {
        const data = await objectData(client, kind, ns, name);
        // Secret values are bytes: the variable holds them as UTF-8 text
        into.set(name, kind === 'secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'binary').toString('utf8')])) : data);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    };
    for (const w of want) {
      for (const n of w.configMaps) await fetch('configMap', n, configMaps);
      for (const n of w.secrets) await fetch('secret', n, secrets);
    }
    return { pod: this.pod, nodeName: this.pod.spec.nodeName ?? '', podIPs, hostIPs: this.net.hostIPs, configMaps, secrets, node: { cpu: os.cpus().length, memory: os.totalmem() } };
  }

  private soon: NodeJS.Timeout | undefined;

  /** A real container changed state: report, and probe shortly (a started server is usually ready well before the next 1 s tick). */
  private changed(): void {
    this.onChange();
    clearTimeout(this.soon);
    this.soon = setTimeout(() => void this.probe(), 200);
  }

  /** The Docker container id of a container running its real image (for exec). */
  realContainerId(name: string): string | undefined {
    return this.containers.find((c) => c.spec.name === name)?.real?.id;
  }

  /** Runs the probe workers that are due; a container's first run or a restart gets new workers. */
  private async probe(): Promise<void> {
    if (this.stopped || !this.ip) return;
    let changed = false;
    const now = Date.now();
    const pending: Array<Promise<void>> = [];
    for (const c of this.containers) {
      const st = (c.real ?? c.proc)?.st;
      if (st?.state !== 'running') {
        if (c.ready || c.started) changed = true;
        c.ready = false;
        c.started = false;
        c.probes = undefined;
        c.runKey = undefined;
        continue;
      }
      const key = `${st.restartCount}/${st.startedAt ?? ''}`;
      if (c.runKey !== key) {
        c.runKey = key;
        const readiness = c.real ? c.spec.readinessProbe : c.plan.kind === 'unavailable' ? undefined : c.plan.readiness;
        c.probes = new ContainerProbes({ liveness: c.spec.livenessProbe, readiness, startup: c.spec.startupProbe }, now);
      }
      const probes = c.probes!;
      for (const w of probes.due(now)) pending.push(this.runWorker(c, probes, w, now));
      if (probes.ready !== c.ready || probes.started !== c.started) {
        c.ready = probes.ready;
        c.started = probes.started;
        changed = true;
      }
    }
    if (changed && !this.stopped) this.onChange();
    await Promise.all(pending);
  }

  /** One probe of one worker; a liveness/startup worker that trips kills the container (restartPolicy restarts it). */
  private async runWorker(c: ContainerRt, probes: ContainerProbes, w: ProbeWorker, now: number): Promise<void> {
    w.begin(now);
    const probe = w.kind === 'liveness' ? c.spec.livenessProbe! : w.kind === 'startup' ? c.spec.startupProbe! : c.real ? c.spec.readinessProbe! : (c.plan as { readiness: NonNullable<ContainerRt['spec']['readinessProbe']> }).readiness;
    const real = c.real;
    const engine = this.realPods?.docker.engine;
    const exec: ProbeExec | undefined = real?.id && engine ? (cmd, timeoutMs) => execCollect(engine, real.id!, cmd, timeoutMs) : undefined;
    const r = await runProbe(probe, c.spec, this.ip!, this.netns, w.timing.timeoutMs, exec);
    if (this.stopped || c.probes !== probes) return; // a result for a run that has ended
    const { kill } = w.record(r.ok);
    const fieldPath = `spec.containers{${c.spec.name}}`;
    const Kind = w.kind[0]!.toUpperCase() + w.kind.slice(1);
    // readiness's Unhealthy is derived from the status change (pod-events.ts)
    if (!r.ok && w.kind !== 'readiness') this.event?.(this.pod, { type: 'Warning', reason: 'Unhealthy', message: `${Kind} probe failed: ${r.message}`, fieldPath });
    if (kill) {
      this.event?.(this.pod, { type: 'Normal', reason: 'Killing', message: `Container ${c.spec.name} failed ${w.kind} probe, will be restarted`, fieldPath });
      this.log({ level: 'warn', msg: `${w.kind} probe failed: killing the container`, pod: this.pod.metadata.name, container: c.spec.name, why: r.message });
      const grace = Math.min(probe.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30, 30) * 1000;
      (c.real ?? c.proc)?.kill(grace);
    }
    if (probes.ready !== c.ready || probes.started !== c.started) {
      c.ready = probes.ready;
      c.started = probes.started;
      this.onChange();
    }
  }

  /** The process of a container, for kubectl attach. */
  process(container: string): ContainerProcess | undefined {
    return this.containers.find((c) => c.spec.name === container)?.proc;
  }

  reports(): ContainerReport[] {
    return this.containers.map((c) => {
      const base = { name: c.spec.name, image: c.spec.image ?? '', ready: c.ready, started: c.started, ...(c.note ? { note: c.note } : {}) };
      if (c.failed) return { ...base, unavailable: c.failed };
      if (c.real) return { ...base, run: c.real.st, ...(c.real.id ? { containerID: `docker://${c.real.id}`, imageID: `docker://${c.spec.image ?? ''}` } : {}) };
      return { ...base, ...(c.proc ? { run: c.proc.st } : {}), ...(c.plan.kind === 'unavailable' ? { unavailable: { reason: c.plan.reason, message: c.plan.message } } : {}) };
    });
  }

  /** Stops the workloads; with `network`, also removes netns and veth and releases the IP. */
  async stop(opts: { network: boolean }): Promise<void> {
    this.stopped = true;
    clearInterval(this.probeTimer);
    clearTimeout(this.soon);
    const grace = (this.pod.spec.terminationGracePeriodSeconds ?? 5) * 1000;
    await Promise.all(this.containers.map((c) => c.proc?.stop() ?? c.real?.stop(Math.min(grace, 5000))));
    if (opts.network) {
      if (this.netns) await teardownPodNetwork({ netns: this.netns, hostVeth: this.hostVeth });
      if (this.sandbox && this.realPods) await this.realPods.docker.removeSandbox(this.pod, this.sandbox).catch((e) => this.log({ level: 'warn', msg: 'pod sandbox not removed', pod: this.pod.metadata.name, error: errorMessage(e) }));
      for (const c of this.net.cidrs) c.ipam.release(this.uid);
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** A command run in a real container with its output (an exec probe); killed at the timeout. */
async function execCollect(engine: Engine, id: string, cmd: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  const x = await engine.exec(id, { cmd, tty: false, stdin: false });
  let output = '';
  x.stdout.on('data', (d: Buffer) => (output += d.toString()));
  x.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((r) => (timer = setTimeout(() => r(137), timeoutMs)));
  const code = await Promise.race([x.exited, timedOut]);
  clearTimeout(timer);
  if (code === 137) x.kill();
  return { code, output };
}
