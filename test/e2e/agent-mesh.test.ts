/**
 * kube-router mode in a real lab (test/fixtures/labs/kr-mesh): three kind nodes on one L2 segment, each running
 * `lab-agent k8s --dialect kube-router --cluster-asn=64512` started by the lab itself (topology `bgp:` block),
 * default --nodes-full-mesh / --enable-ibgp. The nodes have no static routes to each other's pod CIDRs, so a
 * pod-to-pod ping across nodes only works through the routes the agents learn over iBGP and install with
 * proto 186 (`ip -j route show proto 186` inside each node).
 * - full mesh: every node peers with the two others and installs their pod CIDRs via their node-ips;
 * - kube-router.io/node.asn moves a node out of the mesh (its routes withdrawn everywhere, ping fails), and back;
 * - route reflector roles (rr.server / rr.client annotations): clients peer with the RR only and learn each
 *   other's pod CIDR through it (next hop kept); without the RR the clients learn nothing from each other;
 * - deleting a Node withdraws its pod CIDR from the other nodes' FIBs.
 * Needs root, Docker and the built dist/ (`npm run build`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { forceDestroy, lab, leftovers, NOTHING, REPO, until } from './helpers.js';

const LAB = 'kr-mesh';
const TOPO = join(REPO, 'test/fixtures/labs/kr-mesh/topo.yaml');
const KUBECONFIG = join(REPO, 'test/fixtures/labs/kr-mesh/lab-kr-mesh/kubeconfig');
const NODES = ['control-plane', 'worker', 'worker2'] as const;
type Short = (typeof NODES)[number];
const IP: Record<Short, string> = { 'control-plane': '10.80.0.11', worker: '10.80.0.12', worker2: '10.80.0.13' };
const POD: Record<Short, string> = { 'control-plane': 'p1', worker: 'p2', worker2: 'p3' };
const nodeName = (n: Short) => `${LAB}-${n}`;

const kubectl = async (...args: string[]) => String((await execa('kubectl', ['--kubeconfig', KUBECONFIG, ...args])).stdout);

/** The node's proto 186 routes: prefix → sorted next hops (ECMP routes list several). */
async function fib(n: Short): Promise<Record<string, string[]>> {
  const r = await execa('docker', ['exec', nodeName(n), 'ip', '-j', 'route', 'show', 'proto', '186']);
  const rows = JSON.parse(String(r.stdout) || '[]') as Array<{ dst: string; gateway?: string; nexthops?: Array<{ gateway: string }> }>;
  return Object.fromEntries(rows.map((x) => [x.dst, (x.nexthops?.map((h) => h.gateway) ?? [x.gateway ?? '']).sort()]));
}

