/**
 * kube-router's and Kube-OVN's LoadBalancer addresses, table-driven, as the projects decide them: kube-router's
 * lballoc controller (classes, --loadbalancer-ip-range order starting at the network address, externalIPs count as
 * used, no requested addresses, per-family and RequireDualStack) from its docs and lballoc tests; Kube-OVN's lb-svc
 * (attachmentprovider annotation, the provider's Subnet, gateway/excludeIps skipped, spec.loadBalancerIP checked
 * against the subnet) from kube-ovn-controller's service_lb code. Plus the controller wiring for Kube-OVN.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { findResource } from '../apiserver/resources.js';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import type { K8sObject } from '../store/types.js';
import { KUBE_OVN_ATTACHMENT_PROVIDER, planKubeOvnLb, planKubeRouterLb, type LbDecision } from './lb-ipam.js';
import { ControllerManager } from './manager.js';

let t = 0;
const svc = (name: string, spec: Record<string, unknown> = {}, meta: Partial<K8sObject['metadata']> = {}, ingress: string[] = []): K8sObject => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'default', creationTimestamp: `2026-01-01T00:00:${String(t++).padStart(2, '0')}Z`, ...meta },
  spec: { type: 'LoadBalancer', ...spec },
  status: ingress.length ? { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } } : {},
});
const kr = (services: K8sObject[], ranges: string[], defaultClass = true): Record<string, LbDecision> => Object.fromEntries(planKubeRouterLb(services, { ranges, defaultClass }));

interface KrCase { name: string; services: K8sObject[]; ranges: string[]; defaultClass?: boolean; want: Record<string, LbDecision> }
const KR: KrCase[] = [
  { name: 'first address of the first range (the network address, as kube-router counts from it), then the next, in creation order', services: [svc('a'), svc('b')], ranges: ['10.255.0.0/24'], want: { 'default/a': { ips: ['10.255.0.0'] }, 'default/b': { ips: ['10.255.0.1'] } } },
  { name: 'a full range moves on to the next range', services: [svc('a'), svc('b'), svc('c')], ranges: ['10.255.0.0/31', '10.255.1.0/30'], want: { 'default/a': { ips: ['10.255.0.0'] }, 'default/b': { ips: ['10.255.0.1'] }, 'default/c': { ips: ['10.255.1.0'] } } },
  { name: 'a service that holds its address needs nothing; the next skips it', services: [svc('a', {}, {}, ['10.255.0.0']), svc('b')], ranges: ['10.255.0.0/24'], want: { 'default/b': { ips: ['10.255.0.1'] } } },
  { name: 'an externalIP inside the range counts as allocated', services: [svc('ext', { type: 'ClusterIP', externalIPs: ['10.255.0.0'] }), svc('a')], ranges: ['10.255.0.0/24'], want: { 'default/a': { ips: ['10.255.0.1'] } } },
  { name: 'loadBalancerClass kube-router and default are handled; another class is not', services: [svc('a', { loadBalancerClass: 'kube-router' }), svc('b', { loadBalancerClass: 'default' }), svc('c', { loadBalancerClass: 'metallb' })], ranges: ['10.255.0.0/24'], want: { 'default/a': { ips: ['10.255.0.0'] }, 'default/b': { ips: ['10.255.0.1'] } } },
  { name: '--loadbalancer-default-class=false: only loadBalancerClass kube-router', services: [svc('a'), svc('b', { loadBalancerClass: 'kube-router' })], ranges: ['10.255.0.0/24'], defaultClass: false, want: { 'default/b': { ips: ['10.255.0.0'] } } },
  { name: 'spec.loadBalancerIP is not honoured (kube-router cannot take requested addresses)', services: [svc('a', { loadBalancerIP: '10.255.0.9' })], ranges: ['10.255.0.0/24'], want: { 'default/a': { ips: ['10.255.0.0'] } } },
  { name: 'not type LoadBalancer: nothing', services: [svc('a', { type: 'NodePort' })], ranges: ['10.255.0.0/24'], want: {} },
  { name: 'an exhausted range: refused with kube-router\'s words', services: [svc('a'), svc('b')], ranges: ['10.255.0.0/32'], want: { 'default/a': { ips: ['10.255.0.0'] }, 'default/b': { error: 'unable to allocate address: IPv4: no IPs left to allocate' } } },
  { name: 'IPv6 service with only IPv4 ranges', services: [svc('a', { ipFamilies: ['IPv6'] })], ranges: ['10.255.0.0/24'], want: { 'default/a': { error: 'no IPv6 ranges specified' } } },
  { name: 'dual-stack: one address of each family, in ipFamilies order', services: [svc('a', { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'PreferDualStack' })], ranges: ['10.255.0.0/24', 'fd00:255::/120'], want: { 'default/a': { ips: ['fd00:255::', '10.255.0.0'] } } },
  { name: 'PreferDualStack with IPv4 ranges only: the IPv4 address', services: [svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' })], ranges: ['10.255.0.0/24'], want: { 'default/a': { ips: ['10.255.0.0'] } } },
  { name: 'RequireDualStack with IPv4 ranges only: nothing, refused', services: [svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' })], ranges: ['10.255.0.0/24'], want: { 'default/a': { error: 'IPv6 address required, but no IPv6 ranges available' } } },
  { name: 'a dual-stack service holding its IPv4 address gets the IPv6 one added', services: [svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' }, {}, ['10.255.0.7'])], ranges: ['10.255.0.0/24', 'fd00:255::/120'], want: { 'default/a': { ips: ['10.255.0.7', 'fd00:255::'] } } },
  { name: 'no ranges at all: refused', services: [svc('a')], ranges: [], want: { 'default/a': { error: 'no IPv4 ranges specified' } } },
];
for (const c of KR) test(`kube-router lballoc: ${c.name}`, () => assert.deepEqual(kr(c.services, c.ranges, c.defaultClass), c.want));

const subnet = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name }, spec });
const ATTACH = 'lb-svc-attachment.kube-system';
const lbsvc = (name: string, spec: Record<string, unknown> = {}, ingress: string[] = []) => svc(name, spec, { annotations: { [KUBE_OVN_ATTACHMENT_PROVIDER]: ATTACH } }, ingress);
const ATTACH_SUBNET = subnet('attach-subnet', { protocol: 'IPv4', provider: ATTACH, cidrBlock: '172.18.0.0/16', gateway: '172.18.0.1', excludeIps: ['172.18.0.1..172.18.0.10'] });
const ko = (services: K8sObject[], subnets: K8sObject[]): Record<string, LbDecision> => Object.fromEntries(planKubeOvnLb(services, subnets));

interface KoCase { name: string; services: K8sObject[]; subnets: K8sObject[]; want: Record<string, LbDecision> }
const KO: KoCase[] = [
  { name: 'the attachment subnet\'s first free address after the gateway and excludeIps', services: [lbsvc('a'), lbsvc('b')], subnets: [ATTACH_SUBNET], want: { 'default/a': { ips: ['172.18.0.11'] }, 'default/b': { ips: ['172.18.0.12'] } } },
  { name: 'a service without the attachmentprovider annotation is not Kube-OVN\'s', services: [svc('plain')], subnets: [ATTACH_SUBNET], want: {} },
  { name: 'spec.loadBalancerIP inside the subnet is used (kube-ovn docs: static LB IP)', services: [lbsvc('a', { loadBalancerIP: '172.18.0.100' })], subnets: [ATTACH_SUBNET], want: { 'default/a': { ips: ['172.18.0.100'] } } },
  { name: 'spec.loadBalancerIP outside the subnet is refused in Kube-OVN\'s words', services: [lbsvc('a', { loadBalancerIP: '10.0.0.5' })], subnets: [ATTACH_SUBNET], want: { 'default/a': { error: 'the loadbalancer IP 10.0.0.5 is not in the range of subnet attach-subnet, cidr 172.18.0.0/16' } } },
  { name: 'an invalid spec.loadBalancerIP is refused', services: [lbsvc('a', { loadBalancerIP: 'abc' })], subnets: [ATTACH_SUBNET], want: { 'default/a': { error: 'invalid static loadbalancerIP abc' } } },
  { name: 'no Subnet for the provider: no address, the reason given', services: [lbsvc('a')], subnets: [subnet('other', { provider: 'x.y', cidrBlock: '10.1.0.0/24' })], want: { 'default/a': { error: `no Subnet with spec.provider ${ATTACH}` } } },
  { name: 'a provider without a namespace is refused', services: [svc('a', {}, { annotations: { [KUBE_OVN_ATTACHMENT_PROVIDER]: 'nonamespace' } })], subnets: [ATTACH_SUBNET], want: { 'default/a': { error: `annotation ${KUBE_OVN_ATTACHMENT_PROVIDER} "nonamespace": the provider name should consist of name and namespace` } } },
  { name: 'an address already held stays; others skip it', services: [lbsvc('a'), lbsvc('b', {}, ['172.18.0.11'])], subnets: [ATTACH_SUBNET], want: { 'default/a': { ips: ['172.18.0.12'] }, 'default/b': { ips: ['172.18.0.11'] } } },
  { name: 'a full subnet: no address', services: [lbsvc('a'), lbsvc('b')], subnets: [subnet('tiny', { provider: ATTACH, cidrBlock: '10.9.0.0/30', gateway: '10.9.0.1' })], want: { 'default/a': { ips: ['10.9.0.2'] }, 'default/b': { error: 'Subnet tiny has no free address' } } },
];
for (const c of KO) test(`kube-ovn lb-svc: ${c.name}`, () => assert.deepEqual(ko(c.services, c.subnets), c.want));

test('lb-ipam: hostile kube-router ranges and Kube-OVN subnets never throw and never give an invalid address', () => {
  const junk: unknown[] = [null, 1, 'x', [], {}, '', '10.0.0.0/33', 'fd00::/129', '1.2.3.4', '300.1.1.1/24', '10.0.0.0/8,', ' 10.0.0.0/30'];
  for (let i = 0; i < junk.length; i++) {
    const ranges = [junk[i], junk[(i * 7) % junk.length]].filter((x): x is string => typeof x === 'string');
    const services = [svc('a', { ipFamilies: junk[i], ipFamilyPolicy: junk[(i + 3) % junk.length], externalIPs: junk[(i + 1) % junk.length] }, {}, ['x', '']), svc('b', { loadBalancerIP: junk[i] }, { annotations: { [KUBE_OVN_ATTACHMENT_PROVIDER]: String(junk[i]) } })];
    const subnets = [subnet('s', { provider: String(junk[i]), cidrBlock: junk[i], gateway: junk[(i + 2) % junk.length], excludeIps: junk[(i + 5) % junk.length] })];
    for (const d of [...planKubeRouterLb(services, { ranges, defaultClass: true }).values(), ...planKubeOvnLb(services, subnets).values()])
      if ('ips' in d) for (const ip of d.ips) assert.match(ip, /^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]+)$/);
  }
});

test('controller: a Kube-OVN lb-svc service gets its address from the attachment Subnet, beside a MetalLB pool that serves the others', () => {
  const store = new ObjectStore({ historySize: 20 });
  const spec = parseKindCluster({ name: 't', nodes: [{ role: 'control-plane' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  const ctl = new ControllerManager(reg);
  reg.create(findResource('kubeovn.io', 'v1', 'subnets')!, undefined, ATTACH_SUBNET);
  reg.create(findResource('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } });
  reg.create(findResource('metallb.io', 'v1beta1', 'ipaddresspools')!, 'metallb-system', { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: 'metallb-system' }, spec: { addresses: ['192.168.100.10-192.168.100.20'] } });
  reg.create(findResource('', 'v1', 'services')!, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ovn', namespace: 'default', annotations: { [KUBE_OVN_ATTACHMENT_PROVIDER]: ATTACH } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  reg.create(findResource('', 'v1', 'services')!, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  ctl.runPass();
  const ingress = (n: string) => (store.get('services', 'default', n)!.status as { loadBalancer?: { ingress?: Array<{ ip: string }> } }).loadBalancer?.ingress?.map((x) => x.ip);
  assert.deepEqual(ingress('ovn'), ['172.18.0.11']);
  assert.deepEqual(ingress('web'), ['192.168.100.10']);
});
