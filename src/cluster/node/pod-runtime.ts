import fs from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from '../client/types.js';
import { ContainerProcess, type RestartPolicy } from './container-process.js';
import type { HostLocalIpam } from './ipam.js';
import { setupPodNetwork, teardownPodNetwork } from './podnet.js';
import { hostVethName, netnsName } from './podnet-plan.js';
import type { ContainerReport } from './pod-status.js';
import { runProbe } from './probes.js';
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
  proc?: ContainerProcess;
  ready: boolean;
}

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
  readonly startTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  private containers: ContainerRt[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** Project agents started (their messages), for the pod's Events. */
  readonly agentNotes: string[] = [];

  constructor(public pod: Pod, private readonly net: NodeNet, stateDir: string, private readonly log: Logger, private readonly onChange: () => void, private readonly agent?: ProjectAgentContext & { claim: () => Promise<string | undefined> }) {
    const ns = pod.metadata.namespace ?? 'default';
    this.netns = pod.spec.hostNetwork ? undefined : netnsName(ns, pod.metadata.name!);
    this.hostVeth = hostVethName(ns, pod.metadata.name!);
    this.dir = path.join(stateDir, 'pods', podDirName(pod));
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const key = `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
    if (this.netns) {
      const ips = this.net.cidrs.map((c) => c.ipam.allocate(key, this.uid));
      await setupPodNetwork({ netns: this.netns, hostVeth: this.hostVeth, ips, bridge: this.net.bridge, gateways: this.net.cidrs, mtu: this.net.mtu });
      this.ips = ips;
    } else this.ips = [...this.net.hostIPs];
    this.ip = this.ips[0];
    this.log({ msg: 'pod network ready', pod: key, netns: this.netns, ip: this.ip, ips: this.ips, veth: this.netns ? this.hostVeth : undefined });
    const policy = (this.pod.spec.restartPolicy ?? 'Always') as RestartPolicy;
    for (const c of this.pod.spec.containers ?? []) {
      const agent = this.agent && projectAgentPlan(this.pod, c, this.agent);
      const plan: WorkloadPlan = agent ? { kind: 'process', argv: agent.argv, env: {} } : planWorkload(this.pod, c, { podDir: this.dir, resolveBinary, ipv6: this.ips.some((ip) => ip.includes(':')) });
      const rt: ContainerRt = { spec: c, plan, ready: false, ...(agent ? { note: agent.message } : {}) };
      if (agent) {
        const took = await this.agent!.claim();
        this.agentNotes.push(agent.message, ...(took ? [took] : []));
      }
      this.containers.push(rt);
      if (plan.kind === 'unavailable') {
        this.log({ level: 'warn', msg: 'container cannot run', pod: key, container: c.name, reason: plan.reason, image: c.image });
        continue;
      }
      if (plan.kind === 'nginx') {
        fs.mkdirSync(path.join(plan.dir, 'tmp'), { recursive: true });
        fs.writeFileSync(path.join(plan.dir, 'nginx.conf'), plan.config);
      }
      rt.proc = new ContainerProcess({ name: c.name, netns: agent ? '' : (this.netns ?? ''), argv: plan.argv, env: plan.env, ...(plan.kind === 'process' && plan.cwd ? { cwd: plan.cwd } : {}), logFile: path.join(this.dir, `${c.name}.log`), pidFile: path.join(this.dir, `${c.name}.pid`), restartPolicy: policy, ...(c.stdin ? { stdin: true, stdinOnce: !!c.stdinOnce, tty: !!c.tty } : {}), log: (l) => this.log({ pod: key, ...l }), onChange: () => this.onChange() });
      rt.proc.start();
    }
    this.probeTimer = setInterval(() => void this.probe(), 1000);
    void this.probe();
    this.onChange();
  }

  private async probe(): Promise<void> {
    if (this.stopped || !this.ip) return;
    let changed = false;
    for (const c of this.containers) {
      const running = c.proc?.st.state === 'running';
      const probe = c.plan.kind === 'unavailable' ? undefined : c.plan.readiness;
      const ready = running && (!probe || (await runProbe(probe, c.spec, this.ip, this.netns)));
      if (ready !== c.ready) {
        c.ready = ready;
        changed = true;
      }
    }
    if (changed && !this.stopped) this.onChange();
  }

  /** The process of a container, for kubectl attach. */
  process(container: string): ContainerProcess | undefined {
    return this.containers.find((c) => c.spec.name === container)?.proc;
  }

  reports(): ContainerReport[] {
    return this.containers.map((c) => ({ name: c.spec.name, image: c.spec.image ?? '', ready: c.ready, ...(c.proc ? { run: c.proc.st } : {}), ...(c.plan.kind === 'unavailable' ? { unavailable: { reason: c.plan.reason, message: c.plan.message } } : {}), ...(c.note ? { note: c.note } : {}) }));
  }

  /** Stops the workloads; with `network`, also removes netns and veth and releases the IP. */
  async stop(opts: { network: boolean }): Promise<void> {
    this.stopped = true;
    clearInterval(this.probeTimer);
    await Promise.all(this.containers.map((c) => c.proc?.stop()));
    if (opts.network) {
      if (this.netns) await teardownPodNetwork({ netns: this.netns, hostVeth: this.hostVeth });
      for (const c of this.net.cidrs) c.ipam.release(this.uid);
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
