/**
 * The lab directory `lab-<name>/`: topology-data.json (containerlab's shape, so tools that read
 * containerlab labs read ours), ansible-inventory.yml grouped by kind, and state.json (what
 * destroy and inspect need without the topology file). Builders are pure; `writeLabDir` writes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readJsonFile, writeJsonAtomic } from '../lib/index.js';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { nodeDirName, nodeKindFacts, type LabPlan, type LinkEndpoint, type LinkSpec, type NodePlan } from '../topology/index.js';
import { fileHashes } from './manifest-hash.js';
import type { ImageSubstitute } from './image-plan.js';
import { endpointMacOf } from './links.js';
import { endpointMac } from './mac.js';
import { hostIfaces } from './special-links.js';
import { appliedPlan, type AppliedPlan } from './plan-diff.js';

/** What deploy learnt about a node's container (resolved image, management address). */
export interface NodeRuntimeInfo {
  image: string;
  /** Set when the node runs a local substitute for the image the topology names. */
  imageSubstitute?: ImageSubstitute;
  mgmtIPv4?: string;
  mgmtIPv4PrefixLength?: number;
}

export interface LabState {
  lab: string;
  file: string;
  labDir: string;
  network: string;
  /** The management subnet the lab was deployed on (a lab without one in its topology may have been moved to a free one). */
  mgmtSubnet?: string;
  deployedAt: string;
  nodes: Array<{ name: string; container: string; kind: string; image: string; imageSubstitute?: ImageSubstitute; managed: boolean; netnsOwner: string; mgmtIPv4?: string }>;
  /** Containers we did not create whose netns holds our link ends (cleaned by destroy). */
  externalNetns: string[];
}

export function nodeDir(plan: LabPlan, node: NodePlan | string): string {
  return join(plan.labDir, typeof node === 'string' ? node : nodeDirName(node));
}

/** Host path of a file rendered for a node (`/etc/frr/frr.conf` → `<labDir>/<node>/rendered/etc/frr/frr.conf`). */
export function renderedFilePath(plan: LabPlan, node: NodePlan, path: string): string {
  return join(nodeDir(plan, node), 'rendered', ...path.split('/').filter((p) => p && p !== '..'));
}

/** Where the exec lines a rendered node was given are kept (`lab deploy --reconfigure` diffs against them). */
export function renderedExecPath(plan: LabPlan, node: NodePlan): string {
  return join(nodeDir(plan, node), 'rendered-exec.json');
}

/**
 * Writes a node's rendered files where its container binds them, and its exec lines beside them.
 * In place (same inode): a container binds each file by itself and sees a rewrite only so.
 */
export async function writeRenderedFiles(plan: LabPlan, node: NodePlan): Promise<void> {
  for (const f of node.files ?? []) {
    const host = renderedFilePath(plan, node, f.path);
    await mkdir(dirname(host), { recursive: true });
    await writeFile(host, f.content);
  }
  if (node.files?.length) await writeFile(renderedExecPath(plan, node), JSON.stringify(node.exec, null, 1) + '\n');
}

export function topologyData(plan: LabPlan, info: Map<string, NodeRuntimeInfo>): object {
  const nodes: Record<string, object> = {};
  plan.nodes.forEach((n, index) => {
    const i = info.get(n.name);
    nodes[n.name] = {
      index: String(index),
      shortname: n.name,
      longname: n.containerName,
      fqdn: `${n.name}.${plan.name}.io`,
      group: n.group ?? '',
      labdir: nodeDir(plan, n),
      kind: n.kind,
      image: n.image,
      'mgmt-net': n.networkMode.type === 'bridge' ? plan.mgmt.network : '',
      'mgmt-intf': '',
      'mgmt-ipv4-address': i?.mgmtIPv4 ?? '',
      'mgmt-ipv4-prefix-length': i?.mgmtIPv4PrefixLength ?? 0,
      'mgmt-ipv6-address': '',
      'mgmt-ipv6-prefix-length': 0,
      labels: { ...n.labels, 'kindlab.lab': plan.name, 'kindlab.node': n.name, 'kindlab.kind': n.kind },
    };
  });
  const links = plan.links.map((l) => topologyDataLink(plan.name, l));
  return {
    name: plan.name,
    type: 'clab',
    clab: {
      config: {
        prefix: plan.prefix,
        mgmt: {
          network: plan.mgmt.network,
          bridge: plan.mgmt.bridge ?? '',
          'ipv4-subnet': plan.mgmt.ipv4Subnet,
          'ipv4-gw': plan.mgmt.ipv4Gateway ?? '',
          'ipv6-subnet': plan.mgmt.ipv6Subnet ?? '',
          'ipv6-gw': plan.mgmt.ipv6Gateway ?? '',
          mtu: plan.mgmt.mtu ?? 1500,
          'external-access': plan.mgmt.external,
        },
      },
    },
    nodes,
    links,
  };
}

