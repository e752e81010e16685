import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { findResource } from '../apiserver/resources.js';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import type { K8sObject } from '../store/types.js';
import { lbPools, planLbIpam, type LbDecision } from './lb-ipam.js';
import { ControllerManager } from './manager.js';

let t = 0;
const svc = (name: string, spec: Record<string, unknown> = {}, meta: Partial<K8sObject['metadata']> = {}, ingress: string[] = []): K8sObject => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'default', creationTimestamp: `2026-01-01T00:00:${String(t++).padStart(2, '0')}Z`, ...meta },
  spec: { type: 'LoadBalancer', ...spec },
  status: ingress.length ? { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } } : {},
});
const pool = (kind: string, name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'x', kind, metadata: { name }, spec });
const cil = (name: string, spec: Record<string, unknown>) => pool('CiliumLoadBalancerIPPool', name, spec);
const plan = (services: K8sObject[], c: K8sObject[] = [], k: K8sObject[] = [], m: K8sObject[] = []): Record<string, LbDecision> =>
  Object.fromEntries(planLbIpam(services, lbPools(c, k, m)));

interface Case { name: string; services: K8sObject[]; cilium?: K8sObject[]; calico?: K8sObject[]; metallb?: K8sObject[]; want: Record<string, LbDecision> }
const cases: Case[] = [
  { name: 'cilium block: first address, in creation order', services: [svc('a'), svc('b')], cilium: [cil('p', { blocks: [{ cidr: '172.16.10.0/30' }] })], want: { 'default/a': { ips: ['172.16.10.0'] }, 'default/b': { ips: ['172.16.10.1'] } } },
  { name: 'cilium allowFirstLastIPs: No skips network/broadcast', services: [svc('a')], cilium: [cil('p', { blocks: [{ cidr: '172.16.10.0/29' }], allowFirstLastIPs: 'No' })], want: { 'default/a': { ips: ['172.16.10.1'] } } },
  { name: 'cilium start/stop range', services: [svc('a')], cilium: [cil('p', { blocks: [{ start: '192.0.2.50', stop: '192.0.2.60' }] })], want: { 'default/a': { ips: ['192.0.2.50'] } } },
  { name: 'cilium v2alpha1 cidrs field', services: [svc('a')], cilium: [cil('p', { cidrs: [{ cidr: '10.20.0.8/30' }] })], want: { 'default/a': { ips: ['10.20.0.8'] } } },
  { name: 'cilium disabled pool hands out nothing', services: [svc('a')], cilium: [cil('p', { disabled: true, blocks: [{ cidr: '10.20.0.0/24' }] })], want: { 'default/a': { error: 'no LoadBalancer IP pool exists' } } },
  { name: 'cilium serviceSelector by label and by io.kubernetes.service.name', services: [svc('a', {}, { labels: { color: 'blue' } }), svc('b'), svc('c')],
    cilium: [cil('blue', { blocks: [{ cidr: '10.0.10.0/24' }], serviceSelector: { matchLabels: { color: 'blue' } } }), cil('byname', { blocks: [{ cidr: '10.0.20.0/24' }], serviceSelector: { matchExpressions: [{ key: 'io.kubernetes.service.name', operator: 'In', values: ['c'] }] } })],
    want: { 'default/a': { ips: ['10.0.10.0'] }, 'default/b': { error: 'no free address in any pool that selects this service' }, 'default/c': { ips: ['10.0.20.0'] } } },
  { name: 'lbipam.cilium.io/ips and io.cilium/lb-ipam-ips requests', services: [svc('a', {}, { annotations: { 'lbipam.cilium.io/ips': '10.0.10.7' } }), svc('b', {}, { annotations: { 'io.cilium/lb-ipam-ips': '10.0.10.9' } })],
    cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: { 'default/a': { ips: ['10.0.10.7'] }, 'default/b': { ips: ['10.0.10.9'] } } },
  { name: 'spec.loadBalancerIP honoured; outside every pool refused', services: [svc('a', { loadBalancerIP: '10.0.10.5' }), svc('b', { loadBalancerIP: '10.9.9.9' })],
    cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: { 'default/a': { ips: ['10.0.10.5'] }, 'default/b': { error: 'requested address 10.9.9.9 is in no pool that selects this service' } } },
  { name: 'conflict: the older service keeps the requested address', services: [svc('old', { loadBalancerIP: '10.0.10.5' }), svc('new', {}, { annotations: { 'lbipam.cilium.io/ips': '10.0.10.5' } })],
    cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: { 'default/old': { ips: ['10.0.10.5'] }, 'default/new': { error: 'requested address 10.0.10.5 is already in use' } } },
  { name: 'an address already held stays; the next service skips it', services: [svc('a'), svc('b', {}, {}, ['10.0.10.0'])], cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: { 'default/a': { ips: ['10.0.10.1'] }, 'default/b': { ips: ['10.0.10.0'] } } },
  { name: 'held address no longer in a pool is replaced', services: [svc('a', {}, {}, ['10.9.0.1'])], cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: { 'default/a': { ips: ['10.0.10.0'] } } },
  { name: 'not LoadBalancer or with loadBalancerClass: untouched', services: [svc('c', { type: 'ClusterIP' }), svc('x', { loadBalancerClass: 'example.com/other' })], cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: {} },
  { name: 'bad request annotation refused with the value named', services: [svc('a', {}, { annotations: { 'lbipam.cilium.io/ips': 'nope' } })], cilium: [cil('p', { blocks: [{ cidr: '10.0.10.0/24' }] })], want: { 'default/a': { error: 'requested address "nope" is not an IP address' } } },
  { name: 'calico IPPool with allowedUses LoadBalancer only', services: [svc('a')],
    calico: [pool('IPPool', 'pods', { cidr: '10.244.0.0/16', allowedUses: ['Workload', 'Tunnel'] }), pool('IPPool', 'lb', { cidr: '192.0.2.64/28', allowedUses: ['LoadBalancer'] })], want: { 'default/a': { ips: ['192.0.2.64'] } } },
  { name: 'calico disabled LB pool', services: [svc('a')], calico: [pool('IPPool', 'lb', { cidr: '192.0.2.64/28', allowedUses: ['LoadBalancer'], disabled: true })], want: { 'default/a': { error: 'no LoadBalancer IP pool exists' } } },
  { name: 'metallb range and CIDR; autoAssign false only on request', services: [svc('a'), svc('b', {}, { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.9' } })],
    metallb: [pool('IPAddressPool', 'manual', { addresses: ['198.51.100.0/24'], autoAssign: false }), pool('IPAddressPool', 'auto', { addresses: ['203.0.113.10-203.0.113.20'] })], want: { 'default/a': { ips: ['203.0.113.10'] }, 'default/b': { ips: ['198.51.100.9'] } } },
  { name: 'metallb avoidBuggyIPs skips .0', services: [svc('a')], metallb: [pool('IPAddressPool', 'p', { addresses: ['203.0.113.0/24'], avoidBuggyIPs: true })], want: { 'default/a': { ips: ['203.0.113.1'] } } },
  { name: 'metallb serviceAllocation namespaces and selectors', services: [svc('a', {}, { namespace: 'prod' }), svc('b', {}, { labels: { tier: 'web' } }), svc('c')],
    metallb: [pool('IPAddressPool', 'prod', { addresses: ['10.1.0.0/24'], serviceAllocation: { namespaces: ['prod'] } }), pool('IPAddressPool', 'web', { addresses: ['10.2.0.0/24'], serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'web' } }] } })],
    want: { 'prod/a': { ips: ['10.1.0.0'] }, 'default/b': { ips: ['10.2.0.0'] }, 'default/c': { error: 'no free address in any pool that selects this service' } } },
  { name: 'metallb.universe.tf/loadBalancerIPs (legacy) request', services: [svc('a', {}, { annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.1.0.77' } })], metallb: [pool('IPAddressPool', 'p', { addresses: ['10.1.0.0/24'] })], want: { 'default/a': { ips: ['10.1.0.77'] } } },
  { name: 'pool exhausted', services: [svc('a'), svc('b')], cilium: [cil('p', { blocks: [{ cidr: '10.0.10.1/32' }] })], want: { 'default/a': { ips: ['10.0.10.1'] }, 'default/b': { error: 'no free address in any pool that selects this service' } } },

  // IPv6 and dual-stack: one address per family of spec.ipFamilies, in that order (Cilium LB-IPAM, MetalLB)
  ...((): Case[] => {
    const dualPool = cil('dual', { blocks: [{ cidr: '10.0.10.0/24' }, { cidr: '2004::/64' }] });
    const dual = (policy: string, families: string[] = ['IPv4', 'IPv6']) => ({ type: 'LoadBalancer', ipFamilyPolicy: policy, ipFamilies: families });
    return [
      { name: 'cilium dual-stack pool, PreferDualStack IPv6-first: an IPv6 then an IPv4 address', services: [svc('a', dual('PreferDualStack', ['IPv6', 'IPv4']))], cilium: [dualPool], want: { 'default/a': { ips: ['2004::', '10.0.10.0'] } } },
      { name: 'cilium SingleStack IPv6: the IPv6 address only', services: [svc('a', dual('SingleStack', ['IPv6']))], cilium: [dualPool], want: { 'default/a': { ips: ['2004::'] } } },
      { name: 'SingleStack with two ipFamilies listed: the first family only', services: [svc('a', dual('SingleStack', ['IPv6', 'IPv4']))], cilium: [dualPool], want: { 'default/a': { ips: ['2004::'] } } },
      { name: 'no ipFamilies: IPv4 only, as a single-stack cluster\'s service', services: [svc('a')], cilium: [dualPool], want: { 'default/a': { ips: ['10.0.10.0'] } } },
      { name: 'per-family pools: the IPv4 from one pool, the IPv6 from another', services: [svc('a', dual('RequireDualStack'))],
        cilium: [cil('v4', { blocks: [{ cidr: '10.0.10.0/30' }] }), cil('v6', { blocks: [{ start: 'fd00:1b::10', stop: 'fd00:1b::1f' }] })], want: { 'default/a': { ips: ['10.0.10.0', 'fd00:1b::10'] } } },
      { name: 'RequireDualStack with only an IPv4 pool: refused', services: [svc('a', dual('RequireDualStack'))], cilium: [cil('v4', { blocks: [{ cidr: '10.0.10.0/30' }] })], want: { 'default/a': { error: 'no free IPv6 address in any pool that selects this service' } } },
      { name: 'PreferDualStack with only an IPv4 pool: the IPv4 address', services: [svc('a', dual('PreferDualStack'))], cilium: [cil('v4', { blocks: [{ cidr: '10.0.10.0/30' }] })], want: { 'default/a': { ips: ['10.0.10.0'] } } },
      { name: 'IPv6 allowFirstLastIPs: No skips the subnet-router address', services: [svc('a', dual('SingleStack', ['IPv6']))], cilium: [cil('p', { blocks: [{ cidr: '2004::/120' }], allowFirstLastIPs: 'No' })], want: { 'default/a': { ips: ['2004::1'] } } },
      { name: 'IPv6 pool exhausted: the second service is refused', services: [svc('a', dual('SingleStack', ['IPv6'])), svc('b', dual('SingleStack', ['IPv6']))], cilium: [cil('p', { blocks: [{ cidr: '2004::5/128' }] })],
        want: { 'default/a': { ips: ['2004::5'] }, 'default/b': { error: 'no free IPv6 address in any pool that selects this service' } } },
      { name: 'requested addresses of both families (lbipam.cilium.io/ips), returned in ipFamilies order', services: [svc('a', dual('RequireDualStack', ['IPv6', 'IPv4']), { annotations: { 'lbipam.cilium.io/ips': '10.0.10.7, 2004::7' } })], cilium: [dualPool], want: { 'default/a': { ips: ['2004::7', '10.0.10.7'] } } },
      { name: 'a requested IPv6 address for an IPv4-only service: refused', services: [svc('a', {}, { annotations: { 'lbipam.cilium.io/ips': '2004::7' } })], cilium: [dualPool], want: { 'default/a': { error: "requested address 2004::7 is IPv6, not of the service's ipFamilies (IPv4)" } } },
      { name: 'two IPv6 addresses requested: refused', services: [svc('a', dual('PreferDualStack'), { annotations: { 'lbipam.cilium.io/ips': '2004::7,2004::8' } })], cilium: [dualPool], want: { 'default/a': { error: 'more than one IPv6 address requested (2004::7, 2004::8)' } } },
      { name: 'RequireDualStack requesting only IPv4: refused', services: [svc('a', dual('RequireDualStack'), { annotations: { 'lbipam.cilium.io/ips': '10.0.10.7' } })], cilium: [dualPool], want: { 'default/a': { error: 'ipFamilyPolicy RequireDualStack needs an IPv6 address too, none requested' } } },
      { name: 'requested IPv6 written long is taken as the same address', services: [svc('a', dual('SingleStack', ['IPv6']), { annotations: { 'io.cilium/lb-ipam-ips': '2004:0:0:0:0:0:0:9' } }), svc('b', dual('SingleStack', ['IPv6']), { annotations: { 'io.cilium/lb-ipam-ips': '2004::9' } })], cilium: [dualPool],
        want: { 'default/a': { ips: ['2004::9'] }, 'default/b': { error: 'requested address 2004::9 is already in use' } } },
      { name: 'held IPv6 address stays; an IPv4 one is added when the service becomes dual-stack', services: [svc('a', dual('PreferDualStack'), {}, ['2004::42']), svc('b', dual('SingleStack', ['IPv6']), {}, ['2004::43'])], cilium: [dualPool],
        want: { 'default/a': { ips: ['10.0.10.0', '2004::42'] }, 'default/b': { ips: ['2004::43'] } } },
      { name: 'a held IPv4 address of a service now IPv6-only is replaced', services: [svc('a', dual('SingleStack', ['IPv6']), {}, ['10.0.10.3'])], cilium: [dualPool], want: { 'default/a': { ips: ['2004::'] } } },
      { name: 'calico IPv6 IPPool with allowedUses LoadBalancer', services: [svc('a', dual('SingleStack', ['IPv6']))], calico: [pool('IPPool', 'lb6', { cidr: 'fd00:10:200::/120', allowedUses: ['LoadBalancer'] })], want: { 'default/a': { ips: ['fd00:10:200::'] } } },
      { name: 'metallb dual-stack: both addresses from the one pool that has both families', services: [svc('a', dual('PreferDualStack'))],
        metallb: [pool('IPAddressPool', 'v6only', { addresses: ['fd00:99::/120'] }), pool('IPAddressPool', 'both', { addresses: ['198.51.100.0/24', 'fd00:100::10-fd00:100::20'] })], want: { 'default/a': { ips: ['198.51.100.0', 'fd00:100::10'] } } },
      { name: 'metallb dual-stack with per-family pools only: no address (its allocator works per pool)', services: [svc('a', dual('PreferDualStack'))],
        metallb: [pool('IPAddressPool', 'v4', { addresses: ['198.51.100.0/24'] }), pool('IPAddressPool', 'v6', { addresses: ['fd00:99::/120'] })], want: { 'default/a': { error: 'no pool that selects this service has free IPv4 and IPv6 addresses' } } },
      { name: 'metallb avoidBuggyIPs does not apply to IPv6', services: [svc('a', dual('SingleStack', ['IPv6']))], metallb: [pool('IPAddressPool', 'p', { addresses: ['fd00:99::/120'], avoidBuggyIPs: true })], want: { 'default/a': { ips: ['fd00:99::'] } } },
      { name: 'metallb a range across families is no range', services: [svc('a')], metallb: [pool('IPAddressPool', 'p', { addresses: ['10.0.0.1-fd00::1'] })], want: { 'default/a': { error: 'no free address in any pool that selects this service' } } },
    ];
  })(),
];
for (const c of cases) test(`lb-ipam: ${c.name}`, () => assert.deepEqual(plan(c.services, c.cilium, c.calico, c.metallb), c.want));

test('lb-ipam: hostile pool and service objects never throw and never yield an empty/invalid address', () => {
  const junk: unknown[] = [null, 1, 'x', [], {}, { cidr: 5 }, { cidr: 'fd00::/129' }, { start: 'fd00::9', stop: 'fd00::1' }, { start: '10.0.0.1', stop: 'fd00::1' }, { cidr: 'fd00:::/64' }, { cidr: '1.2.3.4/99' }, { start: '9.9.9.9', stop: '1.1.1.1' }, { cidr: '' }, { cidr: '300.1.1.1/24' }, { start: 'a' }];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 300; i++) {
    const blocks = Array.from({ length: rnd(4) }, () => junk[rnd(junk.length)]);
    const pools = [cil('c', { blocks, disabled: rnd(3) === 0 ? 'yes' : undefined, serviceSelector: junk[rnd(junk.length)] }), pool('IPAddressPool', 'm', { addresses: [junk[rnd(junk.length)], '1.2.3.4-', '-', '10.0.0.0/33'], autoAssign: junk[rnd(junk.length)] })];
    const services = [svc('a', { loadBalancerIP: junk[rnd(junk.length)] }, { annotations: { 'lbipam.cilium.io/ips': ',, ,' } }), svc('b', {}, {}, ['', 'x'])];
    const out = planLbIpam(services, lbPools(pools, [pool('IPPool', 'k', { cidr: junk[rnd(junk.length)], allowedUses: 'LoadBalancer' })], pools));
    for (const d of out.values()) if ('ips' in d) for (const ip of d.ips) assert.match(ip, /^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]+)$/);
  }
});

