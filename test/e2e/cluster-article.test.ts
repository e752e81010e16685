/**
 * labs/cilium-bgp/topo.yaml as a user runs it (copied under a unique name): the article's routers,
 * tors and servers sharing the kind nodes' network namespaces, the article's cluster.yaml and
 * manifests. Until the BGP agent peers, the lab deploys, the 4 nodes are Ready with the article's
 * node IPs on net0 (set by the servers' exec lines), the peering policies are stored, the nettool
 * pods run with IPs from their node's pod CIDR, and each node reaches its tor.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { copyArticleLab } from './cluster-lab.js';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName } from './plan-helpers.js';

const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';
const name = uniqueLabName('kl-art');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the Cilium article lab: nodes Ready on the article IPs, policies stored, pods Running, nodes reach their tor; destroy leaves nothing', async () => {
  const copied = await copyArticleLab(name, 'kindlab-article-');
  dir = copied.dir;
  const file = copied.file;

  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
  const kubeconfig = (await lab(['kubeconfig', '-t', file])).stdout.trim();
  const kubectl = async (...args: string[]) => (await execa(KUBECTL, args, { env: { KUBECONFIG: kubeconfig } })).stdout;

  const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: Array<{ metadata: { name: string }; spec: { podCIDR: string }; status: { addresses: Array<{ type: string; address: string }>; conditions: Array<{ type: string; status: string }> } }> };
  assert.deepEqual(nodes.items.map((n) => [n.metadata.name, n.status.addresses.find((a) => a.type === 'InternalIP')?.address, n.spec.podCIDR, n.status.conditions.find((c) => c.type === 'Ready')?.status]), [
    [`${name}-control-plane`, '10.0.1.2', '10.1.0.0/24', 'True'],
    [`${name}-worker`, '10.0.2.2', '10.1.1.0/24', 'True'],
    [`${name}-worker2`, '10.0.3.2', '10.1.2.0/24', 'True'],
    [`${name}-worker3`, '10.0.4.2', '10.1.3.0/24', 'True'],
  ]);
  // server1's exec line put the node IP on the worker's net0 (shared netns); the node reaches tor0
  const addr = await execa('docker', ['exec', `${name}-worker`, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'net0']);
  assert.match(addr.stdout, /inet 10\.0\.2\.2\/24/);
  const ping = await execa('docker', ['exec', `${name}-worker`, 'ping', '-c', '1', '-W', '2', '10.0.2.1'], { reject: false });
  assert.equal(ping.exitCode, 0, ping.stdout);

  assert.deepEqual((await kubectl('get', 'ciliumbgppeeringpolicies', '-o', 'name')).trim().split('\n'), ['ciliumbgppeeringpolicy.cilium.io/rack0', 'ciliumbgppeeringpolicy.cilium.io/rack1']);
  const pods = await until('nettool pods Running', async () => {
    const j = JSON.parse(await kubectl('get', 'pods', '-o', 'json')) as { items: Array<{ metadata: { name: string }; spec: { nodeName: string }; status: { phase: string; podIP?: string } }> };
    return j.items.length === 2 && j.items.every((p) => p.status.phase === 'Running' && p.status.podIP) ? j.items : undefined;
  }, 30_000);
  const cidr = new Map(nodes.items.map((n) => [n.metadata.name, n.spec.podCIDR]));
  for (const p of pods) assert.ok(p.status.podIP!.startsWith(cidr.get(p.spec.nodeName)!.replace(/0\/24$/, '')), `${p.metadata.name}: ${p.status.podIP} in ${cidr.get(p.spec.nodeName)}`);

  const down = await lab(['destroy', '-t', file]);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
  const rules = await execa('iptables', ['-w', '5', '-S', 'DOCKER-USER']);
  assert.doesNotMatch(rules.stdout, new RegExp(`kindlab:${name}:api`));
});
