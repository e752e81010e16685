/**
 * kube-router, case by case: inputs (flags, node annotations) → the peers and advertisements kube-router
 * produces, written from its network_routes_controller / bgp peer config code, tests and docs. Plus a property
 * test: hostile flags throw only KindlabError, hostile annotations never throw and never give a NaN/empty peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { KubeObject } from '../../cluster/client/types.js';
import { KindlabError } from '../../errors.js';
import { computeKubeRouter, parseKubeRouterFlags } from './kube-router.js';
import { viewFromObjects } from './view.js';
import type { AgentIntent } from './types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const node = (name: string, ip: string, annotations: Record<string, string> = {}, podCIDR = '10.244.0.0/24'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, annotations }, spec: { podCIDR }, status: { addresses: [{ type: 'InternalIP', address: ip }] } }) as unknown as KubeObject;
const peersOf = (i: AgentIntent) => i.peers.filter((p) => !p.source.includes('mesh')).map((p) => ({ ip: p.address, asn: p.asn, port: p.port, pw: p.password, local: p.localAddress }));

interface Case {
  name: string;
  flags: string[];
  ann?: Record<string, string>;
  peers?: Array<{ ip: string; asn: number; port: number; pw?: string; local?: string }>;
  localAsn?: number;
  communities?: string[];
  problem?: RegExp;
  refused?: RegExp;
}

const CASES: Case[] = [
  { name: 'global peer from flags, default port 179', flags: ['--cluster-asn=64512', '--peer-router-ips=192.168.0.100', '--peer-router-asns=64513'], peers: [{ ip: '192.168.0.100', asn: 64513, port: 179, pw: undefined, local: undefined }], localAsn: 64512 },
  { name: 'flag ports and passwords are positional; a blank password item keeps its place', flags: ['--peer-router-ips=10.0.0.1,10.0.0.2', '--peer-router-asns=65001,65002', '--peer-router-ports=1790,179', `--peer-router-passwords=,${b64('second')}`], peers: [{ ip: '10.0.0.1', asn: 65001, port: 1790, pw: undefined, local: undefined }, { ip: '10.0.0.2', asn: 65002, port: 179, pw: 'second', local: undefined }] },
  { name: 'peer.passwords annotation with a leading empty entry: the password stays on the second peer', flags: [], ann: { 'kube-router.io/peer.ips': '10.1.0.1,10.1.0.2', 'kube-router.io/peer.asns': '65010,65011', 'kube-router.io/peer.passwords': `,${b64('pw2')}` }, peers: [{ ip: '10.1.0.1', asn: 65010, port: 179, pw: undefined, local: undefined }, { ip: '10.1.0.2', asn: 65011, port: 179, pw: 'pw2', local: undefined }] },
  { name: 'kube-router.io/peers: port and localip fields, base64 password', flags: [], ann: { 'kube-router.io/peers': `- remoteip: 10.2.0.1\n  remoteasn: 65020\n  port: 1179\n  localip: 192.168.0.170\n  password: ${b64('s3cret')}\n- remoteip: 10.2.0.2\n  remoteasn: 65021\n` }, peers: [{ ip: '10.2.0.1', asn: 65020, port: 1179, pw: 's3cret', local: '192.168.0.170' }, { ip: '10.2.0.2', asn: 65021, port: 179, pw: undefined, local: undefined }] },
  { name: 'peer.localips and peer.ports annotations (blank local IP = node IP)', flags: [], ann: { 'kube-router.io/peer.ips': '10.3.0.1,10.3.0.2', 'kube-router.io/peer.asns': '65030,65031', 'kube-router.io/peer.ports': '179,2179', 'kube-router.io/peer.localips': ',192.168.0.170' }, peers: [{ ip: '10.3.0.1', asn: 65030, port: 179, pw: undefined, local: undefined }, { ip: '10.3.0.2', asn: 65031, port: 2179, pw: undefined, local: '192.168.0.170' }] },
  { name: 'global peers from flags win over node annotations', flags: ['--peer-router-ips=10.0.0.9', '--peer-router-asns=65009'], ann: { 'kube-router.io/peer.ips': '10.9.0.1', 'kube-router.io/peer.asns': '65090' }, peers: [{ ip: '10.0.0.9', asn: 65009, port: 179, pw: undefined, local: undefined }] },
  { name: '--peer-router-ips=<CHANGE ME> (the manifests placeholder) is refused, never a peer named "<CHANGE ME>"', flags: ['--peer-router-ips=<CHANGE ME>', '--peer-router-asns=65000'], refused: /--peer-router-ips: invalid argument "<CHANGE ME>"/ },
  { name: 'a reserved peer ASN (23456) is refused', flags: ['--peer-router-ips=10.0.0.1', '--peer-router-asns=23456'], refused: /reserved ASN number "23456"/ },
  { name: 'a non-numeric ASN flag is refused (no NaN)', flags: ['--peer-router-ips=10.0.0.1', '--peer-router-asns=sixty'], refused: /--peer-router-asns: invalid argument "sixty"/ },
  { name: 'IP and ASN counts must match', flags: ['--peer-router-ips=10.0.0.1,10.0.0.2', '--peer-router-asns=65000'], refused: /number of IPs \(2\) and ASN numbers \(1\) must be equal/ },
  { name: 'a public --cluster-asn is refused', flags: ['--cluster-asn=100'], refused: /invalid ASN number for cluster ASN/ },
  { name: 'a bad annotation ASN refuses that annotation only, naming node and field', flags: [], ann: { 'kube-router.io/peer.ips': '10.4.0.1', 'kube-router.io/peer.asns': 'NaN' }, peers: [], problem: /node 170: annotation kube-router\.io\/peer\.ips\/peer\.asns: could not parse "NaN" as an ASN/ },
  { name: 'peers annotation entry without remoteip is refused', flags: [], ann: { 'kube-router.io/peers': '- remoteasn: 65000\n' }, peers: [], problem: /kube-router\.io\/peers\[0\]: remoteip cannot be empty/ },
  { name: 'communities: 32-bit integer 4294967041, a:b and well-known no-export', flags: [], ann: { 'kube-router.io/node.bgp.communities': '4294967041,64512:100,no-export' }, communities: ['65535:65281', '64512:100'] },
  { name: 'an unparsable community is skipped with a problem; the others still go out', flags: [], ann: { 'kube-router.io/node.bgp.communities': '70000:1,64512:7' }, communities: ['64512:7'], problem: /failed to parse "70000:1" as community/ },
  { name: 'node.asn annotation that is not a number: BGP not started on that node', flags: [], ann: { 'kube-router.io/node.asn': 'abc' }, localAsn: 0, problem: /node\.asn "abc" is not an ASN/ },
  { name: 'customimportreject is validated and reported as not applied', flags: [], ann: { 'kube-router.io/node.bgp.customimportreject': '10.0.0.0/8' }, problem: /customimportreject \(10\.0\.0\.0\/8\) not applied/ },
];

for (const c of CASES) {
  test(`kube-router case: ${c.name}`, () => {
    if (c.refused) {
      assert.throws(() => parseKubeRouterFlags(c.flags), (e: unknown) => e instanceof KindlabError && e.code === 'BGP_CONFIG' && c.refused!.test(e.message));
      return;
    }
    const v = viewFromObjects([node('170', '192.168.0.170', c.ann), node('171', '192.168.0.171', {}, '10.244.1.0/24')]);
    const i = computeKubeRouter(v, '170', parseKubeRouterFlags(c.flags));
    if (c.peers) assert.deepEqual(peersOf(i), c.peers);
    if (c.localAsn !== undefined) assert.equal(i.localAsn, c.localAsn);
    if (c.communities) assert.deepEqual(i.advertise.find((a) => a.prefix === '10.244.0.0/24')?.communities, c.communities);
    if (c.problem) assert.ok(i.problems.some((p) => c.problem!.test(p)), `problems: ${JSON.stringify(i.problems)}`);
    else assert.deepEqual(i.problems, []);
  });
}

test('kube-router case: --peer-router-passwords-file holds the comma-separated base64 passwords; the flag wins over the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kr-pw-'));
  const file = join(dir, 'pw');
  writeFileSync(file, `${b64('fromfile')},\n`);
  const base = ['--peer-router-ips=10.0.0.1,10.0.0.2', '--peer-router-asns=65001,65002'];
  assert.deepEqual(parseKubeRouterFlags([...base, `--peer-router-passwords-file=${file}`]).peerRouterPasswords, ['fromfile', '']);
  assert.deepEqual(parseKubeRouterFlags([...base, `--peer-router-passwords-file=${file}`, `--peer-router-passwords=${b64('x')},${b64('y')}`]).peerRouterPasswords, ['x', 'y']);
  assert.throws(() => parseKubeRouterFlags([...base, `--peer-router-passwords-file=${join(dir, 'missing')}`]), /peer-router-passwords-file: error loading/);
});

// Property test: random, hostile inputs.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const HOSTILE = ['', ',', ',,', '<CHANGE ME>', 'NaN', '-1', '0', '4294967296', '65535', '23456', '1e3', '10.0.0.1', '::1', '10.0.0.300', 'a:b', '4294967041', 'no-export', '  ', '\u0000', '- remoteip: 1.2.3.4\n  remoteasn: 65000\n  port: 99999', '[', '{}', '- 1', 'null', '- remoteip: x\n  remoteasn: y', '10.0.0.0/8,bad', YAMLish()];
function YAMLish(): string {
  return '- remoteip: 10.9.9.9\n  remoteasn: 65001\n  port: 0\n  password: "%%%"\n  localip: nope';
}
const KEYS = ['node.asn', 'peer.ips', 'peer.asns', 'peer.ports', 'peer.passwords', 'peer.localips', 'peers', 'node.bgp.communities', 'path-prepend.as', 'path-prepend.repeat-n', 'rr.server', 'rr.client', 'node.bgp.customimportreject', 'bgp-local-addresses'];
const FLAGS = ['cluster-asn', 'peer-router-ips', 'peer-router-asns', 'peer-router-ports', 'peer-router-passwords', 'peer-router-multihop-ttl', 'bgp-holdtime', 'router-id', 'enable-ibgp', 'nodes-full-mesh', 'run-loadbalancer', 'loadbalancer-ip-range', 'loadbalancer-default-class', 'advertise-loadbalancer-ip'];

test('kube-router property: hostile flags only ever raise KindlabError; hostile annotations never throw, never a NaN/empty peer, and other nodes keep working', () => {
  const r = rng(7);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  for (let n = 0; n < 400; n++) {
    const flags = Array.from({ length: Math.floor(r() * 4) }, () => `--${pick(FLAGS)}=${pick(HOSTILE)}`);
    let o;
    try {
      o = parseKubeRouterFlags(flags);
    } catch (e) {
      assert.ok(e instanceof KindlabError, `flags ${JSON.stringify(flags)} threw ${String(e)}`);
      o = parseKubeRouterFlags([]);
    }
    const ann: Record<string, string> = {};
    for (let k = 0; k < 4; k++) ann[`kube-router.io/${pick(KEYS)}`] = pick(HOSTILE);
    const svcs = [lbSvc('s1', { ipFamilies: pick(HOSTILE as unknown[]), externalIPs: [pick(HOSTILE)] }, [pick(HOSTILE)]), lbSvc('s22', { loadBalancerClass: pick(HOSTILE) })];
    const v = viewFromObjects([node('bad', '192.168.0.5', ann), node('good', '192.168.0.6', {}, '10.244.1.0/24'), ...svcs]);
    for (const name of ['bad', 'good']) {
      const i = computeKubeRouter(v, name, o);
      for (const p of i.peers) {
        assert.ok(p.address !== '' && Number.isInteger(p.asn) && p.asn > 0 && p.asn < 2 ** 32 && Number.isInteger(p.port) && p.port > 0, `${JSON.stringify(ann)} → ${JSON.stringify(p)}`);
      }
      assert.ok(Number.isInteger(i.localAsn));
      for (const a of i.advertise) assert.ok(!a.communities.some((c) => c.includes('NaN')));
      for (const st of i.lbStatus ?? []) for (const ip of st.ips) assert.ok(isIP(ip) !== 0, `lb address ${JSON.stringify(ip)}`);
    }
    assert.ok(computeKubeRouter(v, 'good', o).advertise.some((a) => a.prefix === '10.244.1.0/24'), 'the well-formed node still advertises its pod CIDR');
  }
});

// LoadBalancer services: kube-router's lballoc (--run-loadbalancer) and --advertise-loadbalancer-ip, from its
// load-balancer-allocator and user-guide docs and the service advertisement code in network_routes_controller.
const lbSvc = (name: string, spec: Record<string, unknown> = {}, ingress: string[] = [], annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', annotations, creationTimestamp: `2026-01-01T00:00:0${name.length % 10}Z` },
  spec: { type: 'LoadBalancer', clusterIP: '10.96.0.20', ...spec }, status: ingress.length ? { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } } : {},
} as unknown as KubeObject);
const epSlice = (svcName: string, nodeName: string): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svcName}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], nodeName, conditions: { ready: true } }],
} as unknown as KubeObject);
const A1 = node('a1', '10.0.0.11');
const B2 = node('b2', '10.0.0.12', {}, '10.244.1.0/24');
const LB = ['--run-loadbalancer=true', '--loadbalancer-ip-range=10.255.0.0/24'];
interface LbCase { name: string; flags: string[]; objs: KubeObject[]; node?: string; lbStatus?: Array<{ namespace: string; name: string; ips: string[] }>; prefixes?: string[]; problem?: RegExp; refused?: RegExp }
const LB_CASES: LbCase[] = [
  { name: '--run-loadbalancer: the range\'s first address for a new LoadBalancer service', flags: LB, objs: [A1, B2, lbSvc('web')], lbStatus: [{ namespace: 'default', name: 'web', ips: ['10.255.0.0'] }] },
  { name: '--run-loadbalancer: every node plans the same (the agent holding the Lease writes)', flags: LB, objs: [A1, B2, lbSvc('web')], node: 'b2', lbStatus: [{ namespace: 'default', name: 'web', ips: ['10.255.0.0'] }] },
  { name: 'without --run-loadbalancer (kube-router\'s default) nothing is allocated', flags: ['--loadbalancer-ip-range=10.255.0.0/24'], objs: [A1, lbSvc('web')], lbStatus: undefined },
  { name: 'a service that has its address needs nothing', flags: LB, objs: [A1, lbSvc('web', {}, ['10.255.0.0'])], lbStatus: [] },
  { name: '--loadbalancer-ip-range repeated and comma-separated: all ranges, in order', flags: ['--run-loadbalancer', '--loadbalancer-ip-range=10.255.0.0/32', '--loadbalancer-ip-range', '10.255.1.0/30,10.255.2.0/30'], objs: [A1, lbSvc('a'), lbSvc('bb'), lbSvc('ccc', {}, ['10.255.1.0'])], lbStatus: [{ namespace: 'default', name: 'a', ips: ['10.255.0.0'] }, { namespace: 'default', name: 'bb', ips: ['10.255.1.1'] }] },
  { name: 'a bad --loadbalancer-ip-range stops kube-router at start', flags: ['--loadbalancer-ip-range=10.255.0.0/33'], objs: [], refused: /--loadbalancer-ip-range: invalid CIDR address: 10\.255\.0\.0\/33/ },
  { name: 'an exhausted range: the service is named with kube-router\'s reason', flags: ['--run-loadbalancer', '--loadbalancer-ip-range=10.255.0.0/32'], objs: [A1, lbSvc('a'), lbSvc('bb')], lbStatus: [{ namespace: 'default', name: 'a', ips: ['10.255.0.0'] }], problem: /service default\/bb: no LoadBalancer address \(--run-loadbalancer\): unable to allocate address: IPv4: no IPs left to allocate/ },
  { name: '--loadbalancer-default-class=false: only loadBalancerClass kube-router', flags: [...LB, '--loadbalancer-default-class=false'], objs: [A1, lbSvc('a'), lbSvc('bb', { loadBalancerClass: 'kube-router' })], lbStatus: [{ namespace: 'default', name: 'bb', ips: ['10.255.0.0'] }] },
  { name: '--advertise-loadbalancer-ip: every node announces the /32 (eTP Cluster)', flags: ['--advertise-loadbalancer-ip=true'], objs: [A1, B2, lbSvc('web', {}, ['10.255.0.0'])], node: 'b2', prefixes: ['10.244.1.0/24', '10.255.0.0/32'] },
  { name: 'without --advertise-loadbalancer-ip (default false) the LB address is not announced', flags: [], objs: [A1, lbSvc('web', {}, ['10.255.0.0'])], prefixes: ['10.244.0.0/24'] },
  { name: 'kube-router.io/service.advertise.loadbalancerip=false on the service turns it off', flags: ['--advertise-loadbalancer-ip=true'], objs: [A1, lbSvc('web', {}, ['10.255.0.0'], { 'kube-router.io/service.advertise.loadbalancerip': 'false' })], prefixes: ['10.244.0.0/24'] },
  { name: 'eTP Local: only the node with a ready endpoint announces the LB address', flags: ['--advertise-loadbalancer-ip=true'], objs: [A1, B2, lbSvc('web', { externalTrafficPolicy: 'Local' }, ['10.255.0.0']), epSlice('web', 'b2')], prefixes: ['10.244.0.0/24'] },
  { name: 'eTP Local: the node with the endpoint announces it', flags: ['--advertise-loadbalancer-ip=true'], objs: [A1, B2, lbSvc('web', { externalTrafficPolicy: 'Local' }, ['10.255.0.0']), epSlice('web', 'b2')], node: 'b2', prefixes: ['10.244.1.0/24', '10.255.0.0/32'] },
];
for (const c of LB_CASES) {
  test(`kube-router LoadBalancer case: ${c.name}`, () => {
    if (c.refused) {
      assert.throws(() => parseKubeRouterFlags(c.flags), (e: unknown) => e instanceof KindlabError && e.code === 'BGP_CONFIG' && c.refused!.test(e.message));
      return;
    }
    const i = computeKubeRouter(viewFromObjects(c.objs), c.node ?? 'a1', parseKubeRouterFlags(c.flags));
    if ('lbStatus' in c) assert.deepEqual(i.lbStatus, c.lbStatus);
    if (c.prefixes) assert.deepEqual(i.advertise.map((a) => a.prefix), c.prefixes);
    if (c.problem) assert.ok(i.problems.some((p) => c.problem!.test(p)), JSON.stringify(i.problems));
  });
}
