/**
 * Works out a node's Docker container options from the plan, before anything is created
 * (like kind's planCreation). Pure: no Docker calls, unit-tested.
 */
import type Docker from 'dockerode';
import type { Healthcheck, LabPlan, NodePlan } from '../topology/index.js';
import { isShellCommand } from './argv.js';
import { LABEL_KIND, LABEL_NODE, labLabels } from './labels.js';
import { renderedFilePath } from './labdir.js';

export const BASE_CAPS = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'];
export const BASE_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.default.disable_ipv6': '0',
  'net.ipv6.conf.all.forwarding': '1',
};

/** Docker's NetworkMode string for a node. */
export function dockerNetworkMode(plan: LabPlan, node: NodePlan): string {
  const m = node.networkMode;
  switch (m.type) {
    case 'host':
      return 'host';
    case 'none':
      return 'none';
    case 'container': {
      const target = m.node ? plan.nodes.find((n) => n.name === m.node)?.containerName ?? m.node : m.container;
      return `container:${target}`;
    }
    default:
      return plan.mgmt.network;
  }
}

/** /etc/hosts entries for lab nodes with a known management address. */
function extraHosts(plan: LabPlan): string[] {
  return plan.nodes.filter((n) => n.networkMode.type === 'bridge' && n.mgmtIPv4).map((n) => `${n.name}:${n.mgmtIPv4!.split('/')[0]}`);
}

export function containerOptions(plan: LabPlan, node: NodePlan, image: string): Docker.ContainerCreateOptions {
  const mode = node.networkMode.type;
  const ownNetns = mode === 'bridge' || mode === 'none';
  const sysctls = { ...BASE_SYSCTLS, ...node.sysctls };
  if (!ownNetns) for (const k of Object.keys(sysctls)) if (k.startsWith('net.')) delete sysctls[k];
  // containerlab gives every container a TTY and open stdin, so a cmd such as `sh -c "x & sh"` keeps
  // running; we do the same for any node with a cmd of its own (an image's own command needs neither)
  const tty = isShellCommand(node.cmd) || (node.cmd !== undefined && node.cmd.length > 0);
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of node.ports) (ports[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });

  const opts: Docker.ContainerCreateOptions = {
    name: node.containerName,
    Image: image,
    Hostname: mode === 'bridge' || mode === 'none' ? node.name : undefined,
    Env: Object.entries(node.env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      ...node.labels,
      ...labLabels(plan.name, plan.labDir, plan.file),
      [LABEL_NODE]: node.name,
      [LABEL_KIND]: node.kind,
    },
    Tty: tty,
    OpenStdin: tty,
    ExposedPorts: Object.fromEntries(Object.keys(ports).map((k) => [k, {}])),
    HostConfig: {
      NetworkMode: dockerNetworkMode(plan, node),
      CapAdd: [...new Set([...BASE_CAPS, ...node.capAdd])],
      Sysctls: sysctls,
      Binds: [...node.binds.map((b) => `${b.source}:${b.target}${b.readOnly ? ':ro' : ''}`), ...(node.files ?? []).map((f) => `${renderedFilePath(plan, node, f.path)}:${f.path}:ro`)],
      PortBindings: ports,
      ExtraHosts: mode === 'bridge' ? extraHosts(plan) : undefined,
      Init: false,
      ...resources(node),
      ...(node.cgroupParent ? { CgroupParent: node.cgroupParent } : {}),
      ...(node.dns ? { Dns: node.dns.servers, DnsSearch: node.dns.search, DnsOptions: node.dns.options } : {}),
    },
  };
  if (node.healthcheck) opts.Healthcheck = healthcheck(node.healthcheck);
  if (node.cmd) opts.Cmd = node.cmd;
  if (node.entrypoint) opts.Entrypoint = node.entrypoint;
  if (node.user) opts.User = node.user;
  if (node.workdir) opts.WorkingDir = node.workdir;
  if (mode === 'bridge') {
    const ep: Docker.EndpointSettings = { Aliases: [...new Set([node.name, ...(node.aliases ?? [])])] };
    if (node.mgmtIPv4 || node.mgmtIPv6) {
      ep.IPAMConfig = {};
      if (node.mgmtIPv4) ep.IPAMConfig.IPv4Address = node.mgmtIPv4.split('/')[0];
      if (node.mgmtIPv6) ep.IPAMConfig.IPv6Address = node.mgmtIPv6.split('/')[0];
    }
    opts.NetworkingConfig = { EndpointsConfig: { [plan.mgmt.network]: ep } };
  }
  return opts;
}

const NS_PER_S = 1_000_000_000;

/** containerlab's mapping: durations in whole seconds → Docker's nanoseconds; 0/absent = Docker's default. */
function healthcheck(h: Healthcheck): Docker.HealthConfig {
  return {
    ...(h.test.length > 0 ? { Test: h.test } : {}),
    ...(h.intervalS ? { Interval: h.intervalS * NS_PER_S } : {}),
    ...(h.timeoutS ? { Timeout: h.timeoutS * NS_PER_S } : {}),
    ...(h.startPeriodS ? { StartPeriod: h.startPeriodS * NS_PER_S } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}

/** Limits as containerlab sets them: memory and shm in bytes, cpu as a CFS quota over a 100 ms period. */
function resources(node: NodePlan): Partial<Docker.HostConfig> {
  const r = node.resources ?? {};
  const out: Partial<Docker.HostConfig> = {};
  if (r.memoryBytes) out.Memory = r.memoryBytes;
  if (r.cpus) {
    out.CpuPeriod = 100_000;
    out.CpuQuota = Math.round(r.cpus * 100_000);
  }
  if (r.cpuSet) out.CpusetCpus = r.cpuSet;
  if (r.shmBytes) out.ShmSize = r.shmBytes;
  return out;
}

/** Docker network options for the lab's management network. Internal unless `mgmt.external`. Pure. */
export function mgmtNetworkOptions(plan: LabPlan): Docker.NetworkCreateOptions {
  const m = plan.mgmt;
  const config: Array<{ Subnet: string; Gateway?: string; IPRange?: string }> = [{ Subnet: m.ipv4Subnet, ...(m.ipv4Gateway ? { Gateway: m.ipv4Gateway } : {}), ...(m.ipv4Range ? { IPRange: m.ipv4Range } : {}) }];
  if (m.ipv6Subnet) config.push({ Subnet: m.ipv6Subnet, ...(m.ipv6Gateway ? { Gateway: m.ipv6Gateway } : {}) });
  const options: Record<string, string> = {};
  if (m.bridge) options['com.docker.network.bridge.name'] = m.bridge;
  if (m.mtu) options['com.docker.network.driver.mtu'] = String(m.mtu);
  return {
    Name: m.network,
    Driver: 'bridge',
    CheckDuplicate: true,
    Internal: !m.external,
    EnableIPv6: !!m.ipv6Subnet,
    IPAM: { Driver: 'default', Config: config },
    Options: options,
    Labels: labLabels(plan.name, plan.labDir, plan.file),
  };
}