test('controller: a LoadBalancer service gets status.loadBalancer.ingress from a Cilium pool', () => {
  const store = new ObjectStore({ historySize: 20 });
  const spec = parseKindCluster({ name: 't', nodes: [{ role: 'control-plane' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  const ctl = new ControllerManager(reg);
  reg.create(findResource('cilium.io', 'v2', 'ciliumloadbalancerippools')!, undefined, { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name: 'p' }, spec: { blocks: [{ cidr: '172.16.10.0/24' }] } });
  reg.create(findResource('', 'v1', 'services')!, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  ctl.runPass();
  const got = store.get('services', 'default', 'web')!;
  assert.deepEqual((got.status as { loadBalancer: unknown }).loadBalancer, { ingress: [{ ip: '172.16.10.0', ipMode: 'VIP' }] });
  ctl.runPass();
  assert.equal(store.get('services', 'default', 'web')!.metadata.resourceVersion, got.metadata.resourceVersion, 'a second pass changes nothing');
});

test('controller: a dual-stack LoadBalancer service in a dual cluster gets an IPv4 and an IPv6 ingress, in ipFamilies order', () => {
  const store = new ObjectStore({ historySize: 20 });
  const spec = parseKindCluster({ name: 't', networking: { ipFamily: 'dual' }, nodes: [{ role: 'control-plane' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  const ctl = new ControllerManager(reg);
  reg.create(findResource('cilium.io', 'v2', 'ciliumloadbalancerippools')!, undefined, { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name: 'p' }, spec: { blocks: [{ cidr: '172.16.10.0/24' }, { cidr: '2004::/64' }] } });
  reg.create(findResource('', 'v1', 'services')!, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], ports: [{ port: 80 }] } });
  ctl.runPass();
  const got = store.get('services', 'default', 'web')!;
  assert.deepEqual((got.spec as { ipFamilies: string[] }).ipFamilies, ['IPv6', 'IPv4']);
  assert.deepEqual((got.status as { loadBalancer: unknown }).loadBalancer, { ingress: [{ ip: '2004::', ipMode: 'VIP' }, { ip: '172.16.10.0', ipMode: 'VIP' }] });
  ctl.runPass();
  assert.equal(store.get('services', 'default', 'web')!.metadata.resourceVersion, got.metadata.resourceVersion, 'a second pass changes nothing');
});
