/**
 * kube-router mode live, beyond agent-k8s.test.ts: the real API server on loopback, our agent in-process as node
 * clab-bgp-cplane-demo-control-plane, FRR bgpd in a netns as the ToR (AS 65100), and a FIB netns standing for
 * the node's kernel.
 * - Node annotations kube-router.io/path-prepend.as + path-prepend.repeat-n: FRR sees the pod CIDR with the
 *   prepended AS path (our AS first), and the plain path again once the annotations are removed.
 * - Routes to nodes on other subnets go via the peer router: a learned route whose next hop (10.0.2.2, a node on
 *   another subnet) is not on a connected subnet is not installed (kube-router's rule), while the ToR's own
 *   route is; once that subnet is connected, a route with a next hop in it is installed.
 * Needs root (netns).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ApiServerProcess, eventually } from './kubectl-helpers.js';
import { createNetnsPeer, type NetnsPeer } from '../interop/lib/netns.js';
import { frrRoute, startFrr, type Frr } from '../interop/lib/frr.js';
import { K8sAgent } from '../../src/agent/k8s/agent.js';
import { createLogger } from '../../src/bgp/session/log.js';

const NODE = 'clab-bgp-cplane-demo-control-plane';

describe('lab-agent k8s, kube-router: path prepend and next hops on other subnets', { timeout: 120_000 }, () => {
  let api: ApiServerProcess;
  let peer: NetnsPeer;
  let frr: Frr | undefined;
  let agent: K8sAgent | undefined;
  let dir: string;
  const fibNs = `kl-fibkr-${process.pid}`;
  const logs: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kl-agent-kr-'));
    api = new ApiServerProcess(ApiServerProcess.tempDir());
    await api.start();
    peer = await createNetnsPeer('agentkr');
    // The node's kernel: the peering subnet on-link (nic0), as on the node.
    await execa('ip', ['netns', 'add', fibNs]);
    await execa('ip', ['-n', fibNs, 'link', 'add', 'nic0', 'type', 'veth', 'peer', 'name', 'nic1']);
    await execa('ip', ['-n', fibNs, 'addr', 'add', `${peer.host4}/30`, 'dev', 'nic0']);
    for (const l of ['nic0', 'nic1']) await execa('ip', ['-n', fibNs, 'link', 'set', l, 'up']);
  });
  after(async () => {
    await agent?.stop();
    await frr?.cleanup();
    await peer?.cleanup();
    await execa('ip', ['netns', 'del', fibNs], { reject: false });
    await api?.stop();
    if (api) rmSync(api.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('prepend annotations reach FRR; an off-link next hop is left to the ToR, an on-link one is installed', async () => {
    // FRR (the ToR) originates 10.77.0.0/24 (next hop itself) and 10.88.0.0/24 with a third-party next hop
    // 10.0.2.2: the node clab-bgp-cplane-demo-worker on another subnet.
    frr = await startFrr(peer, [
      'frr defaults datacenter', 'hostname tor0', 'route-map THIRD permit 10', ' match ip address prefix-list P88', ' set ip next-hop 10.0.2.2',
      'route-map THIRD permit 20', 'ip prefix-list P88 seq 5 permit 10.88.0.0/24',
      'router bgp 65100', ' bgp router-id 10.0.0.1', ' no bgp ebgp-requires-policy', ' no bgp network import-check',
      ` neighbor ${peer.host4} remote-as 64512`, ` neighbor ${peer.host4} passive`,
      ' address-family ipv4 unicast', '  network 10.77.0.0/24', '  network 10.88.0.0/24', `  neighbor ${peer.host4} route-map THIRD out`, ' exit-address-family', '',
    ].join('\n'));
    agent = new K8sAgent({
      node: NODE, kubeconfig: api.kubeconfig, dialect: 'kube-router',
      dialectArgs: [`--peer-router-ips=${peer.peer4}`, '--peer-router-asns=65100', '--cluster-asn=64512', '--enable-ibgp=false'],
      admin: path.join(dir, 'admin.sock'), listen: { address: '0.0.0.0', port: 0 }, log: createLogger({ write: (l) => logs.push(l) }), fibNetns: fibNs,
    });
    await agent.start();
    await eventually(async () => agent!.bgp?.neighborStatus().find((n) => n.address === peer.peer4)?.state === 'Established', 'session Established', 20_000);
    const podCidr = (await api.json<{ spec: { podCIDR: string } }>('get', 'node', NODE)).spec.podCIDR;
    const asPath = async () => (await frrRoute(frr!, 'ipv4', podCidr))?.asPath;
    assert.equal(await eventually(asPath, `${podCidr} in FRR`), '64512');

    // 1. AS path prepend from the node annotations, without a session reset.
    const flaps = agent.bgp!.neighborStatus()[0]!.flaps;
    await api.ok('annotate', 'node', NODE, 'kube-router.io/path-prepend.as=64512', 'kube-router.io/path-prepend.repeat-n=2');
    await eventually(async () => (await asPath()) === '64512 64512 64512', 'pod CIDR with the prepended path in FRR');
    await api.ok('annotate', 'node', NODE, 'kube-router.io/path-prepend.as=65999', 'kube-router.io/path-prepend.repeat-n=1', '--overwrite');
    await eventually(async () => (await asPath()) === '64512 65999', 'another prepend AS: ours still first');
    await api.ok('annotate', 'node', NODE, 'kube-router.io/path-prepend.as-', 'kube-router.io/path-prepend.repeat-n-');
    await eventually(async () => (await asPath()) === '64512', 'plain path after the annotations are removed');
    assert.equal(agent.bgp!.neighborStatus()[0]!.flaps, flaps, 'prepend changes must not reset the session');

    // 2. FIB: the ToR's own route is installed; the one via a node on another subnet is learned but not installed.
    const fib = async () => String((await execa('ip', ['-n', fibNs, 'route', 'show', 'proto', '186'])).stdout);
    await eventually(async () => (await fib()).includes('10.77.0.0/24'), '10.77.0.0/24 in the FIB');
    const learned = () => [...agent!.bgp!.rib.routes({ family: 'ipv4-unicast', table: 'loc' })].find((r) => r.prefix === '10.88.0.0/24');
    assert.equal((await eventually(async () => learned(), '10.88.0.0/24 in our Loc-RIB')).nextHop, '10.0.2.2');
    await eventually(async () => logs.some((l) => l.includes('FIB route skipped') && l.includes('10.88.0.0/24')), 'skipped route logged with its reason');
    const skippedLine = logs.find((l) => l.includes('FIB route skipped'))!;
    assert.match(skippedLine, /upstream router/);
    assert.doesNotMatch(await fib(), /10\.88\.0\.0/, 'no route via a next hop that is not on-link');

    // Once the node has that subnet connected, a next hop in it is directly reachable and gets installed.
    await execa('ip', ['-n', fibNs, 'link', 'add', 'nic2', 'type', 'veth', 'peer', 'name', 'nic3']);
    await execa('ip', ['-n', fibNs, 'addr', 'add', '10.0.2.1/24', 'dev', 'nic2']);
    for (const l of ['nic2', 'nic3']) await execa('ip', ['-n', fibNs, 'link', 'set', l, 'up']);
    await frr.vtysh('configure terminal\nroute-map THIRD permit 10\nset ip next-hop 10.0.2.3');
    await frr.vtysh(`clear bgp ipv4 unicast ${peer.host4} soft out`);
    assert.match(await eventually(async () => { const s = await fib(); return s.includes('10.88.0.0/24') ? s : undefined; }, '10.88.0.0/24 installed via the now on-link next hop'), /10\.88\.0\.0\/24 via 10\.0\.2\.3 dev nic2/);
    assert.match(await fib(), /10\.77\.0\.0\/24 via/);
  });
});
