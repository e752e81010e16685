import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LinkSpec, VethLinkSpec } from '../topology/index.js';
import { END_SCRIPT, crossLinkVnis, crossVxlanArgs, endArgv } from './cross-links.js';
import { EngineRuntime, isUnreachable } from './engines.js';
import { DockerRuntime } from './docker.js';
import Docker from 'dockerode';

const pos = { file: 't.yaml', line: 1, col: 1 };
const veth = (a: string, z: string): VethLinkSpec => ({
  type: 'veth',
  mtu: 9500,
  pos,
  endpoints: [
    { node: a, iface: 'eth1', ipv4: [], ipv6: [] },
    { node: z, iface: 'eth1', ipv4: [], ipv6: [] },
  ],
});

test('one VNI per cross-host link: stable, distinct, in range, none for links within a host', () => {
  const links: LinkSpec[] = [veth('a1', 'b1'), veth('a1', 'a2'), veth('a2', 'b2')];
  const cross = (l: VethLinkSpec) => l.endpoints.some((e) => e.node.startsWith('b'));
  const v = crossLinkVnis('lab', links, cross);
  assert.equal(v.size, 2);
  assert.equal(v.has(links[1] as VethLinkSpec), false);
  const [x, y] = [...v.values()];
  assert.notEqual(x, y);
  for (const n of v.values()) assert.ok(n >= 1 && n <= 0xfffffe);
  assert.deepEqual([...crossLinkVnis('lab', links, cross).values()], [x, y]);
  assert.notDeepEqual([...crossLinkVnis('other-lab', links, cross).values()], [x, y]);
});

test('a cross-host end is a VXLAN device moved into the node, local and remote the underlay addresses', () => {
  assert.deepEqual(crossVxlanArgs('eth2', 4242, 'aa:c1:ab:00:00:01', 1450, 77, '10.250.0.1', '10.250.0.2', 'ul-a'), [
    'link', 'add', 'name', 'eth2', 'netns', '4242', 'address', 'aa:c1:ab:00:00:01', 'mtu', '1450',
    'type', 'vxlan', 'id', '77', 'local', '10.250.0.1', 'remote', '10.250.0.2', 'dstport', '4789', 'dev', 'ul-a',
  ]);
});

test('an engine whose socket is gone is skipped in listings and named, not an error', async () => {
  const gone = new DockerRuntime(new Docker({ socketPath: '/nonexistent/kindlab-test.sock' }));
  const rt = new EngineRuntime([{ name: 'b', underlay: '10.250.0.2', runtime: gone }]);
  assert.deepEqual(await rt.listContainers({ 'kindlab.lab': 'x' }), []);
  assert.equal(rt.unreachable.has('b'), true);
  await assert.rejects(gone.listContainers({}), (e: unknown) => isUnreachable(e));
});

test('one exec per cross-host end: the script gets the pid, the interface, the alias as ip -j prints it, the add line and the config lines', () => {
  const argv = endArgv(4242, 'eth2', 'kindlab:l:r2:eth2--r3:eth1', ['link', 'add', 'name', 'eth2', 'netns', '4242'], ['link set dev eth2 alias kindlab:l:r2:eth2--r3:eth1', 'link set dev eth2 up']);
  assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
  assert.equal(argv[2], END_SCRIPT);
  // the closing quote is part of the match: r2:eth2--r3:eth1 must not match r2:eth2--r3:eth10
  assert.deepEqual(argv.slice(3), ['sh', '4242', 'eth2', '"ifalias":"kindlab:l:r2:eth2--r3:eth1"', 'link add name eth2 netns 4242', 'link set dev eth2 alias kindlab:l:r2:eth2--r3:eth1', 'link set dev eth2 up']);
});
