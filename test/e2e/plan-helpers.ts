/**
 * Builds LabPlan objects directly (no topology file) for runtime e2e tests, and cleans up
 * after them. Plans use unique lab names and management subnets so tests never collide.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabPlan, LinkEndpoint, NodePlan, VethLinkSpec } from '../../src/topology/types.js';

export function uniqueLabName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
}

/** A /24 in 172.31.x.0 derived from the lab name, so concurrent labs rarely overlap. */
export function uniqueSubnet(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `172.31.${h % 250}.0/24`;
}

/**
 * A topology file in a new temp directory: `name:` and a management network of its own (uniqueSubnet), then
 * `lines`. Returns the directory (remove it after the test) and the file.
 */
export async function writeLabFile(name: string, lines: string[], fileName = 'topo.yaml'): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), `kindlab-${name}-`));
  const file = join(dir, fileName);
  await writeFile(file, [`name: ${name}`, `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }`, ...lines].join('\n') + '\n');
  return { dir, file };
}

export function node(name: string, over: Partial<NodePlan> = {}): NodePlan {
  return {
    name,
    kind: 'linux',
    image: 'kindlab/base:latest',
    exec: [],
    binds: [],
    env: {},
    labels: {},
    networkMode: { type: 'bridge' },
    ports: [],
    sysctls: {},
    capAdd: [],
    waitFor: [],
    extra: {},
    pos: { file: 'test', line: 1, col: 1 },
    containerName: '',
    dependsOn: [],
    netnsOwner: name,
    ...over,
  };
}

export function ep(spec: string, ipv4: string[] = []): LinkEndpoint {
  const [n, iface] = spec.split(':');
  return { node: n!, iface: iface!, ipv4, ipv6: [] };
}

export function veth(a: LinkEndpoint, z: LinkEndpoint, mtu = 9500): VethLinkSpec {
  return { type: 'veth', endpoints: [a, z], mtu, pos: { file: 'test', line: 1, col: 1 } };
}

export async function plan(name: string, nodes: NodePlan[], links: VethLinkSpec[]): Promise<LabPlan> {
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-e2e-'));
  for (const n of nodes) if (!n.containerName) n.containerName = `clab-${name}-${n.name}`;
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < nodes.length) {
    const wave = nodes.filter((n) => !placed.has(n.name) && n.dependsOn.every((d) => placed.has(d))).map((n) => n.name);
    if (wave.length === 0) throw new Error('cycle');
    wave.forEach((w) => placed.add(w));
    waves.push(wave);
  }
  return {
    name,
    prefix: 'clab',
    file: join(dir, 'topo.yaml'),
    dir,
    labDir: join(dir, `lab-${name}`),
    mgmt: { network: `kindlab-${name}`, ipv4Subnet: uniqueSubnet(name), external: false },
    nodes,
    links,
    waves,
    sections: {},
  };
}
