import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { computeKubeOvn, parseKubeOvnFlags } from './kube-ovn.js';
import { viewFromObjects } from './view.js';
import { detectDialect } from './index.js';

const docs = (s: string): KubeObject[] => YAML.parseAllDocuments(s).map((d) => d.toJS() as KubeObject);
const prefixes = (i: { advertise: Array<{ prefix: string }> }) => i.advertise.map((a) => a.prefix);

// Article 001, "a pair of switches", verbatim.
const ARGS = ['--neighbor-address=10.32.32.252,10.32.32.253', '--neighbor-ipv6-address=2409:AB00:AB00:2000::AFB:8AFC,2409:AB00:AB00:2000::AFB:8AFD', '--neighbor-as=65030', '--cluster-as=65000'];

// `kubectl label nodes speaker-node-1 ovn.kubernetes.io/bgp=true` (and -2), `kubectl annotate pod sample
// ovn.kubernetes.io/bgp=true`, `kubectl annotate subnet ovn-default ovn.kubernetes.io/bgp=true`,
// `kubectl annotate service sample ovn.kubernetes.io/bgp=true`.
const CLUSTER = `
apiVersion: v1
kind: Node
metadata: { name: speaker-node-1, labels: { ovn.kubernetes.io/bgp: "true" } }
status: { addresses: [{ type: InternalIP, address: 10.32.32.11 }] }
---
apiVersion: v1
kind: Node
metadata: { name: speaker-node-2, labels: { ovn.kubernetes.io/bgp: "true" } }
status: { addresses: [{ type: InternalIP, address: 10.32.32.12 }] }
---
apiVersion: v1
kind: Node
metadata: { name: worker-3 }
status: { addresses: [{ type: InternalIP, address: 10.32.32.13 }] }
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: { name: ovn-default, annotations: { ovn.kubernetes.io/bgp: "true" } }
spec: { protocol: IPv4, cidrBlock: 10.16.0.0/16, natOutgoing: false }
---
apiVersion: v1
kind: Pod
metadata: { name: sample, namespace: default, annotations: { ovn.kubernetes.io/bgp: "true" } }
spec: { nodeName: worker-3, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.16.0.5 }
---
apiVersion: v1
kind: Pod
metadata: { name: near, namespace: default, annotations: { ovn.kubernetes.io/bgp: local } }
spec: { nodeName: speaker-node-2, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.16.0.6 }
---
apiVersion: v1
kind: Service
metadata: { name: sample, namespace: default, annotations: { ovn.kubernetes.io/bgp: "true" } }
spec: { type: ClusterIP, clusterIP: 10.96.100.1 }
---
apiVersion: v1
kind: Service
metadata: { name: plain, namespace: default }
spec: { type: ClusterIP, clusterIP: 10.96.100.2 }
`;

test('article 001: two switches (v4 + v6), AS 65030, cluster AS 65000, only labelled speaker nodes peer', () => {
  const v = viewFromObjects(docs(CLUSTER));
  const o = parseKubeOvnFlags(ARGS);
  const s1 = computeKubeOvn(v, 'speaker-node-1', o);
  assert.equal(s1.localAsn, 65000);
  assert.deepEqual(s1.peers.map((p) => [p.address, p.asn, p.families[0], p.holdTime, p.passive]), [
    ['10.32.32.252', 65030, 'ipv4-unicast', 90, false], ['10.32.32.253', 65030, 'ipv4-unicast', 90, false],
    ['2409:AB00:AB00:2000::AFB:8AFC', 65030, 'ipv6-unicast', 90, false], ['2409:AB00:AB00:2000::AFB:8AFD', 65030, 'ipv6-unicast', 90, false],
  ]);
  assert.equal(computeKubeOvn(v, 'worker-3', o).localAsn, 0);
  assert.equal(detectDialect(v, ARGS), 'kube-ovn');
});

test('article 001: cluster policy from every speaker, local policy only from the pod node; ClusterIP with --announce-cluster-ip', () => {
  const v = viewFromObjects(docs(CLUSTER));
  const o = parseKubeOvnFlags(ARGS);
  assert.deepEqual(prefixes(computeKubeOvn(v, 'speaker-node-1', o)), ['10.16.0.0/16', '10.16.0.5/32']);
  assert.deepEqual(prefixes(computeKubeOvn(v, 'speaker-node-2', o)), ['10.16.0.0/16', '10.16.0.5/32', '10.16.0.6/32']);
  const withSvc = parseKubeOvnFlags([...ARGS, '--announce-cluster-ip']);
  assert.deepEqual(prefixes(computeKubeOvn(v, 'speaker-node-1', withSvc)), ['10.16.0.0/16', '10.16.0.5/32', '10.96.100.1/32']);
});