export function ansibleInventory(plan: LabPlan, info: Map<string, NodeRuntimeInfo>): string {
  const children: Record<string, { hosts: Record<string, { ansible_host?: string }> }> = {};
  for (const n of plan.nodes) {
    const group = (children[n.kind] ??= { hosts: {} });
    const ip = info.get(n.name)?.mgmtIPv4;
    group.hosts[n.containerName] = ip ? { ansible_host: ip } : {};
  }
  return stringify({ all: { children } });
}

export function labState(plan: LabPlan, info: Map<string, NodeRuntimeInfo>, managed: (n: NodePlan) => boolean): LabState {
  const external = new Set<string>();
  for (const l of plan.links) {
    for (const ep of l.endpoints) {
      const owner = plan.nodes.find((n) => n.name === plan.nodes.find((x) => x.name === ep.node)?.netnsOwner);
      if (owner && !managed(owner) && nodeKindFacts(owner.kind)?.start !== 'host') external.add(owner.containerName);
      const n = plan.nodes.find((x) => x.name === ep.node);
      if (n?.networkMode.type === 'container' && n.networkMode.container) external.add(n.networkMode.container);
    }
  }
  return {
    lab: plan.name,
    file: plan.file,
    labDir: plan.labDir,
    network: plan.mgmt.network,
    mgmtSubnet: plan.mgmt.ipv4Subnet,
    deployedAt: new Date().toISOString(),
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      container: n.containerName,
      kind: n.kind,
      image: info.get(n.name)?.image ?? n.image,
      ...(info.get(n.name)?.imageSubstitute ? { imageSubstitute: info.get(n.name)!.imageSubstitute } : {}),
      managed: managed(n),
      netnsOwner: n.netnsOwner,
      mgmtIPv4: info.get(n.name)?.mgmtIPv4,
    })),
    externalNetns: [...external],
  };
}

export async function writeLabDir(plan: LabPlan, info: Map<string, NodeRuntimeInfo>, managed: (n: NodePlan) => boolean): Promise<void> {
  await mkdir(plan.labDir, { recursive: true });
  await writeFile(join(plan.labDir, 'topology-data.json'), JSON.stringify(topologyData(plan, info), null, 2) + '\n');
  await writeFile(join(plan.labDir, 'ansible-inventory.yml'), ansibleInventory(plan, info));
  await writeFile(join(plan.labDir, 'state.json'), JSON.stringify(labState(plan, info, managed), null, 2) + '\n');
  await writeAppliedPlan(plan.labDir, appliedPlan(plan, await fileHashes(plan)));
}

/** What `lab apply` compares the edited topology with: the plan the running lab was made from. */
export const APPLIED_PLAN_FILE = 'applied-plan.json';

export function readAppliedPlan(labDir: string): Promise<AppliedPlan | undefined> {
  return readJsonFile<AppliedPlan>(join(labDir, APPLIED_PLAN_FILE));
}

async function writeAppliedPlan(labDir: string, applied: AppliedPlan): Promise<void> {
  await writeJsonAtomic(join(labDir, APPLIED_PLAN_FILE), applied, { compact: true });
}

export function readLabState(labDir: string): Promise<LabState | undefined> {
  return readJsonFile<LabState>(join(labDir, 'state.json'));
}

type DataEnd = { node: string; interface: string; mac?: string; vars?: Record<string, unknown>; peer: string } & Record<string, unknown>;

/**
 * One link in topology-data.json: `a` is a node end, `z` the other end — a node, or for
 * host/mgmt-net/macvlan/vxlan links the host side (containerlab's `host`/`mgmt-net` pseudo
 * nodes); a dummy has `a` only (peer "dummy"). Link and endpoint `vars`/`labels` are kept.
 */
export function topologyDataLink(lab: string, l: LinkSpec): Record<string, unknown> {
  const end = (ep: LinkEndpoint, peer: string): DataEnd => ({ node: ep.node, interface: ep.iface, mac: endpointMacOf(lab, ep), ...(ep.vars ? { vars: ep.vars } : {}), peer });
  const a = end(l.endpoints[0], l.type === 'dummy' ? 'dummy' : 'z');
  let z: DataEnd | undefined;
  switch (l.type) {
    case 'veth':
      z = end(l.endpoints[1], 'a');
      break;
    case 'host':
    case 'mgmt-net':
      z = { node: l.type, interface: l.host.iface, mac: l.host.mac ?? endpointMac(lab, l.type, l.host.iface), peer: 'a' };
      break;
    case 'macvlan':
      z = { node: 'host', interface: l.parent, mode: l.mode, peer: 'a' };
      break;
    case 'vxlan':
    case 'vxlan-stitch':
      z = { node: 'host', interface: hostIfaces(l)[0] ?? 'vxlan', remote: l.remote, vni: l.vni, 'dst-port': l.dstPort, peer: 'a' };
      break;
    default:
      break;
  }
  return { a, ...(z ? { z } : {}), ...(l.vars ? { vars: l.vars } : {}), ...(l.labels ? { labels: l.labels } : {}) };
}
