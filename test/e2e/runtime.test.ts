/**
 * Runtime e2e on real Docker with plans built in the test (no topology file): links and their
 * addresses in the container netns, the bridge kind as an L2 switch, network-mode container:X,
 * frr kind with a startup config, idempotent redeploy, and a full destroy.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { deploy } from '../../src/runtime/deploy.js';
import { destroyLab } from '../../src/runtime/destroy.js';
import { DockerRuntime } from '../../src/runtime/docker.js';
import { NOTHING, leftovers, until } from './helpers.js';
import { ep, node, plan, uniqueLabName, veth } from './plan-helpers.js';

const rt = new DockerRuntime();
const name = uniqueLabName('kl-rt');
const extName = uniqueLabName('kl-ext');
const ext = `${extName}-box`;
after(async () => {
  await destroyLab(rt, name, { cleanup: true });
  await destroyLab(rt, extName, { cleanup: true });
  await execa('docker', ['rm', '-f', ext], { reject: false });
});

test('deploy: links, bridge, shared netns, frr; redeploy is a no-op; destroy removes everything', async () => {
  const p = await plan(name, [
    node('h1', { exec: ['ip route add 10.70.0.0/24 via 10.50.0.2'] }),
    node('h2'),
    node('sw', { kind: 'bridge' }),
    node('side', { networkMode: { type: 'container', node: 'h2' }, netnsOwner: 'h2', dependsOn: ['h2'], exec: ['ip addr add 10.60.0.2/24 dev side0'] }),
    node('r1', { kind: 'frr' }),
  ], [
    veth(ep('h1:eth1', ['10.50.0.1/24']), ep('sw:p1')),
    veth(ep('h2:eth1', ['10.50.0.2/24']), ep('sw:p2')),
    veth(ep('side:side0'), ep('r1:eth1', ['10.60.0.1/24']), 1400),
  ]);
  p.nodes.find((n) => n.name === 'r1')!.startupConfig = join(p.dir, 'r1.conf');
  await writeFile(join(p.dir, 'r1.conf'), 'frr defaults datacenter\nhostname r1\nrouter bgp 65001\n bgp router-id 10.60.0.1\n!\n');

  const first = await deploy({ plan: p }, { runtime: rt, renderer: 'silent' });
  assert.equal(first.status, 'deployed');
  const h1 = p.nodes[0]!.containerName;
  const h2 = p.nodes[1]!.containerName;
  const r1 = p.nodes[4]!.containerName;

  // L2 through the bridge node's own netns: h1 reaches h2.
  await rt.exec(h1, ['ping', '-c', '1', '-W', '2', '10.50.0.2']);
  const bridged = await rt.exec(p.nodes[2]!.containerName, ['ip', '-o', 'link', 'show', 'master', 'br0']);
  assert.match(bridged.stdout, /p1@/);
  assert.match(bridged.stdout, /p2@/);
  // side shares h2's netns: its link end and exec address are visible from h2.
  const inH2 = await rt.exec(h2, ['ip', '-o', 'addr', 'show', 'dev', 'side0']);
  assert.match(inH2.stdout, /10\.60\.0\.2\/24/);
  await rt.exec(h2, ['ping', '-c', '1', '-W', '2', '10.60.0.1']);
  const mtu = await rt.exec(r1, ['cat', '/sys/class/net/eth1/mtu']);
  assert.equal(mtu.stdout.trim(), '1400');
  // frr: startup config loaded and bgpd running under watchfrr.
  const cfg = await until('bgpd with startup config', async () => {
    const r = await rt.exec(r1, ['vtysh', '-c', 'show running-config'], { check: false });
    return r.exitCode === 0 && r.stdout.includes('router bgp 65001') ? r.stdout : undefined;
  }, 15000);
  assert.match(cfg, /bgp router-id 10\.60\.0\.1/);
  assert.match((await rt.exec(r1, ['pgrep', '-x', 'watchfrr'], { check: false })).stdout, /\d+/);

  const ids = (await rt.listContainers({ 'kindlab.lab': name })).map((c) => c.id).sort();
  const again = await deploy({ plan: p }, { runtime: rt, renderer: 'silent' });
  assert.equal(again.status, 'unchanged');
  assert.equal(again.message, `lab ${name} is already deployed: 5 nodes running, nothing to do`);
  assert.deepEqual((await rt.listContainers({ 'kindlab.lab': name })).map((c) => c.id).sort(), ids);

  const re = await deploy({ plan: p }, { runtime: rt, renderer: 'silent', reconfigure: true });
  assert.equal(re.status, 'deployed');
  const newIds = (await rt.listContainers({ 'kindlab.lab': name })).map((c) => c.id).sort();
  assert.equal(newIds.length, 5);
  assert.notDeepEqual(newIds, ids);

  const removed = await destroyLab(rt, name, { cleanup: true });
  assert.equal(removed.containers.length, 5);
  assert.deepEqual(removed.networks, [`kindlab-${name}`]);
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('ext-container: links attach to a container we did not create; destroy removes our link but not the container', async () => {
  await execa('docker', ['run', '-d', '--name', ext, '--network', 'none', '--cap-add', 'NET_ADMIN', 'kindlab/base:latest']);
  const p = await plan(extName, [node('box', { kind: 'ext-container', containerName: ext }), node('peer')], [
    veth(ep('box:kl0', ['10.90.0.1/24']), ep('peer:eth1', ['10.90.0.2/24'])),
  ]);
  const r = await deploy({ plan: p }, { runtime: rt, renderer: 'silent' });
  assert.equal(r.message, `lab ${extName} deployed: 1 containers, 1 links`);
  await rt.exec(ext, ['ping', '-c', '1', '-W', '2', '10.90.0.2']);
  const removed = await destroyLab(rt, extName, { cleanup: true });
  assert.deepEqual(removed.containers, [p.nodes[1]!.containerName]);
  assert.deepEqual(removed.links, [`${ext}:kl0`]);
  const still = await rt.inspectContainer(ext);
  assert.equal(still?.state, 'running');
  const links = await rt.exec(ext, ['ip', '-o', 'link']);
  assert.doesNotMatch(links.stdout, /kl0/);
  assert.deepEqual(await leftovers(extName), NOTHING);
});
