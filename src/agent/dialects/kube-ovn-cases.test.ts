/**
 * Kube-OVN speaker, case by case: flags and objects → peers and announcements, written from kube-ovn-speaker's
 * config code and tests (required flags, holdtime/multihop checks, BFD flags) and its EIP/NAT-gateway
 * announcement. Plus a property test over hostile flags and objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { KindlabError } from '../../errors.js';
import { computeKubeOvn, parseKubeOvnFlags } from './kube-ovn.js';
import { viewFromObjects } from './view.js';

const docs = (s: string): KubeObject[] => YAML.parseAllDocuments(s).map((d) => d.toJS() as KubeObject);
const BASE = ['--neighbor-address=10.32.32.252', '--neighbor-as=65030', '--cluster-as=65000'];
const CLUSTER = `
apiVersion: v1
kind: Node
metadata: { name: n1, labels: { ovn.kubernetes.io/bgp: "true" } }
status: { addresses: [{ type: InternalIP, address: 10.32.32.11 }] }
---
apiVersion: v1
kind: Node
metadata: { name: n2, labels: { ovn.kubernetes.io/bgp: "true" } }
status: { addresses: [{ type: InternalIP, address: 10.32.32.12 }] }
---
apiVersion: kubeovn.io/v1
kind: VpcNatGateway
metadata: { name: gw1 }
spec: { vpc: vpc1, subnet: net1, lanIp: 10.0.1.254, selector: ["kubernetes.io/hostname: n2"] }
---
apiVersion: v1
kind: Pod
metadata: { name: vpc-nat-gw-gw1-0, namespace: kube-system }
spec: { nodeName: n2, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.16.0.9 }
---
apiVersion: kubeovn.io/v1
kind: IptablesEIP
metadata: { name: eip1, annotations: { ovn.kubernetes.io/bgp: "true" } }
spec: { natGwDp: gw1, v4ip: 172.18.0.10 }
status: { ready: true, ip: 172.18.0.10 }
`;

interface Case {
  name: string;
  flags: string[];
  refused?: RegExp;
  node?: string;
  peers?: Array<[string, number, number, string | undefined, boolean, number | undefined]>;
  prefixes?: string[];
  problem?: RegExp;
  extra?: string;
  check?: (i: ReturnType<typeof computeKubeOvn>) => void;
}

const CASES: Case[] = [
  { name: "the chart's defaults (no neighbor, no ASNs): missing required flags, all three named", flags: [], refused: /missing required flags: at least one of --neighbor-address or --neighbor-ipv6-address must be specified; --cluster-as must be specified; --neighbor-as must be specified/ },
  { name: 'neighbor given but no --neighbor-as: refused', flags: ['--neighbor-address=10.32.32.252', '--cluster-as=65000'], refused: /missing required flags: --neighbor-as must be specified/ },
  { name: 'holdtime 2s is outside 3s-65536s', flags: [...BASE, '--holdtime=2s'], refused: /holdtime must be in the range 3s to 65536s/ },
  { name: '--ebgp-multihop=0 is refused', flags: [...BASE, '--ebgp-multihop=0'], refused: /MultihopTtl must be in the range 1 to 255/ },
  { name: 'an IPv6 address in --neighbor-address is refused', flags: ['--neighbor-address=2001:db8::1', '--neighbor-as=65030', '--cluster-as=65000'], refused: /invalid neighbor-address format: expected IPv4, got 2001:db8::1/ },
  { name: 'a non-IP neighbor is refused, never an empty peer', flags: ['--neighbor-address=<CHANGE ME>', '--neighbor-as=65030', '--cluster-as=65000'], refused: /invalid argument "<CHANGE ME>"/ },
  { name: '--enable-bfd with --bfd-min-tx=0 is refused', flags: [...BASE, '--enable-bfd', '--bfd-min-tx=0'], refused: /--bfd-min-tx must be > 0/ },
  { name: 'minimal valid flags: one IPv4 peer, cluster AS, 90 s hold time, active', flags: BASE, node: 'n1', peers: [['10.32.32.252', 65030, 90, undefined, false, undefined]] },
  { name: 'v4 + v6 neighbors, password, passive, multihop 3, holdtime 30s', flags: ['--neighbor-address=10.32.32.252', '--neighbor-ipv6-address=fd00::fe', '--neighbor-as=65030', '--cluster-as=65000', '--auth-password=pw', '--passivemode', '--ebgp-multihop=3', '--holdtime=30s'], node: 'n1', peers: [['10.32.32.252', 65030, 30, 'pw', true, 3], ['fd00::fe', 65030, 30, 'pw', true, 3]] },
  { name: 'BFD flags give each peer a BFD session (GoBGP BfdPeerConfig from the speaker flags), no problem reported', flags: [...BASE, '--enable-bfd', '--bfd-min-tx=300', '--bfd-min-rx=300', '--bfd-detection-multiplier=5'], node: 'n1', check: (i) => assert.deepEqual(i.peers[0]!.bfd, { minTxMs: 300, minRxMs: 300, multiplier: 5 }) },
  { name: '--enable-bfd alone: the speaker defaults 1000 ms / 1000 ms / 3', flags: [...BASE, '--enable-bfd'], node: 'n1', check: (i) => assert.deepEqual(i.peers[0]!.bfd, { minTxMs: 1000, minRxMs: 1000, multiplier: 3 }) },
  { name: 'no --enable-bfd: no BFD even with BFD timers given', flags: [...BASE, '--bfd-min-tx=300'], node: 'n1', check: (i) => assert.equal(i.peers[0]!.bfd, undefined) },
  { name: 'EIP announced from the node of its VPC NAT gateway pod only', flags: BASE, node: 'n2', prefixes: ['172.18.0.10/32'] },
  { name: 'EIP not announced from other speakers', flags: BASE, node: 'n1', prefixes: [] },
  { name: 'EIP whose natGwDp names no VpcNatGateway: not announced, object and field named', flags: BASE, node: 'n2', extra: 'apiVersion: kubeovn.io/v1\nkind: IptablesEIP\nmetadata: { name: stray, annotations: { ovn.kubernetes.io/bgp: "true" } }\nspec: { natGwDp: nope, v4ip: 172.18.0.11 }\n', prefixes: ['172.18.0.10/32'], problem: /eip stray: spec\.natGwDp "nope" names no VpcNatGateway/ },
  { name: 'EIP not ready yet: not announced', flags: BASE, node: 'n2', extra: 'apiVersion: kubeovn.io/v1\nkind: IptablesEIP\nmetadata: { name: pending, annotations: { ovn.kubernetes.io/bgp: "true" } }\nspec: { natGwDp: gw1, v4ip: 172.18.0.12 }\nstatus: { ready: false }\n', prefixes: ['172.18.0.10/32'] },
  { name: 'gateway pods in another namespace with --vpc-nat-gw-namespace', flags: [...BASE, '--vpc-nat-gw-namespace=nat'], node: 'n1', extra: 'apiVersion: v1\nkind: Pod\nmetadata: { name: vpc-nat-gw-gw1-0, namespace: nat }\nspec: { nodeName: n1, containers: [{ name: c }] }\nstatus: { phase: Running }\n', prefixes: ['172.18.0.10/32'] },
  // Services (kube-ovn-speaker's subnet.go + utils.go isClusterIPService; controller service_lb.go for LoadBalancer).
  { name: '--announce-cluster-ip: a type ClusterIP service annotated ovn.kubernetes.io/bgp=true is announced from every speaker', flags: [...BASE, '--announce-cluster-ip=true'], node: 'n1', extra: 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: default, annotations: { ovn.kubernetes.io/bgp: "true" } }\nspec: { type: ClusterIP, clusterIP: 10.96.100.10 }', prefixes: ['10.96.100.10/32'] },
  { name: 'without --announce-cluster-ip (the default) an annotated service is not announced', flags: BASE, node: 'n1', extra: 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: default, annotations: { ovn.kubernetes.io/bgp: "true" } }\nspec: { type: ClusterIP, clusterIP: 10.96.100.10 }', prefixes: [] },
  { name: 'a service without the annotation is not announced', flags: [...BASE, '--announce-cluster-ip=true'], node: 'n1', extra: 'apiVersion: v1\nkind: Service\nmetadata: { name: plain, namespace: default }\nspec: { type: ClusterIP, clusterIP: 10.96.100.13 }', prefixes: [] },
  { name: 'a type LoadBalancer service with the annotation: neither its cluster IP nor its LoadBalancer address is announced (lb-svc is L2), said once', flags: [...BASE, '--announce-cluster-ip=true'], node: 'n1', extra: 'apiVersion: v1\nkind: Service\nmetadata: { name: lb, namespace: default, annotations: { ovn.kubernetes.io/bgp: "true", ovn.kubernetes.io/attachmentprovider: lb-svc-attachment.kube-system } }\nspec: { type: LoadBalancer, clusterIP: 10.96.100.11 }\nstatus: { loadBalancer: { ingress: [{ ip: 172.18.0.11 }] } }', prefixes: [], problem: /service default\/lb: annotation ovn.kubernetes.io\/bgp on a type LoadBalancer service: .*not BGP/ },
  { name: 'a type NodePort service with the annotation is not announced either', flags: [...BASE, '--announce-cluster-ip=true'], node: 'n1', extra: 'apiVersion: v1\nkind: Service\nmetadata: { name: np, namespace: default, annotations: { ovn.kubernetes.io/bgp: "true" } }\nspec: { type: NodePort, clusterIP: 10.96.100.12 }', prefixes: [], problem: /service default\/np: annotation ovn.kubernetes.io\/bgp on a type NodePort service/ },
];

for (const c of CASES) {
  test(`kube-ovn case: ${c.name}`, () => {
    if (c.refused) {
      assert.throws(() => parseKubeOvnFlags(c.flags), (e: unknown) => e instanceof KindlabError && e.code === 'BGP_CONFIG' && c.refused!.test(e.message));
      return;
    }
    const v = viewFromObjects(docs(CLUSTER + (c.extra ? `---\n${c.extra}` : '')));
    const i = computeKubeOvn(v, c.node!, parseKubeOvnFlags(c.flags));
    assert.equal(i.localAsn, 65000);
    if (c.peers) assert.deepEqual(i.peers.map((p) => [p.address, p.asn, p.holdTime, p.password, p.passive, p.multihopTtl]), c.peers);
    if (c.prefixes) assert.deepEqual(i.advertise.map((a) => a.prefix), c.prefixes);
    if (c.problem) assert.ok(i.problems.some((p) => c.problem!.test(p)), JSON.stringify(i.problems));
    else assert.deepEqual(i.problems, []);
    c.check?.(i);
  });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const HOSTILE = ['', ',', '<CHANGE ME>', 'NaN', '-1', '0', '4294967296', '65000', '10.0.0.1', 'fd00::1', '10.0.0.300', '1e3', 'true', 'local', '30s', 'abc', '\u0000'];
const FLAGS = ['neighbor-address', 'neighbor-ipv6-address', 'neighbor-as', 'cluster-as', 'holdtime', 'ebgp-multihop', 'router-id', 'enable-bfd', 'bfd-min-tx', 'bfd-min-rx', 'bfd-detection-multiplier', 'graceful-restart', 'graceful-restart-time', 'auth-password'];

test('kube-ovn property: hostile flags only raise KindlabError; hostile objects never throw or give a NaN/empty peer or prefix, other objects still announced', () => {
  const r = rng(11);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  for (let n = 0; n < 400; n++) {
    const flags = [...BASE, ...Array.from({ length: Math.floor(r() * 3) }, () => `--${pick(FLAGS)}=${pick(HOSTILE)}`)];
    let o;
    try {
      o = parseKubeOvnFlags(flags);
    } catch (e) {
      assert.ok(e instanceof KindlabError, `flags ${JSON.stringify(flags)} threw ${String(e)}`);
      o = parseKubeOvnFlags(BASE);
    }
    for (const p of [o.clusterAs, o.neighborAs, o.holdTime, o.ebgpMultihop]) assert.ok(Number.isFinite(p) && p > 0, JSON.stringify(flags));
    const objs = docs(CLUSTER);
    objs.push({ apiVersion: 'kubeovn.io/v1', kind: pick(['IptablesEIP', 'Subnet', 'VpcNatGateway']), metadata: { name: `x${n}`, annotations: { 'ovn.kubernetes.io/bgp': pick(HOSTILE) } }, spec: { natGwDp: pick(HOSTILE), v4ip: pick(HOSTILE), v6ip: pick(HOSTILE), cidrBlock: pick(HOSTILE) }, status: { ip: pick(HOSTILE) } } as unknown as KubeObject);
    objs.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${n}`, namespace: 'default', annotations: { 'ovn.kubernetes.io/bgp': pick(HOSTILE) } }, spec: { nodeName: 'n1', containers: [] }, status: { phase: 'Running', podIP: pick(HOSTILE) } } as unknown as KubeObject);
    const v = viewFromObjects(objs);
    for (const node of ['n1', 'n2']) {
      const i = computeKubeOvn(v, node, o);
      for (const p of i.peers) assert.ok(p.address !== '' && Number.isInteger(p.asn) && p.asn > 0);
      for (const a of i.advertise) assert.ok(!a.prefix.includes('NaN') && !a.prefix.startsWith('/'), a.prefix);
    }
    assert.ok(computeKubeOvn(v, 'n2', o).advertise.some((a) => a.prefix === '172.18.0.10/32'), 'the good EIP is still announced');
  }
});
