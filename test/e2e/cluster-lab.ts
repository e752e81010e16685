/**
 * A 4-node cluster lab for the cluster e2e tests and bench/cluster.ts: the Cilium article's kind
 * cluster.yaml (node-ips 10.0.1.2 … 10.0.4.2, rack labels) and nettool.yaml, verbatim from
 * labs/cilium-bgp, under a unique lab/cluster name. The nodes share one L2 segment (a bridge
 * node) on net0, each with its node-ip in 10.0.0.0/16 and static routes to the other nodes'
 * pod CIDRs (deterministic: 10.1.<index>.0/24), written as exec lines of k8s-node entries.
 * Also the whole article lab (labs/cilium-bgp/topo.yaml) copied under a unique name.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { REPO, forceDestroy, lab } from './helpers.js';
import { uniqueSubnet } from './plan-helpers.js';

export const NODE_IPS = ['10.0.1.2', '10.0.2.2', '10.0.3.2', '10.0.4.2'];
export const SHORT = ['control-plane', 'worker', 'worker2', 'worker3'];
export const POD_CIDRS = ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24'];

export async function writeClusterLab(name: string, opts: { manifests?: string[] } = {}): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-cluster-'));
  await copyFile(join(REPO, 'labs/cilium-bgp/cluster.yaml'), join(dir, 'cluster.yaml'));
  await copyFile(join(REPO, 'labs/cilium-bgp/nettool.yaml'), join(dir, 'nettool.yaml'));
  const nodes: Record<string, unknown> = { sw: { kind: 'bridge', image: 'kindlab/base:latest' } };
  SHORT.forEach((n, i) => {
    const routes = POD_CIDRS.flatMap((cidr, j) => (j === i ? [] : [`ip route replace ${cidr} via ${NODE_IPS[j]}`]));
    nodes[n] = { kind: 'k8s-node', exec: [`ip addr add ${NODE_IPS[i]}/16 dev net0`, ...routes] };
  });
  const topo = {
    name,
    mgmt: { network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) },
    // the article's cluster.yaml, renamed so that it never clashes with a running article lab
    cluster: { config: 'cluster.yaml', name },
    manifests: opts.manifests ?? ['nettool.yaml'],
    topology: { nodes, links: SHORT.map((n, i) => ({ endpoints: [`sw:p${i}`, `${n}:net0`] })) },
  };
  const file = join(dir, 'topo.yaml');
  await writeFile(file, stringify(topo));
  return { dir, file };
}

/**
 * labs/cilium-bgp/topo.yaml (or `lab`) as a user runs it, with its cluster.yaml and manifests, copied into a
 * new temporary directory (`tmpPrefix`) under lab/cluster name `name` and a unique management
 * subnet. The directory is removed again if copying fails.
 */
export async function copyArticleLab(name: string, tmpPrefix: string, lab = 'labs/cilium-bgp'): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), tmpPrefix));
  try {
    // every file the topology can name (cluster config, manifests); topo.yaml itself is rewritten below
    for (const f of await readdir(join(REPO, lab))) if (f.endsWith('.yaml') && f !== 'topo.yaml') await copyFile(join(REPO, lab, f), join(dir, f));
    const doc = parseDocument(await readFile(join(REPO, lab, 'topo.yaml'), 'utf8'));
    doc.set('name', name);
    doc.set('mgmt', doc.createNode({ network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) }));
    doc.setIn(['cluster', 'name'], name);
    const file = join(dir, 'topo.yaml');
    await writeFile(file, doc.toString());
    return { dir, file };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** One check of `lab verify --format json`. */
export interface VerifyCheck {
  kind: string;
  name: string;
  passed: boolean;
  detail: string;
  derived?: boolean;
  stage?: string;
  evidence: { command: string; output: string };
}

export interface VerifyJsonReport {
  lab: string;
  passed: boolean;
  checks: VerifyCheck[];
}

/** `lab verify -t FILE --format json ARGS…`: its exit code and the parsed report. */
export async function verifyJson(file: string, args: string[] = []): Promise<{ exitCode: number; report: VerifyJsonReport }> {
  const r = await lab(['verify', '-t', file, '--format', 'json', ...args]);
  assert.ok(r.stdout.startsWith('{'), `lab verify printed no JSON: ${r.stderr}`);
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as VerifyJsonReport };
}

/** The check named `n` (the test fails, listing the names there are, when there is none). */
export function checkNamed(checks: VerifyCheck[], n: string): VerifyCheck {
  const c = checks.find((x) => x.name === n);
  assert.ok(c, `no check "${n}" in ${checks.map((x) => x.name).join(' | ')}`);
  return c;
}

/**
 * A copy of an article lab under `name` (copyArticleLab), deployed before this test file's tests and
 * destroyed (with its copy) after them. `file`/`dir` are set once the `before` hook ran.
 */
export function deployedArticleLab(name: string, tmpPrefix: string, labDir = 'labs/cilium-bgp', onDeployed?: (output: string) => void): { file: string; dir: string } {
  const it = { file: '', dir: '' };
  before(async () => {
    Object.assign(it, await copyArticleLab(name, tmpPrefix, labDir));
    const up = await lab(['deploy', '-t', it.file]);
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    onDeployed?.(up.stdout + up.stderr);
  });
  after(async () => {
    await forceDestroy(name);
    if (it.dir) await rm(it.dir, { recursive: true, force: true });
  });
  return it;
}
