/**
 * kind's Cluster config, field by field (issue [K]): each is honoured (a field on the plan the
 * runtime applies) or refused/warned at file:line:col with the reason; kind's kinds of invalid
 * configs (unknown field, bad indentation, bad subnets, bad ports) are rejected where kind rejects them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError } from '../errors.js';
import { parseTopology, planLab } from './index.js';

const FIX = fileURLToPath(new URL('../../test/fixtures/kind-features/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kindlab-kind-features-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const planOf = (config: string) => planLab(parseTopology(`name: kf\ncluster: {config: ${join(FIX, config)}}\n`, { file: join(dir, 'topo.yaml'), dir }));

function issuesOf(config: string): string[] {
  try {
    planOf(config);
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map((i) => `${i.file.slice(FIX.length)}:${i.line}:${i.col} ${i.path}: ${i.message}`);
    throw e;
  }
  return assert.fail('expected a TopologyError');
}

describe('kind Cluster config: every field honoured or warned', () => {
  const plan = planOf('all-features.yaml');
  const c = plan.cluster!;
  const cp = plan.nodes.find((n) => n.name === 'control-plane')!;
  const warned = (re: RegExp) => c.warnings!.filter((w) => re.test(`${w.path}: ${w.message}`)).map((w) => `${w.line}:${w.col}`);
  const table: Array<[string, () => void]> = [
    ['name', () => assert.equal(c.spec.name, 'feat')],
    ['networking.ipFamily dual + ClusterConfiguration podSubnet patch', () => assert.equal(c.spec.podSubnet, '10.20.0.0/16,fd00:20::/56')],
    ['networking.serviceSubnet default for dual', () => assert.equal(c.spec.serviceSubnet, '10.96.0.0/16,fd00:10:96::/112')],
    ['networking.apiServerAddress/Port', () => assert.deepEqual([c.spec.apiServerAddress, c.spec.apiServerPort], ['127.0.0.1', 6443])],
    ['networking.disableDefaultCNI', () => assert.equal(c.spec.disableDefaultCNI, true)],
    ['networking.kubeProxyMode none → proxy off', () => assert.equal(c.spec.proxyMode, 'none')],
    ['networking.dnsSearch', () => assert.deepEqual(c.spec.dnsSearch, ['lab.example'])],
    ['featureGates', () => assert.deepEqual(c.spec.featureGates, { InPlacePodVerticalScaling: true })],
    ['runtimeConfig', () => assert.deepEqual(c.spec.runtimeConfig, { 'api/alpha': 'false' })],
    ['nodes[].image', () => assert.equal(cp.image, 'kindest/node:v1.32.0')],
    ['nodes[].labels + node-labels', () => assert.deepEqual(cp.k8s?.labels, { tier: 'cp', rack: 'rack0' })],
    ['node-ip of two families', () => assert.deepEqual([cp.k8s?.nodeIP, cp.k8s?.nodeIPs], ['10.0.1.2', ['10.0.1.2', 'fd00:1::2']])],
    ['extraPortMappings → published, 127.0.0.1 unless listenAddress', () =>
      assert.deepEqual(cp.ports, [
        { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
        { hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53, protocol: 'udp' },
      ])],
    ['extraMounts → binds (relative to the kind config)', () =>
      assert.deepEqual(cp.binds, [
        { source: join(FIX, 'data'), target: '/data', readOnly: true },
        { source: '/tmp', target: '/host-tmp', readOnly: false },
      ])],
    ['extraMounts propagation warned', () => assert.deepEqual(warned(/extraMounts\[1\]\.propagation: HostToContainer is not applied/), ['53:5'])],
    ['containerdConfigPatches warned', () => assert.deepEqual(warned(/^containerdConfigPatches\[0\]: not applied: kindlab nodes run no containerd/), ['17:3'])],
    ['kubeadmConfigPatches ClusterConfiguration apiServer warned', () => assert.deepEqual(warned(/^kubeadmConfigPatches\[0\]: ClusterConfiguration apiServer is not applied/), ['21:3'])],
    ['kubeadmConfigPatchesJSON6902 warned', () => assert.deepEqual(warned(/^kubeadmConfigPatchesJSON6902\[0\]: not applied/), ['29:3'])],
    ['nodes[].kubeadmConfigPatchesJSON6902 warned', () => assert.deepEqual(warned(/^nodes\[1\]\.kubeadmConfigPatchesJSON6902\[0\]: not applied/), ['63:5'])],
  ];
  for (const [name, check] of table) it(name, check);
  it('gpus and a one-family dual subnet are warned', () => {
    writeFileSync(join(dir, 'gpu.yaml'), 'networking:\n  ipFamily: dual\n  podSubnet: 10.9.0.0/16\nnodes:\n- role: control-plane\n  gpus: all\n');
    const w = planLab(parseTopology('name: kf\ncluster: {config: gpu.yaml}\n', { file: join(dir, 'topo.yaml'), dir })).cluster!.warnings!;
    assert.deepEqual(w.map((x) => `${x.line}:${x.col} ${x.path}: ${x.message}`), [
      '3:3 networking.podSubnet: "10.9.0.0/16" is one family only: with ipFamily dual, pods and Services get IPv4 addresses only (add the IPv6 CIDR after a comma)',
      '6:3 nodes[0].gpus: not applied: kindlab does not pass GPU devices into nodes',
    ]);
  });
  it('every warning has a position in the kind config', () => {
    assert.ok(c.warnings!.length >= 5);
    for (const w of c.warnings!) assert.ok(w.file.endsWith('all-features.yaml') && w.line > 1, JSON.stringify(w));
  });
});

describe('kind Cluster config: invalid examples rejected where kind rejects them', () => {
  it('an unknown node field (strict decoding)', () => {
    assert.deepEqual(issuesOf('invalid-bogus-field.yaml'), ['invalid-bogus-field.yaml:5:3 nodes[0].bogus: unknown field "bogus" (kind decodes strictly; known: role, image, labels, extraMounts, extraPortMappings, gpus, kubeadmConfigPatches, kubeadmConfigPatchesJSON6902)']);
  });
  it('a misspelt networking field', () => {
    const [i] = issuesOf('invalid-top-field.yaml');
    assert.match(i!, /^invalid-top-field\.yaml:5:3 networking\.ipFamly: unknown field "ipFamly"/);
  });
  it('bad indentation: a YAML error at the mapping it breaks', () => {
    const [i] = issuesOf('invalid-indent.yaml');
    // the YAML parser places it at the start of the node's mapping (line 4); kind's yaml.v2 names line 5
    assert.match(i!, /^invalid-indent\.yaml:4:9 \(document\): invalid YAML in the kind config: Nested mappings are not allowed/);
  });
  it('dual-stack subnets: two of one family, three CIDRs (kind\'s rules)', () => {
    assert.deepEqual(issuesOf('invalid-dual-subnet.yaml'), [
      'invalid-dual-subnet.yaml:5:14 networking.podSubnet: "10.244.0.0/16,10.245.0.0/16": expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking',
      'invalid-dual-subnet.yaml:6:18 networking.serviceSubnet: "fd00:10:96::/112,fd00:10:97::/112,10.96.0.0/16": expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking',
    ]);
  });
  it('a subnet of the wrong family, an unknown kubeProxyMode', () => {
    assert.deepEqual(issuesOf('invalid-family.yaml'), [
      'invalid-family.yaml:5:14 networking.podSubnet: "10.244.0.0/16": expected IPv6 CIDR for IPv6 family',
      'invalid-family.yaml:6:18 networking.kubeProxyMode: must be one of iptables, ipvs, nftables, none (got "userspace")',
    ]);
  });
  it('duplicate host port, bad port and protocol, mount without hostPath', () => {
    const got = issuesOf('invalid-port.yaml');
    assert.ok(got.includes('invalid-port.yaml:8:5 nodes[0].extraPortMappings[1]: port mapping with same listen address, port and protocol already configured: 127.0.0.1:8080/TCP'), got.join('\n'));
    assert.ok(got.includes('invalid-port.yaml:10:20 nodes[0].extraPortMappings[2].containerPort: must be a port number 0-65535 (got 99999)'), got.join('\n'));
    assert.ok(got.includes('invalid-port.yaml:11:15 nodes[0].extraPortMappings[2].protocol: must be TCP, UDP or SCTP (got "ICMP")'), got.join('\n'));
    assert.ok(got.some((l) => l.startsWith('invalid-port.yaml:13:5 nodes[0].extraMounts[0].hostPath: is required')), got.join('\n'));
    assert.ok(got.some((l) => l.startsWith('invalid-port.yaml:13:20 nodes[0].extraMounts[0].containerPath: is required')), got.join('\n'));
    assert.ok(got.includes('invalid-port.yaml:18:5 nodes[1].extraPortMappings[1]: port mapping with same listen address, port and protocol already configured: 0.0.0.0:9090/TCP'), got.join('\n'));
  });
  it('node-ip of two families on an ipv4 cluster', () => {
    writeFileSync(join(dir, 'two.yaml'), 'nodes:\n- role: control-plane\n  kubeadmConfigPatches:\n  - |\n    kind: InitConfiguration\n    nodeRegistration: {kubeletExtraArgs: {node-ip: "10.0.0.2,fd00::2"}}\n');
    assert.throws(() => planLab(parseTopology(`name: kf\ncluster: {config: two.yaml}\n`, { file: join(dir, 'topo.yaml'), dir })), /two\.yaml:4:3 nodes\[0\]\.kubeadmConfigPatches: node-ip: "10\.0\.0\.2,fd00::2" has two families but networking\.ipFamily is ipv4/);
  });
});