test('subnet local policy: per-pod /32 from the hosting node instead of the CIDR; removing the annotation withdraws', () => {
  const objs = docs(CLUSTER);
  const subnet = objs.find((o) => o.kind === 'Subnet')!;
  subnet.metadata.annotations = { 'ovn.kubernetes.io/bgp': 'local' };
  objs.find((o) => o.metadata.name === 'sample' && o.kind === 'Pod')!.metadata.annotations = {};
  (objs.find((o) => o.metadata.name === 'sample' && o.kind === 'Pod') as unknown as { spec: { nodeName: string } }).spec.nodeName = 'speaker-node-1';
  const v = viewFromObjects(objs);
  const o = parseKubeOvnFlags(ARGS);
  assert.deepEqual(prefixes(computeKubeOvn(v, 'speaker-node-1', o)), ['10.16.0.5/32']);
  assert.deepEqual(prefixes(computeKubeOvn(v, 'speaker-node-2', o)), ['10.16.0.6/32']);
});

test('flags: auth password, holdtime, graceful restart, passive mode, ebgp multihop', () => {
  const o = parseKubeOvnFlags([...ARGS, '--auth-password=pw', '--holdtime=30s', '--graceful-restart', '--graceful-restart-time=45s', '--passivemode', '--ebgp-multihop=3']);
  const p = computeKubeOvn(viewFromObjects(docs(CLUSTER)), 'speaker-node-1', o).peers[0]!;
  assert.deepEqual([p.password, p.holdTime, p.keepalive, p.gracefulRestart, p.passive, p.multihopTtl], ['pw', 30, 10, { enabled: true, restartTime: 45 }, true, 3]);
});

// "发布 EIPs": `kubectl annotate eip sample ovn.kubernetes.io/bgp=true`; the EIP is announced from the node that
// runs its VPC NAT gateway (the StatefulSet pod kube-system/vpc-nat-gw-<natGwDp>-0), and withdrawn with the annotation.
const EIP = `
apiVersion: kubeovn.io/v1
kind: IptablesEIP
metadata: { name: sample, annotations: { ovn.kubernetes.io/bgp: "true" } }
spec: { natGwDp: vpc-natgw, v4ip: 172.18.0.100 }
---
apiVersion: kubeovn.io/v1
kind: IptablesEIP
metadata: { name: quiet }
spec: { natGwDp: vpc-natgw, v4ip: 172.18.0.101 }
---
apiVersion: v1
kind: Pod
metadata: { name: vpc-nat-gw-vpc-natgw-0, namespace: kube-system }
spec: { nodeName: speaker-node-2, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.16.0.9 }
`;

test('EIP: an annotated IptablesEIP is announced only from its NAT gateway node; unannotated ones never', () => {
  const objs = docs(CLUSTER + '---' + EIP);
  const o = parseKubeOvnFlags(ARGS);
  assert.ok(!prefixes(computeKubeOvn(viewFromObjects(objs), 'speaker-node-1', o)).includes('172.18.0.100/32'));
  const s2 = computeKubeOvn(viewFromObjects(objs), 'speaker-node-2', o);
  assert.ok(prefixes(s2).includes('172.18.0.100/32'));
  assert.ok(!prefixes(s2).includes('172.18.0.101/32'));
  assert.match(s2.advertise.find((a) => a.prefix === '172.18.0.100/32')!.reason, /eip sample \(VPC NAT gateway vpc-natgw\)/);
  // status.ip (what Kube-OVN fills in) wins over spec.v4ip; removing the annotation withdraws it
  const eip = objs.find((x) => x.kind === 'IptablesEIP' && x.metadata.name === 'sample') as KubeObject & { status?: { ip: string } };
  eip.status = { ip: '172.18.0.200' };
  assert.ok(prefixes(computeKubeOvn(viewFromObjects(objs), 'speaker-node-2', o)).includes('172.18.0.200/32'));
  eip.metadata.annotations = {};
  assert.ok(!prefixes(computeKubeOvn(viewFromObjects(objs), 'speaker-node-2', o)).some((p) => p.startsWith('172.18.')));
});
