/**
 * LoadBalancer IPAM end to end: the real API server (its controllers assign status.loadBalancer.ingress from the LB
 * pools), two of our agents in-process as the two rack0/rack1 workers, each peering with its own FRR ToR in a netns.
 * `kubectl expose`-style LoadBalancer Services get an address from a CiliumLoadBalancerIPPool (Cilium dialect), a Calico
 * IPPool with allowedUses LoadBalancer (Calico dialect: serviceLoadBalancerIPs + BGPPeer), a
 * MetalLB IPAddressPool (MetalLB dialect: BGPPeer + BGPAdvertisement) or kube-router's own allocator (its agent with
 * --run-loadbalancer and --loadbalancer-ip-range writes the address), and the ToRs learn the /32; with
 * externalTrafficPolicy Local only the ToR of the node running the endpoint does, and the route follows the pod.
 * Needs root (netns) and FRR; run under the docker lock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiServerProcess, eventually } from './kubectl-helpers.js';
import { createNetnsPeer, type NetnsPeer } from '../interop/lib/netns.js';
import { frrRoute, startFrr, type Frr } from '../interop/lib/frr.js';
import { K8sAgent } from '../../src/agent/k8s/agent.js';
import { createLogger } from '../../src/bgp/session/log.js';
import type { DialectName } from '../../src/agent/dialects/types.js';

const NODES = ['clab-bgp-cplane-demo-worker', 'clab-bgp-cplane-demo-worker2'] as const;
const TOR_ASN = 65000;
const NODE_ASN = 65010;

type BgpJson = { routes?: Record<string, Array<{ nexthops?: Array<{ ip: string }> }>> };
const frrRoutes = async (f: Frr): Promise<Record<string, string[]>> => {
  const j = await f.json<BgpJson>('show bgp ipv4 json');
  return Object.fromEntries(Object.entries(j.routes ?? {}).map(([p, paths]) => [p, paths.flatMap((x) => (x.nexthops ?? []).map((n) => n.ip))]));
};
const frrConf = (p: NetnsPeer, i: number) => [
  'frr defaults datacenter', `hostname tor${i}`, `router bgp ${TOR_ASN}`, ` bgp router-id 10.255.0.${i + 1}`, ' no bgp ebgp-requires-policy', ' no bgp network import-check',
  ` neighbor ${p.host4} remote-as ${NODE_ASN}`, ` neighbor ${p.host4} passive`, ' address-family ipv4 unicast', ' exit-address-family', '',
].join('\n');

describe('LB-IPAM: LoadBalancer services get pool addresses and the ToRs learn them', { timeout: 240_000 }, () => {
  let api: ApiServerProcess;
  const peers: NetnsPeer[] = [];
  const frrs: Frr[] = [];
  let agents: K8sAgent[] = [];
  let dir: string;
  const logs: string[] = [];

  const startAgents = async (dialect: DialectName, dialectArgs: string[] = []) => {
    agents = NODES.map((node, i) => new K8sAgent({
      node, kubeconfig: api.kubeconfig, dialect, dialectArgs, admin: path.join(dir, `admin-${dialect}-${i}.sock`),
      listen: { address: '0.0.0.0', port: 0 }, log: createLogger({ write: (l) => logs.push(l) }), fibNetns: false,
    }));
    for (const a of agents) await a.start();
  };
  const stopAgents = async () => {
    for (const a of agents) await a.stop();
    agents = [];
  };
  const established = () => eventually(async () => agents.every((a, i) => a.bgp?.neighborStatus().find((n) => n.address === peers[i]!.peer4)?.state === 'Established'), 'both sessions Established', 30_000);
  /** Which ToRs (0, 1) have `prefix`, with the node's address as next hop. */
  const torsWith = async (prefix: string): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < frrs.length; i++) {
      const r = (await frrRoutes(frrs[i]!))[prefix];
      if (r) {
        assert.deepEqual(r, [peers[i]!.host4], `tor${i}: next hop of ${prefix} is node ${NODES[i]}`);
        out.push(i);
      }
    }
    return out;
  };
  const waitTors = (prefix: string, want: number[], what: string) =>
    eventually(async () => (JSON.stringify(await torsWith(prefix)) === JSON.stringify(want) ? true : undefined), `${what}: ${prefix} on tors ${JSON.stringify(want)}`, 20_000);
  const apply = async (yaml: string) => {
    const r = await api.kubectl(['apply', '-f', '-'], yaml);
    assert.equal(r.code, 0, r.stderr);
  };
  const lbIp = (svc: string) => eventually(async () => {
    const s = await api.json<{ status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } }>('get', 'service', svc);
    return s.status?.loadBalancer?.ingress?.[0]?.ip;
  }, `${svc} gets a LoadBalancer IP`, 15_000);
  /** A Running, Ready pod of app=`app` on `node` (the controllers then put it into the service's EndpointSlice). */
  const readyPod = async (name: string, app: string, node: string, ip: string) => {
    await apply(`apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { app: ${app} } }
spec: { nodeName: ${node}, containers: [{ name: c, image: nginx }] }
`);
    const now = new Date().toISOString();
    await api.ok('patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }));
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kl-lbipam-'));
    api = new ApiServerProcess(ApiServerProcess.tempDir());
    await api.start();
    for (const n of ['lbipam0', 'lbipam1']) peers.push(await createNetnsPeer(n));
    for (let i = 0; i < peers.length; i++) frrs.push(await startFrr(peers[i]!, frrConf(peers[i]!, i)));
  });
  after(async () => {
    await stopAgents();
    for (const f of frrs) await f.cleanup();
    for (const p of peers) await p.cleanup();
    await api?.stop();
    if (api) rmSync(api.dataDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Cilium: CiliumLoadBalancerIPPool address advertised by both nodes (eTP Cluster), by the endpoint\'s node only (eTP Local), following the pod', async (t) => {
    t.after(stopAgents);
    // One peering policy per node (each node's own ToR), selecting services labelled announce=bgp.
    await apply(NODES.map((node, i) => `apiVersion: cilium.io/v2alpha1
kind: CiliumBGPPeeringPolicy
metadata: { name: node${i} }
spec:
  nodeSelector: { matchLabels: { kubernetes.io/hostname: ${node} } }
  virtualRouters:
  - localASN: ${NODE_ASN}
    serviceSelector: { matchLabels: { announce: bgp } }
    neighbors:
    - { peerAddress: "${peers[i]!.peer4}/32", peerASN: ${TOR_ASN} }
`).join('---\n') + `---
apiVersion: cilium.io/v2alpha1
kind: CiliumLoadBalancerIPPool
metadata: { name: lb }
spec:
  blocks: [{ cidr: 172.16.50.0/28 }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default, labels: { announce: bgp } }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 80 }] }
`);
    await startAgents('cilium');
    await established();
    const ip = await lbIp('web');
    assert.match(ip, /^172\.16\.50\.\d+$/, 'address from the CiliumLoadBalancerIPPool');
    await waitTors(`${ip}/32`, [0, 1], 'eTP Cluster: every selected node advertises');

    await api.ok('patch', 'service', 'web', '--type=merge', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}');
    await waitTors(`${ip}/32`, [], 'eTP Local without endpoints: nobody');
    await readyPod('web-1', 'web', NODES[1], '10.1.3.10');
    await waitTors(`${ip}/32`, [1], 'eTP Local: only the node with the endpoint');
    await api.ok('delete', 'pod', 'web-1', '--wait=false');
    await readyPod('web-2', 'web', NODES[0], '10.1.2.10');
    await waitTors(`${ip}/32`, [0], 'eTP Local: the route follows the endpoint');
    await api.ok('delete', 'pod', 'web-2', '--wait=false');
    await api.ok('delete', 'service', 'web');
    await waitTors(`${ip}/32`, [], 'service deleted: withdrawn');
    await api.ok('delete', 'ciliumbgppeeringpolicy', 'node0', 'node1');
    await api.ok('delete', 'ciliumloadbalancerippool', 'lb');
  });

  test('MetalLB: IPAddressPool + BGPPeer + BGPAdvertisement; eTP Local only from the endpoint\'s node; aggregationLength and community', async (t) => {
    t.after(stopAgents);
    await apply(`apiVersion: v1
kind: Namespace
metadata: { name: metallb-system }
`);
    await apply(NODES.map((node, i) => `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: tor${i}, namespace: metallb-system }
spec:
  myASN: ${NODE_ASN}
  peerASN: ${TOR_ASN}
  peerAddress: ${peers[i]!.peer4}
  nodeSelectors: [{ matchLabels: { kubernetes.io/hostname: ${node} } }]
`).join('---\n') + `---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: public, namespace: metallb-system }
spec:
  addresses: [172.16.60.0/28]
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: hosts, namespace: metallb-system }
spec:
  ipAddressPools: [public]
  communities: [65000:300]
---
apiVersion: v1
kind: Service
metadata: { name: shop, namespace: default }
spec: { type: LoadBalancer, externalTrafficPolicy: Local, selector: { app: shop }, ports: [{ port: 80 }] }
`);
    await startAgents('metallb');
    await established();
    const ip = await lbIp('shop');
    assert.match(ip, /^172\.16\.60\.\d+$/, 'address from the MetalLB IPAddressPool');
    assert.deepEqual(await torsWith(`${ip}/32`), [], 'eTP Local without endpoints: nobody');
    await readyPod('shop-1', 'shop', NODES[0], '10.1.2.20');
    await waitTors(`${ip}/32`, [0], 'eTP Local: only the node with the endpoint');
    assert.equal((await frrRoute(frrs[0]!, 'ipv4', `${ip}/32`))?.community, '65000:300', 'the BGPAdvertisement community reaches the ToR');

    // A second advertisement aggregates to the pool's /28; the eTP Local rule applies to it too.
    await apply(`apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: aggregate, namespace: metallb-system }
spec:
  ipAddressPools: [public]
  aggregationLength: 28
`);
    await waitTors('172.16.60.0/28', [0], 'aggregate from the endpoint\'s node');
    await api.ok('patch', 'service', 'shop', '--type=merge', '-p', '{"spec":{"externalTrafficPolicy":"Cluster"}}');
    await waitTors(`${ip}/32`, [0, 1], 'eTP Cluster with a ready endpoint: every node');
    await api.ok('delete', 'pod', 'shop-1', '--wait=false');
    await waitTors(`${ip}/32`, [], 'eTP Cluster without any ready endpoint: withdrawn (MetalLB)');
    await api.ok('delete', 'service', 'shop');
  });

  test('Calico: an IPPool with allowedUses LoadBalancer gives the address; serviceLoadBalancerIPs advertised by every node, the eTP Local /32 by the endpoint\'s node only', async (t) => {
    t.after(stopAgents);
    // Only Calico's pool from here on.
    await api.ok('delete', 'ciliumloadbalancerippools.cilium.io', '--all');
    await api.ok('delete', 'ipaddresspools.metallb.io', '--all', '-n', 'metallb-system');
    await apply(`apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: lb }
spec: { cidr: 172.16.70.0/28, allowedUses: [LoadBalancer] }
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: { name: default }
spec:
  asNumber: ${NODE_ASN}
  nodeToNodeMeshEnabled: false
  serviceLoadBalancerIPs: [{ cidr: 172.16.70.0/28 }]
---
` + NODES.map((node, i) => `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: { name: tor${i} }
spec: { node: ${node}, peerIP: ${peers[i]!.peer4}, asNumber: ${TOR_ASN} }
`).join('---\n') + `---
apiVersion: v1
kind: Service
metadata: { name: cart, namespace: default }
spec: { type: LoadBalancer, externalTrafficPolicy: Local, selector: { app: cart }, ports: [{ port: 80 }] }
`);
    await startAgents('calico');
    await established();
    const ip = await lbIp('cart');
    assert.match(ip, /^172\.16\.70\.\d+$/, 'address from the Calico IPPool');
    await waitTors('172.16.70.0/28', [0, 1], 'the serviceLoadBalancerIPs range from every node');
    assert.deepEqual(await torsWith(`${ip}/32`), [], 'eTP Local without endpoints: no /32');
    await readyPod('cart-1', 'cart', NODES[1], '10.1.3.21');
    await waitTors(`${ip}/32`, [1], 'eTP Local: the /32 from the endpoint\'s node only');
    await api.ok('delete', 'pod', 'cart-1', '--wait=false');
    await waitTors(`${ip}/32`, [], 'endpoint gone: /32 withdrawn');
    await api.ok('delete', 'service', 'cart');
  });

  test('kube-router: --run-loadbalancer gives the first address of --loadbalancer-ip-range, --advertise-loadbalancer-ip announces it from every node, eTP Local from the endpoint\'s node only', async (t) => {
    t.after(stopAgents);
    // No pool of the API server's controller any more: kube-router's allocator, in the agent, writes the address.
    await api.ok('delete', 'ippools.projectcalico.org', '--all');
    for (let i = 0; i < NODES.length; i++) await api.ok('annotate', 'node', NODES[i]!, `kube-router.io/peer.ips=${peers[i]!.peer4}`, `kube-router.io/peer.asns=${TOR_ASN}`, '--overwrite');
    await apply(`apiVersion: v1
kind: Service
metadata: { name: cache, namespace: default }
spec: { type: LoadBalancer, selector: { app: cache }, ports: [{ port: 80 }] }
`);
    await startAgents('kube-router', ['--run-loadbalancer=true', '--loadbalancer-ip-range=172.16.80.0/28', '--advertise-loadbalancer-ip=true', '--advertise-pod-cidr=false', '--enable-ibgp=false', `--cluster-asn=${NODE_ASN}`]);
    await established();
    const ip = await lbIp('cache');
    assert.equal(ip, '172.16.80.0', 'kube-router counts from the range\'s first (network) address');
    await waitTors(`${ip}/32`, [0, 1], 'eTP Cluster: every node');
    await api.ok('patch', 'service', 'cache', '--type=merge', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}');
    await waitTors(`${ip}/32`, [], 'eTP Local without endpoints: nobody');
    await readyPod('cache-1', 'cache', NODES[0], '10.1.2.30');
    await waitTors(`${ip}/32`, [0], 'eTP Local: only the node with the endpoint');
    await api.ok('delete', 'pod', 'cache-1', '--wait=false');
    await api.ok('delete', 'service', 'cache');
    await waitTors(`${ip}/32`, [], 'service deleted: withdrawn');
  });
});