interface Neighbor { address: string; state: string; asn: number }
/** `lab exec -t TOPO NODE -- lab-agent neighbor --json` (the inspection path users have). */
async function neighbors(n: Short): Promise<Neighbor[]> {
  const r = await lab(['exec', '-t', TOPO, n, '--', 'lab-agent', 'neighbor', '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as Neighbor[];
}
const established = async (n: Short) => (await neighbors(n)).filter((x) => x.state === 'Established').map((x) => x.address).sort();

async function ping(from: Short, to: string): Promise<boolean> {
  const r = await lab(['exec', '-t', TOPO, `pod/${POD[from]}`, '--', 'ping', '-c', '1', '-W', '1', to]);
  return r.exitCode === 0;
}

/** Waits until the node's FIB is exactly `want` (prefix → next hops). */
async function fibIs(n: Short, want: Record<string, string[]>, what: string, timeoutMs = 15_000): Promise<void> {
  const key = (t: Record<string, string[]>) => JSON.stringify(Object.entries(t).sort());
  let last: Record<string, string[]> = {};
  try {
    await until(what, async () => {
      last = await fib(n);
      return key(last) === key(want) ? true : undefined;
    }, timeoutMs);
  } catch {
    assert.deepEqual(last, want, `${n}: ${what}`);
  }
}

describe('kube-router iBGP mesh in a lab: routes into node FIBs (proto 186)', { timeout: 300_000 }, () => {
  const cidr = {} as Record<Short, string>;
  const podIp = {} as Record<Short, string>;
  /** What each node's FIB holds with the full mesh: the other nodes' pod CIDRs via their node-ips. */
  const meshFib = (n: Short) => Object.fromEntries(NODES.filter((o) => o !== n).map((o) => [cidr[o], [IP[o]]]));

  before(async () => {
    await forceDestroy(LAB);
    const d = await lab(['deploy', '-t', TOPO]);
    assert.equal(d.exitCode, 0, `deploy failed:\n${d.stdout}\n${d.stderr}`);
    assert.match(d.stdout, /Cluster BGP agents/, 'the lab starts the agents itself');
    for (const n of NODES) {
      cidr[n] = await kubectl('get', 'node', nodeName(n), '-o', 'jsonpath={.spec.podCIDR}');
      podIp[n] = await until(`pod ${POD[n]} IP`, async () => (await kubectl('get', 'pod', POD[n], '-o', 'jsonpath={.status.podIP}')) || undefined, 60_000, 500);
    }
  });
  after(async () => {
    await forceDestroy(LAB);
    assert.deepEqual(await leftovers(LAB), NOTHING);
  });

  test('full mesh: each node learns the two other pod CIDRs over iBGP, installs them with proto 186, pods ping across nodes', async () => {
    for (const n of NODES) {
      await until(`${n}: two Established iBGP sessions`, async () => ((await established(n)).length === 2 ? true : undefined), 30_000, 500);
      assert.deepEqual(await established(n), NODES.filter((o) => o !== n).map((o) => IP[o]).sort());
      await fibIs(n, meshFib(n), 'the other nodes\' pod CIDRs via their node-ips');
    }
    for (const n of NODES) {
      const ns = await neighbors(n);
      assert.deepEqual(ns.map((x) => x.asn), [64512, 64512], `${n}: iBGP peers in AS 64512`);
    }
    // The kernel says who owns them: proto 186 (`bgp` in rt_protos; -N prints the number), not static routes.
    const raw = String((await execa('docker', ['exec', nodeName('worker'), 'ip', '-N', 'route', 'show', cidr.worker2])).stdout);
    assert.match(raw, new RegExp(`via ${IP.worker2.replace(/\./g, '\\.')} dev net0 proto 186`));
    for (const [a, b] of [['control-plane', 'worker'], ['worker', 'worker2'], ['worker2', 'control-plane']] as Array<[Short, Short]>) {
      assert.ok(await ping(a, podIp[b]), `pod on ${a} pings the pod on ${b} (${podIp[b]})`);
    }
  });

  test('kube-router.io/node.asn takes a node out of the mesh: its routes are withdrawn everywhere, and come back', async () => {
    await kubectl('annotate', 'node', nodeName('worker2'), 'kube-router.io/node.asn=64513');
    await fibIs('control-plane', { [cidr.worker]: [IP.worker] }, 'worker2 (now AS 64513) withdrawn');
    await fibIs('worker', { [cidr['control-plane']]: [IP['control-plane']] }, 'worker2 (now AS 64513) withdrawn');
    await fibIs('worker2', {}, 'worker2 has no iBGP peers in AS 64513: nothing installed');
    assert.deepEqual(await established('worker2'), []);
    assert.equal(await ping('worker', podIp.worker2), false, 'without the mesh routes the pods on worker and worker2 cannot reach each other');

    await kubectl('annotate', 'node', nodeName('worker2'), 'kube-router.io/node.asn-');
    for (const n of NODES) await fibIs(n, meshFib(n), 'back in the mesh', 30_000);
    assert.ok(await until('ping worker → worker2 again', async () => ((await ping('worker', podIp.worker2)) ? true : undefined), 10_000));
  });

  test('route reflector: clients peer with the RR only and learn each other through it; without the RR they learn nothing', async () => {
    await kubectl('annotate', 'node', nodeName('control-plane'), `kube-router.io/rr.server=${IP['control-plane']}`);
    for (const n of ['worker', 'worker2'] as const) await kubectl('annotate', 'node', nodeName(n), 'kube-router.io/rr.client=true');
    for (const n of ['worker', 'worker2'] as const) {
      await until(`${n}: only the RR as neighbor`, async () => {
        const ns = await neighbors(n);
        return ns.length === 1 && ns[0]!.address === IP['control-plane'] && ns[0]!.state === 'Established' ? true : undefined;
      }, 30_000, 500);
    }
    await until('RR: both clients Established', async () => ((await established('control-plane')).length === 2 ? true : undefined), 30_000, 500);
    // worker learns worker2's pod CIDR from the RR (peer 10.80.0.11) with worker2's next hop, and installs it.
    for (const n of NODES) await fibIs(n, meshFib(n), 'every pod CIDR again, the clients\' through the RR', 30_000);
    const rib = JSON.parse((await lab(['exec', '-t', TOPO, 'worker', '--', 'lab-agent', 'rib', '--json'])).stdout) as { routes: Array<{ prefix: string; peer: string; nextHop: string; best: boolean }> };
    const viaRr = rib.routes.filter((r) => r.prefix === cidr.worker2);
    assert.deepEqual(viaRr.map((r) => [r.peer, r.nextHop, r.best]), [[IP['control-plane'], IP.worker2, true]], 'one path, from the RR, next hop worker2');
    assert.ok(await until('ping worker → worker2 via the reflected route', async () => ((await ping('worker', podIp.worker2)) ? true : undefined), 10_000));

    // Without an RR, clients do not peer with each other: they lose each other's pod CIDRs.
    await kubectl('annotate', 'node', nodeName('control-plane'), 'kube-router.io/rr.server-');
    await fibIs('worker', {}, 'a client without RR: no iBGP peers, nothing installed');
    await fibIs('worker2', {}, 'a client without RR: no iBGP peers, nothing installed');
    assert.deepEqual(await established('worker'), []);
    assert.equal(await ping('worker', podIp.worker2), false);

    for (const n of ['worker', 'worker2'] as const) await kubectl('annotate', 'node', nodeName(n), 'kube-router.io/rr.client-');
    for (const n of NODES) await fibIs(n, meshFib(n), 'full mesh again', 30_000);
  });

  test('deleting a Node withdraws its pod CIDR from the other nodes\' FIBs', async () => {
    await kubectl('delete', 'node', nodeName('worker2'));
    await fibIs('control-plane', { [cidr.worker]: [IP.worker] }, 'worker2\'s pod CIDR withdrawn after its Node is deleted');
    await fibIs('worker', { [cidr['control-plane']]: [IP['control-plane']] }, 'worker2\'s pod CIDR withdrawn after its Node is deleted');
    assert.deepEqual(await established('control-plane'), [IP.worker]);
  });
});
