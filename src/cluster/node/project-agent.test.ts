import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from '../client/types.js';
import { dialectFlags, expandArgs, imageRepository, projectAgentPlan, projectDialectOf } from './project-agent.js';

const CTX = { nodeName: 'worker', kubeconfig: '/var/lib/kindlab/node/kubeconfig', nodeBinary: '/usr/bin/node', agentMain: '/opt/kindlab/bin/lab-agent.js' };
const pod = (c: Container, hostNetwork = true): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-router-abcde', namespace: 'kube-system' }, spec: { nodeName: 'worker', containers: [c], ...(hostNetwork ? { hostNetwork: true } : {}) } });

test('image repository without registry, tag or digest', () => {
  for (const [image, repo] of [
    ['cloudnativelabs/kube-router', 'cloudnativelabs/kube-router'],
    ['docker.io/cloudnativelabs/kube-router:v2.1.0', 'cloudnativelabs/kube-router'],
    ['ghcr.io/cloudnativelabs/kube-router@sha256:0123', 'cloudnativelabs/kube-router'],
    ['quay.io/calico/node:v3.27.0', 'calico/node'],
    ['localhost:5000/calico/node', 'calico/node'],
    ['docker.io/library/busybox:1.36', 'busybox'],
    ['quay.io/cilium/cilium:v1.15.1@sha256:abc', 'cilium/cilium'],
  ] as const)
    assert.equal(imageRepository(image), repo, image);
});

const dialectCases: Array<{ name: string; c: Partial<Container>; want: string | undefined }> = [
  { name: 'kube-router', c: { image: 'cloudnativelabs/kube-router' }, want: 'kube-router' },
  { name: 'kube-router from ghcr with its command', c: { image: 'ghcr.io/cloudnativelabs/kube-router:v2.0.0', command: ['/usr/local/bin/kube-router'] }, want: 'kube-router' },
  { name: 'kube-ovn-speaker by command', c: { image: 'docker.io/kubeovn/kube-ovn:v1.12.8', command: ['/kube-ovn/kube-ovn-speaker'] }, want: 'kube-ovn' },
  { name: 'kube-ovn-speaker as args[0]', c: { image: 'kubeovn/kube-ovn:v1.12.8', args: ['/kube-ovn/kube-ovn-speaker', '--cluster-as=65000'] }, want: 'kube-ovn' },
  { name: 'another kube-ovn daemon (the controller) is not the speaker', c: { image: 'kubeovn/kube-ovn:v1.12.8', command: ['/kube-ovn/start-controller.sh'] }, want: undefined },
  { name: 'calico-node from Docker Hub', c: { image: 'calico/node:v3.26.1' }, want: 'calico' },
  { name: 'calico-node from quay', c: { image: 'quay.io/calico/node:v3.27.0' }, want: 'calico' },
  { name: 'calico cni image is not calico-node', c: { image: 'calico/cni:v3.26.1' }, want: undefined },
  { name: 'cilium-agent', c: { image: 'quay.io/cilium/cilium:v1.15.1', command: ['cilium-agent'], args: ['--config-dir=/tmp/cilium/config-map'] }, want: 'cilium' },
  { name: 'the cilium image running an init step', c: { image: 'quay.io/cilium/cilium:v1.15.1', command: ['cilium-dbg', 'build-config'] }, want: undefined },
  { name: 'cilium operator image', c: { image: 'quay.io/cilium/operator-generic:v1.15.1' }, want: undefined },
  { name: 'nginx', c: { image: 'nginx:1.25' }, want: undefined },
];
for (const k of dialectCases) test(`dialect of ${k.name}`, () => assert.equal(projectDialectOf({ ...k.c }), k.want));

test("kube-router: the container's args are the flags; the agent gets the node's kubeconfig and name", () => {
  const args = ['--run-router=true', '--run-firewall=true', '--run-service-proxy=true', '--advertise-cluster-ip=true', '--advertise-external-ip=true', '--cluster-asn=64512', '--peer-router-ips=192.168.0.100', '--peer-router-asns=64513'];
  const plan = projectAgentPlan(pod({ name: 'kube-router', image: 'cloudnativelabs/kube-router', args }), { name: 'kube-router', image: 'cloudnativelabs/kube-router', args }, CTX)!;
  assert.deepEqual(plan.argv, ['/usr/bin/node', '/opt/kindlab/bin/lab-agent.js', 'k8s', '--node', 'worker', '--kubeconfig', '/var/lib/kindlab/node/kubeconfig', '--dialect', 'kube-router', ...args]);
  assert.match(plan.message, /image "cloudnativelabs\/kube-router" is not run; kindlab's BGP agent runs in its kube-router dialect/);
  assert.doesNotMatch(plan.message, /not hostNetwork/);
});

test('kube-router: --kubeconfig and --hostname-override are dropped and said so; $(NODE_NAME) is expanded', () => {
  const c: Container = { name: 'kube-router', image: 'cloudnativelabs/kube-router', command: ['/usr/local/bin/kube-router'], args: ['--kubeconfig', '/var/lib/kube-router/kubeconfig', '--hostname-override=$(NODE_NAME)', '--bgp-graceful-restart=true', '--peer-router-ips', '10.0.0.1'], env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } } as never] };
  const { flags, dropped } = dialectFlags('kube-router', pod(c), c);
  assert.deepEqual(flags, ['--bgp-graceful-restart=true', '--peer-router-ips', '10.0.0.1']);
  assert.deepEqual(dropped, ['--kubeconfig', '/var/lib/kube-router/kubeconfig', '--hostname-override=worker']);
  assert.match(projectAgentPlan(pod(c, false), c, CTX)!.message, /ignored: --kubeconfig .*; the pod is not hostNetwork/);
});

test('kube-ovn-speaker: flags after the binary in args', () => {
  const c: Container = { name: 'kube-ovn-speaker', image: 'kubeovn/kube-ovn:v1.12.8', args: ['/kube-ovn/kube-ovn-speaker', '--neighbor-address=10.32.32.254', '--neighbor-as=65030', '--cluster-as=65000'] };
  assert.deepEqual(projectAgentPlan(pod(c), c, CTX)!.argv.slice(7), ['--dialect', 'kube-ovn', '--neighbor-address=10.32.32.254', '--neighbor-as=65030', '--cluster-as=65000']);
});

test('calico-node and cilium-agent pass no flags: their BGP settings are objects', () => {
  const c: Container = { name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.1', command: ['cilium-agent'], args: ['--config-dir=/tmp/cilium/config-map'] };
  const plan = projectAgentPlan(pod(c), c, CTX)!;
  assert.deepEqual(plan.argv.slice(7), ['--dialect', 'cilium']);
  assert.match(plan.message, /cilium-agent takes its BGP settings from the cluster's objects/);
  const calico: Container = { name: 'calico-node', image: 'docker.io/calico/node:v3.26.1' };
  assert.deepEqual(projectAgentPlan(pod(calico), calico, CTX)!.argv.slice(7), ['--dialect', 'calico']);
});

test('other images get no agent plan', () => {
  const c: Container = { name: 'web', image: 'nginx' };
  assert.equal(projectAgentPlan(pod(c), c, CTX), undefined);
});

test('$(VAR) expansion as kubelet: $$( escapes, unknown stays', () => {
  assert.deepEqual(expandArgs(['--a=$(X)', '--b=$$(X)', '--c=$(NOPE)'], { X: '1' }), ['--a=1', '--b=$(X)', '--c=$(NOPE)']);
});
