/**
 * The Kubernetes-mode agent live: the real API server (src/cluster/apiserver/main.ts on loopback, the article's
 * kind cluster.yaml), our agent in-process as node clab-bgp-cplane-demo-control-plane, and FRR bgpd in a netns as
 * the ToR. `kubectl` changes (policy objects, node labels, services, annotations) make routes appear and disappear
 * in FRR's `show bgp ipv4 json`; kube-router mode installs FRR's route into a FIB netns. Needs root (netns).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ApiServerProcess, eventually } from './kubectl-helpers.js';
import { createNetnsPeer, type NetnsPeer } from '../interop/lib/netns.js';
import { startFrr, type Frr } from '../interop/lib/frr.js';
import { K8sAgent } from '../../src/agent/k8s/agent.js';
import { createLogger } from '../../src/bgp/session/log.js';
import type { DialectName } from '../../src/agent/dialects/types.js';

const NODE = 'clab-bgp-cplane-demo-control-plane';
const ROOT = path.resolve(import.meta.dirname, '../..');

type BgpJson = { routes?: Record<string, Array<{ nexthops?: Array<{ ip: string }> }>> };
const frrRoutes = async (f: Frr): Promise<Record<string, string[]>> => {
  const j = await f.json<BgpJson>('show bgp ipv4 json');
  return Object.fromEntries(Object.entries(j.routes ?? {}).map(([p, paths]) => [p, paths.flatMap((x) => (x.nexthops ?? []).map((n) => n.ip))]));
};
const frrConf = (p: NetnsPeer, asn: number, peerAsn: number, extra: string[] = []) => [
  'frr defaults datacenter', 'hostname tor0', `router bgp ${asn}`, ' bgp router-id 10.0.0.1', ' no bgp ebgp-requires-policy', ' no bgp network import-check',
  ` neighbor ${p.host4} remote-as ${peerAsn}`, ` neighbor ${p.host4} passive`, ' address-family ipv4 unicast', ...extra, ' exit-address-family', '',
].join('\n');

describe('lab-agent k8s against the real API server and FRR', { timeout: 180_000 }, () => {
  let api: ApiServerProcess;
  let peer: NetnsPeer;
  let frr: Frr | undefined;
  let agent: K8sAgent | undefined;
  let dir: string;
  const logs: string[] = [];

  const startAgent = async (dialect: DialectName, dialectArgs: string[], fibNetns: string | false = false) => {
    agent = new K8sAgent({
      node: NODE, kubeconfig: api.kubeconfig, dialect, dialectArgs, admin: path.join(dir, `admin-${dialect}.sock`),
      listen: { address: '0.0.0.0', port: 0 }, log: createLogger({ write: (l) => logs.push(l) }), fibNetns,
    });
    await agent.start();
  };
  const stopAll = async () => {
    await agent?.stop();
    agent = undefined;
    await frr?.cleanup();
    frr = undefined;
  };
  const established = () => eventually(async () => agent!.bgp?.neighborStatus().find((n) => n.address === peer.peer4)?.state === 'Established', 'session Established', 20_000);
  const sessionFlaps = () => agent!.bgp!.neighborStatus().find((n) => n.address === peer.peer4)!.flaps;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kl-agent-k8s-'));
    api = new ApiServerProcess(ApiServerProcess.tempDir());
    await api.start();
    peer = await createNetnsPeer('agentk8s');
  });
  after(async () => {
    await stopAll();
    await peer?.cleanup();
    await api?.stop();
    rmSync(api.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('Cilium: the article policy brings the pod CIDR to the ToR; node label and service changes add and withdraw routes', async (t) => {
    t.after(stopAll);
    const podCidr = (await api.json<{ spec: { podCIDR: string } }>('get', 'node', NODE)).spec.podCIDR;
    frr = await startFrr(peer, frrConf(peer, 65010, 65010));
    await startAgent('cilium', []);
    assert.equal(agent!.currentIntent?.localAsn ?? 0, 0, 'no policy yet: no BGP');
    // The article's rack0 policy, with tor0's address being the netns peer.
    const policy = `apiVersion: "cilium.io/v2alpha1"
kind: CiliumBGPPeeringPolicy
metadata:
  name: rack0
spec:
  nodeSelector:
    matchLabels:
      rack: rack0
  virtualRouters:
  - localASN: 65010
    exportPodCIDR: true
    serviceSelector:
      matchLabels: { announce: bgp }
    neighbors:
    - peerAddress: "${peer.peer4}/32"
      peerASN: 65010
`;
    const r = await api.kubectl(['apply', '-f', '-'], policy);
    assert.equal(r.code, 0, r.stderr);
    await established();
    // The agent records the session on its Node, as `kubectl get events` shows it.
    await eventually(async () => (await api.ok('get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${NODE}`)).match(new RegExp(`BGPSessionEstablished\\s+node/${NODE}\\s+BGP session with ${peer.peer4.replaceAll('.', '\\.')} established`)), 'BGPSessionEstablished event', 10_000);
    const routes = await eventually(async () => { const x = await frrRoutes(frr!); return x[podCidr] ? x : undefined; }, `${podCidr} in FRR`, 10_000);
    assert.deepEqual(routes[podCidr], [peer.host4], 'next hop = the node address on the peering interface');

    // A LoadBalancer service selected by serviceSelector: its ingress IP appears as a /32, with no session reset.
    const flaps = sessionFlaps();
    const svc = await api.kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: { name: web, namespace: default, labels: { announce: bgp } }
spec: { type: LoadBalancer, ports: [{ port: 80 }] }
`);
    assert.equal(svc.code, 0, svc.stderr);
    await api.ok('patch', 'service', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"172.16.10.1"}]}}}');
    await eventually(async () => (await frrRoutes(frr!))['172.16.10.1/32'], 'LB IP /32 in FRR', 10_000);
    await api.ok('label', 'service', 'web', 'announce-');
    await eventually(async () => !(await frrRoutes(frr!))['172.16.10.1/32'], 'LB IP /32 withdrawn', 10_000);
    assert.equal(sessionFlaps(), flaps, 'service changes must not reset the session');
    assert.ok((await frrRoutes(frr!))[podCidr]);

    // `lab-agent adj-out PEER` through the CLI shows what we send.
    const adj = await execa(process.execPath, ['--import', 'tsx', 'src/agent/cli.ts', 'adj-out', peer.peer4, '--json', '--admin', path.join(dir, 'admin-cilium.sock')], { cwd: ROOT });
    assert.deepEqual((JSON.parse(String(adj.stdout)) as { routes: Array<{ prefix: string }> }).routes.map((x) => x.prefix), [podCidr]);

    // Moving the node to another rack un-selects it: the peer goes away and the ToR loses the route.
    await api.ok('label', 'node', NODE, 'rack=rack9', '--overwrite');
    await eventually(async () => !(await frrRoutes(frr!))[podCidr], 'pod CIDR withdrawn', 10_000);
    await api.ok('label', 'node', NODE, 'rack=rack0', '--overwrite');
    await eventually(async () => (await frrRoutes(frr!))[podCidr], 'pod CIDR back', 20_000);
    await api.ok('delete', 'ciliumbgppeeringpolicy', 'rack0');
    await eventually(async () => !(await frrRoutes(frr!))[podCidr], 'pod CIDR withdrawn after policy delete', 10_000);
    // Session down and a refused object, each an Event with its reason.
    const bad = await api.kubectl(['apply', '-f', '-'], policy.replace('name: rack0', 'name: bad').replace(`"${peer.peer4}/32"`, '"<CHANGE ME>"'));
    assert.equal(bad.code, 0, bad.stderr);
    type Ev = { items: Array<{ type: string; reason: string; message: string; count: number; involvedObject: { kind: string; name: string } }> };
    const evs = await eventually(async () => {
      const e = (await api.json<Ev>('get', 'events', '-n', 'default')).items.filter((x) => x.involvedObject.kind === 'Node' && x.involvedObject.name === NODE);
      return e.some((x) => x.reason === 'BGPSessionDown') && e.some((x) => x.reason === 'BGPConfigRefused') ? e : undefined;
    }, 'BGPSessionDown and BGPConfigRefused events', 10_000);
    assert.match(evs.find((x) => x.reason === 'BGPConfigRefused')!.message, /bad.*CHANGE ME/);
    assert.ok(evs.filter((x) => x.reason === 'BGPSessionEstablished').every((x) => x.type === 'Normal'));
    assert.ok(evs.filter((x) => x.reason === 'BGPSessionDown').every((x) => x.type === 'Warning'));
    await api.ok('delete', 'ciliumbgppeeringpolicy', 'bad');
  });

  test('Calico: service range from the node, eTP Local /32 only while a ready endpoint runs on this node', async (t) => {
    t.after(stopAll);
    frr = await startFrr(peer, frrConf(peer, 64512, 64512));
    const kubeIP = (await api.json<{ spec: { clusterIP: string } }>('get', 'service', 'kubernetes')).spec.clusterIP;
    const range = `${kubeIP.split('.').slice(0, 2).join('.')}.0.0/16`;
    const cfg = await api.kubectl(['apply', '-f', '-'], `apiVersion: crd.projectcalico.org/v1
kind: BGPConfiguration
metadata: { name: default }
spec:
  nodeToNodeMeshEnabled: false
  serviceClusterIPs:
  - cidr: ${range}
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: { name: bgppeer-global-64512 }
spec: { peerIP: ${peer.peer4}, asNumber: 64512 }
---
apiVersion: v1
kind: Service
metadata: { name: nginx, namespace: default }
spec: { type: NodePort, externalTrafficPolicy: Local, selector: { app: nginx }, ports: [{ port: 80 }] }
`);
    assert.equal(cfg.code, 0, cfg.stderr);
    await startAgent('calico', []);
    await established();
    await eventually(async () => (await frrRoutes(frr!))[range], 'service range in FRR', 10_000);
    const ip = (await api.json<{ spec: { clusterIP: string } }>('get', 'service', 'nginx')).spec.clusterIP;
    assert.equal((await frrRoutes(frr!))[`${ip}/32`], undefined, 'no local endpoint yet');
    const pod = await api.kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: nginx-1, namespace: default, labels: { app: nginx } }
spec: { nodeName: ${NODE}, containers: [{ name: nginx, image: nginx }] }
`);
    assert.equal(pod.code, 0, pod.stderr);
    const now = new Date().toISOString();
    await api.ok('patch', 'pod', 'nginx-1', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: '10.1.0.10', podIPs: [{ ip: '10.1.0.10' }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }));
    await eventually(async () => (await frrRoutes(frr!))[`${ip}/32`], 'eTP Local /32 with a local endpoint', 15_000);
    await api.ok('delete', 'pod', 'nginx-1', '--wait=false');
    await eventually(async () => !(await frrRoutes(frr!))[`${ip}/32`], 'eTP Local /32 withdrawn with the endpoint', 15_000);
    assert.ok((await frrRoutes(frr!))[range], 'the range stays');
    await api.ok('delete', 'bgppeer', 'bgppeer-global-64512');
    await eventually(async () => !(await frrRoutes(frr!))[range], 'peer removed with the BGPPeer', 10_000);
    await api.ok('delete', 'bgpconfiguration', 'default');
    await api.ok('delete', 'service', 'nginx');
  });

  test('Kube-OVN: speaker node label, pod annotation local → pod /32 from its node; removing the annotation withdraws', async (t) => {
    t.after(stopAll);
    frr = await startFrr(peer, frrConf(peer, 65100, 65000));
    await startAgent('kube-ovn', [`--neighbor-address=${peer.peer4}`, '--neighbor-as=65100', '--cluster-as=65000']);
    assert.equal(agent!.currentIntent?.localAsn, 0, 'not a speaker node before the label');
    await api.ok('label', 'node', NODE, 'ovn.kubernetes.io/bgp=true');
    t.after(() => api.kubectl(['label', 'node', NODE, 'ovn.kubernetes.io/bgp-']));
    await established();
    const pod = await api.kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: sample, namespace: default, annotations: { ovn.kubernetes.io/bgp: local } }
spec: { nodeName: ${NODE}, containers: [{ name: c, image: nginx }] }
`);
    assert.equal(pod.code, 0, pod.stderr);
    await api.ok('patch', 'pod', 'sample', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: '10.1.0.20', podIPs: [{ ip: '10.1.0.20' }] } }));
    await eventually(async () => (await frrRoutes(frr!))['10.1.0.20/32'], 'pod /32 in FRR', 10_000);
    const flaps = sessionFlaps();
    await api.ok('annotate', 'pod', 'sample', 'ovn.kubernetes.io/bgp-');
    await eventually(async () => !(await frrRoutes(frr!))['10.1.0.20/32'], 'pod /32 withdrawn', 10_000);
    assert.equal(sessionFlaps(), flaps);
    await api.ok('delete', 'pod', 'sample', '--wait=false');
  });

  test('kube-router: flags + service annotation; the ToR route is installed into the node FIB (proto 186) and removed', async (t) => {
    t.after(stopAll);
    const fibNs = `kl-fib-${process.pid}`;
    await execa('ip', ['netns', 'add', fibNs]);
    t.after(() => execa('ip', ['netns', 'del', fibNs], { reject: false }));
    // The FIB netns has the peering subnet on-link, as the node does.
    await execa('ip', ['-n', fibNs, 'link', 'add', 'nic0', 'type', 'veth', 'peer', 'name', 'nic1']);
    await execa('ip', ['-n', fibNs, 'addr', 'add', `${peer.host4}/30`, 'dev', 'nic0']);
    await execa('ip', ['-n', fibNs, 'link', 'set', 'nic0', 'up']);
    await execa('ip', ['-n', fibNs, 'link', 'set', 'nic1', 'up']);
    frr = await startFrr(peer, frrConf(peer, 65100, 64512, ['  network 10.77.0.0/24']));
    await startAgent('kube-router', [`--peer-router-ips=${peer.peer4}`, '--peer-router-asns=65100', '--cluster-asn=64512', '--enable-ibgp=false'], fibNs);
    await established();
    const podCidr = (await api.json<{ spec: { podCIDR: string } }>('get', 'node', NODE)).spec.podCIDR;
    await eventually(async () => (await frrRoutes(frr!))[podCidr], 'pod CIDR in FRR', 10_000);
    const fib = () => execa('ip', ['-n', fibNs, 'route', 'show', 'proto', '186']).then((r) => String(r.stdout));
    assert.match(await eventually(async () => { const s = await fib(); return s.includes('10.77.0.0/24') ? s : undefined; }, 'FRR route in the FIB', 10_000), new RegExp(`10\\.77\\.0\\.0/24 via ${peer.peer4.replace(/\./g, '\\.')}`));

    const kubeSvc = await api.json<{ spec: { clusterIP: string } }>('get', 'service', 'kubernetes');
    const host = `${kubeSvc.spec.clusterIP}/32`;
    assert.equal((await frrRoutes(frr!))[host], undefined, '--advertise-cluster-ip defaults to false');
    await api.ok('annotate', 'service', 'kubernetes', 'kube-router.io/service.advertise.clusterip=true');
    await eventually(async () => (await frrRoutes(frr!))[host], 'cluster IP /32 after the annotation', 10_000);
    await api.ok('annotate', 'service', 'kubernetes', 'kube-router.io/service.advertise.clusterip-');
    await eventually(async () => !(await frrRoutes(frr!))[host], 'cluster IP withdrawn', 10_000);

    await frr!.vtysh('configure terminal\nrouter bgp 65100\naddress-family ipv4 unicast\nno network 10.77.0.0/24');
    await eventually(async () => !(await fib()).includes('10.77.0.0/24'), 'route removed from the FIB on withdraw', 10_000);
    await frr!.vtysh('configure terminal\nrouter bgp 65100\naddress-family ipv4 unicast\nnetwork 10.77.0.0/24');
    await eventually(async () => (await fib()).includes('10.77.0.0/24'), 'route back in the FIB', 10_000);
    await agent!.stop();
    agent = undefined;
    assert.equal((await fib()).trim(), '', 'shutdown removes our routes');
  });
});
