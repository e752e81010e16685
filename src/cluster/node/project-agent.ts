/**
 * The projects' own BGP DaemonSets run kindlab's agent: which container images are a project's
 * BGP daemon (kube-router, Kube-OVN's kube-ovn-speaker, Calico's calico-node, Cilium's agent),
 * the agent dialect each maps to, and the `lab-agent k8s` command line built from the
 * container's command/args (its flags), in place of the image. The one owner of that mapping. Pure.
 */
import path from 'node:path';
import type { Container, Pod } from '../client/types.js';

export type ProjectDialect = 'kube-router' | 'kube-ovn' | 'calico' | 'cilium';

/**
 * The marker file (in the node's state directory) that keeps kindlab's own supervised agent (`cluster.bgp`,
 * hosted by the node daemon, agent-host.ts) running; the node daemon removes it when a DaemonSet's agent takes the node over.
 */
export const SUPERVISED_AGENT_MARKER = 'agent.enabled';
/** The supervised agent's `k8s` flags (a JSON array), written by the deploy; the node daemon runs it with them (agent-host.ts). */
export const SUPERVISED_AGENT_ARGS = 'agent.args';
/** The node daemon's control socket for the agent it hosts (agent-host.ts). */
export const AGENT_CONTROL_SOCKET = '/run/kindlab/agent-host.sock';
/** How the supervised agent shows in a process list (`node /opt/kindlab/dist/agent/cli.js k8s …`). */
export const SUPERVISED_AGENT_SCRIPT = 'dist/agent/cli.js';

/** Repository path without registry, tag or digest: `quay.io/calico/node:v3.27.0` → `calico/node`. */
export function imageRepository(image: string): string {
  let s = image.trim().toLowerCase().split('@')[0]!;
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  const parts = s.split('/');
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) parts.shift();
  if (parts[0] === 'library') parts.shift();
  return parts.join('/');
}

const base = (s: string | undefined) => (s ? path.posix.basename(s) : '');

/**
 * Is this container a project's BGP daemon, and in which dialect. kube-router and calico-node are
 * recognised by their image; Kube-OVN's image runs many daemons, so only the one whose command is
 * kube-ovn-speaker; Cilium's image also runs init steps, so a container with a command other than
 * cilium-agent is not the agent.
 */
export function projectDialectOf(c: Pick<Container, 'image' | 'command' | 'args'>): ProjectDialect | undefined {
  const repo = imageRepository(c.image ?? '');
  const cmd = c.command ?? [];
  switch (repo) {
    case 'cloudnativelabs/kube-router':
      return 'kube-router';
    case 'kubeovn/kube-ovn':
      return [...cmd, ...(c.args ?? []).slice(0, 1)].some((a) => base(a) === 'kube-ovn-speaker') ? 'kube-ovn' : undefined;
    case 'calico/node':
      return 'calico';
    case 'cilium/cilium':
      return !cmd.length || base(cmd[0]) === 'cilium-agent' ? 'cilium' : undefined;
    default:
      return undefined;
  }
}

/** Flags that name the API server or the node: the agent gets its own (--kubeconfig, --node). */
const DROPPED = new Set(['kubeconfig', 'master', 'hostname-override']);

/** `$(VAR)` in args from the container's env as kubelet expands them (`$$(` stays literal); unknown ones are kept. */
export function expandArgs(args: string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\$\(|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => (name === undefined ? '$(' : (env[name] ?? m))));
}

/** The container's env with literal values and the downward-API fields a daemon uses. */
export function containerEnv(pod: Pod, c: Container): Record<string, string> {
  const out: Record<string, string> = {};
  const fields: Record<string, string | undefined> = { 'spec.nodeName': pod.spec.nodeName, 'metadata.name': pod.metadata.name, 'metadata.namespace': pod.metadata.namespace ?? 'default', 'spec.serviceAccountName': pod.spec.serviceAccountName as string | undefined };
  for (const e of (c.env ?? []) as Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }>) {
    if (e.value !== undefined) out[e.name] = e.value;
    else {
      const v = fields[e.valueFrom?.fieldRef?.fieldPath ?? ''];
      if (v !== undefined) out[e.name] = v;
    }
  }
  return out;
}

/**
 * The dialect's flags from the container: kube-router's and kube-ovn-speaker's flags are the container's
 * args (and a command's own arguments after the binary), `$(VAR)` expanded, minus those naming the API
 * server or the node. calico-node and cilium-agent take their BGP settings from objects, so they pass none.
 */
export function dialectFlags(dialect: ProjectDialect, pod: Pod, c: Container): { flags: string[]; dropped: string[] } {
  if (dialect === 'calico' || dialect === 'cilium') return { flags: [], dropped: [] };
  const cmd = c.command ?? [];
  const words = expandArgs([...cmd.slice(1), ...(c.args ?? [])], containerEnv(pod, c));
  const flags: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-')) {
      // kube-ovn's chart passes the binary as args[0]; positional words are not flags.
      if (flags.length === 0 && base(w) === 'kube-ovn-speaker') continue;
      flags.push(w);
      continue;
    }
    const name = w.replace(/^--?/, '').split('=')[0]!;
    if (DROPPED.has(name)) {
      dropped.push(w);
      if (!w.includes('=') && i + 1 < words.length && !words[i + 1]!.startsWith('-')) dropped.push(words[++i]!);
      continue;
    }
    flags.push(w);
  }
  return { flags, dropped };
}

export interface ProjectAgentContext {
  nodeName: string;
  /** The node's kubeconfig (the agent talks to the API server as the node daemon does). */
  kubeconfig: string;
  /** `node` and the agent's entry point (bin/lab-agent.js). */
  nodeBinary: string;
  agentMain: string;
}

export interface ProjectAgentPlan {
  dialect: ProjectDialect;
  argv: string[];
  flags: string[];
  /** What the pod's status message and its Event say. */
  message: string;
}

/** The agent that runs instead of this container's image, or undefined when the image is no project's BGP daemon. */
export function projectAgentPlan(pod: Pod, c: Container, ctx: ProjectAgentContext): ProjectAgentPlan | undefined {
  const dialect = projectDialectOf(c);
  if (!dialect) return undefined;
  const { flags, dropped } = dialectFlags(dialect, pod, c);
  const argv = [ctx.nodeBinary, ctx.agentMain, 'k8s', '--node', ctx.nodeName, '--kubeconfig', ctx.kubeconfig, '--dialect', dialect, ...flags];
  const how = flags.length ? `with the container's flags (${flags.join(' ')})` : `(${dialect === 'calico' ? 'calico-node' : 'cilium-agent'} takes its BGP settings from the cluster's objects)`;
  const parts = [
    `container ${c.name}: image "${c.image}" is not run; kindlab's BGP agent runs in its ${dialect} dialect on the node's network instead, ${how}`,
    ...(dropped.length ? [`ignored: ${dropped.join(' ')} (the agent uses the node's kubeconfig)`] : []),
    ...(pod.spec.hostNetwork ? [] : ['the pod is not hostNetwork but the agent runs in the node\'s network namespace, as the project\'s daemon needs']),
  ];
  return { dialect, argv, flags, message: parts.join('; ') };
}
