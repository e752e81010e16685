/**
 * A lab survives its nodes being restarted (defect 3 of issue 18): two FRR routers with one link and
 * eBGP configured by exec lines (r1 of kind frr, r2 a linux node starting FRR as the articles do),
 * h1 sharing r2's network namespace with a link to r1, and a bridge sw between the routers. After `docker restart` of r2 and of sw, after
 * `docker stop`/`docker start` of r1, and through `lab node stop|start|restart`: `lab inspect`
 * says degraded (with the reason), `lab deploy` (or `lab node start`) repairs the lab, the BGP
 * session is Established again and h1 reaches r1 over its link.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-nrst');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function topology(): string {
  const bgp = (as: number, peerAs: number, peer: string, id: string) =>
    `vtysh -c 'conf t' -c 'router bgp ${as}' -c ' bgp router-id ${id}' -c ' no bgp ebgp-requires-policy' -c ' neighbor ${peer} remote-as ${peerAs}' -c ' neighbor ${peer} timers 1 3' -c ' neighbor ${peer} timers connect 1' -c ' address-family ipv4 unicast' -c '  redistribute connected' -c ' exit-address-family'`;
  return `name: ${name}
mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }
topology:
  nodes:
    r1:
      kind: frr
      image: frrouting/frr:v8.2.2
      exec:
      - ip addr add 10.0.12.1/24 dev eth1
      - ip addr add 10.0.13.1/24 dev eth2
      - ip addr add 10.0.14.1/24 dev eth3
      - ip addr add 10.0.0.1/32 dev lo
      - "${bgp(65001, 65002, '10.0.12.2', '10.0.0.1')}"
    r2:
      kind: linux
      image: frrouting/frr:v8.2.2
      cmd: bash
      exec:
      - ip addr add 10.0.12.2/24 dev eth1
      - ip addr add 10.0.14.2/24 dev eth2
      - ip addr add 10.0.0.2/32 dev lo
      - touch /etc/frr/vtysh.conf
      - sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons
      - /usr/lib/frr/frrinit.sh start
      - "${bgp(65002, 65001, '10.0.12.1', '10.0.0.2')}"
    h1:
      kind: linux
      image: kindlab/base
      network-mode: container:r2
      exec:
      - ip addr add 10.0.13.2/24 dev eth3
    sw:
      kind: bridge
      image: kindlab/base
  links:
  - endpoints: ["r1:eth1", "r2:eth1"]
  - endpoints: ["r1:eth2", "h1:eth3"]
  - endpoints: ["r1:eth3", "sw:p1"]
  - endpoints: ["r2:eth2", "sw:p2"]
`;
}

interface InspectJson {
  nodes: Array<{ name: string; state: string; reasons?: string[] }>;
}

async function inspect(file: string): Promise<Map<string, { state: string; reasons: string[] }>> {
  const r = await lab(['inspect', '-t', file, '--format', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return new Map((JSON.parse(r.stdout) as InspectJson).nodes.map((n) => [n.name, { state: n.state, reasons: n.reasons ?? [] }]));
}

/** The eBGP session r1–r2 Established, r1 has r2's loopback over it, and h1 pings r1 over its own link. */
async function labWorks(file: string, what: string): Promise<void> {
  try {
    await until(`${what}: r1's session to r2 Established with r2's loopback`, async () => {
      const r = await lab(['exec', '-t', file, 'r1', '--', 'vtysh', '-c', 'show bgp ipv4 unicast json']);
      if (r.exitCode !== 0) return undefined;
      const routes = (JSON.parse(r.stdout) as { routes?: Record<string, unknown> }).routes ?? {};
      return routes['10.0.0.2/32'] ? true : undefined;
    }, 90_000, 500);
  } catch (e) {
    // what the two routers say, so a failure here can be read from the CI log
    const state = await Promise.all([
      lab(['exec', '-t', file, 'r1', '--', 'vtysh', '-c', 'show bgp summary']),
      lab(['exec', '-t', file, 'r2', '--', 'sh', '-c', 'ps -ef; ip -br addr; vtysh -c "show bgp summary"; vtysh -c "show running-config"']),
    ]);
    throw new Error(`${(e as Error).message}\n${state.map((r) => `${r.stdout}${r.stderr}`).join('\n---\n')}`);
  }
  const s = await lab(['exec', '-t', file, 'r1', '--', 'vtysh', '-c', 'show bgp summary json']);
  const peers = (JSON.parse(s.stdout) as { ipv4Unicast?: { peers?: Record<string, { state?: string }> } }).ipv4Unicast?.peers ?? {};
  assert.equal(peers['10.0.12.2']?.state, 'Established', `${what}: ${s.stdout}`);
  const ping = await lab(['exec', '-t', file, 'h1', '--', 'ping', '-c', '1', '-W', '2', '10.0.13.1']);
  assert.equal(ping.exitCode, 0, `${what}: h1 pings r1 over its link: ${ping.stdout} ${ping.stderr}`);
  const sw = await lab(['exec', '-t', file, 'r1', '--', 'ping', '-c', '1', '-W', '2', '10.0.14.2']);
  assert.equal(sw.exitCode, 0, `${what}: r1 pings r2 through the bridge sw: ${sw.stdout} ${sw.stderr}`);
}

async function allRunning(file: string, what: string): Promise<void> {
  const nodes = await inspect(file);
  for (const [n, s] of nodes) assert.deepEqual([n, s.state, s.reasons], [n, 'running', []], what);
}

test('restarted and stopped routers are reported degraded and repaired with links, sharer and exec lines', async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-nrst-'));
  const file = join(dir, 'topo.yaml');
  await writeFile(file, topology());
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, up.stderr);
  await labWorks(file, 'after deploy');
  await allRunning(file, 'after deploy');

  // docker restart of r2 (h1 shares its namespace): links gone, h1 in the old namespace, FRR down. Its pid files
  // stay; zebra's names PID 1, which the new life's bash holds: watchfrr refuses to start unless the repair clears it
  await execa('docker', ['exec', `clab-${name}-r2`, 'sh', '-c', 'echo 1 > /var/run/frr/zebra.pid']);
  await execa('docker', ['restart', '-t', '1', `clab-${name}-r2`]);
  let nodes = await inspect(file);
  assert.equal(nodes.get('r2')!.state, 'degraded');
  assert.match(nodes.get('r2')!.reasons.join('\n'), /link r1:eth1 <-> r2:eth1 is missing/);
  assert.match(nodes.get('r2')!.reasons.join('\n'), /exec lines and services have not run since/);
  assert.equal(nodes.get('h1')!.state, 'degraded');
  assert.match(nodes.get('h1')!.reasons.join('\n'), /shares the network namespace of r2 but still holds an old one/);
  const table = await lab(['inspect', '-t', file]);
  assert.match(table.stdout, /r2\s+clab-\S+-r2\s+linux\s+.*degraded/);
  assert.match(table.stdout, /repair with: lab deploy -t /);

  let fix = await lab(['deploy', '-t', file]);
  assert.equal(fix.exitCode, 0, fix.stderr);
  assert.match(fix.stdout, new RegExp(`lab ${name} repaired: .*restarted h1 to join its owner's network namespace; re-created 3 links .*; ran the exec lines and services of r2, h1 again`));
  assert.doesNotMatch(fix.stdout, /nothing to do/);
  await labWorks(file, 'after docker restart r2 + deploy');
  await allRunning(file, 'after docker restart r2 + deploy');
  const again = await lab(['deploy', '-t', file]);
  assert.match(again.stdout, /already deployed: 4 nodes running, nothing to do/);

  // docker stop + start of r1 (kind frr: watchfrr must be started again by the repair)
  await execa('docker', ['stop', '-t', '1', `clab-${name}-r1`]);
  nodes = await inspect(file);
  assert.equal(nodes.get('r1')!.state, 'exited');
  assert.match(nodes.get('r2')!.reasons.join('\n'), /link r1:eth1 <-> r2:eth1 is missing: r1 is exited/);
  await execa('docker', ['start', `clab-${name}-r1`]);
  nodes = await inspect(file);
  assert.equal(nodes.get('r1')!.state, 'degraded');
  fix = await lab(['deploy', '-t', file]);
  assert.equal(fix.exitCode, 0, fix.stderr);
  assert.match(fix.stdout, /repaired: .*re-created 3 links.*ran the exec lines and services of r1 again/);
  await labWorks(file, 'after docker stop/start r1 + deploy');
  await allRunning(file, 'after docker stop/start r1 + deploy');

  // lab node stop / start of r2
  const stop = await lab(['node', 'stop', '-t', file, 'r2']);
  assert.equal(stop.exitCode, 0, stop.stderr);
  assert.match(stop.stdout, /r2 stopped/);
  nodes = await inspect(file);
  assert.equal(nodes.get('r2')!.state, 'exited');
  assert.match(nodes.get('h1')!.reasons.join('\n'), /shares the network namespace of r2, which is exited/);
  const start = await lab(['node', 'start', '-t', file, 'r2']);
  assert.equal(start.exitCode, 0, start.stderr);
  assert.match(start.stdout, /r2 started: started r2; restarted h1 .*; re-created 3 links/);
  await labWorks(file, 'after lab node stop/start r2');
  await allRunning(file, 'after lab node stop/start r2');

  // lab node restart of r1; a node name the lab lacks is refused
  const restart = await lab(['node', 'restart', '-t', file, 'r1']);
  assert.equal(restart.exitCode, 0, restart.stderr);
  assert.match(restart.stdout, /r1 restarted: started r1; re-created 3 links/);

  // docker restart of the bridge: its br0 made again, both ports re-created and enslaved, the routers' addresses given back
  await execa('docker', ['restart', '-t', '1', `clab-${name}-sw`]);
  nodes = await inspect(file);
  assert.equal(nodes.get('sw')!.state, 'degraded');
  assert.match(nodes.get('r1')!.reasons.join('\n'), /link r1:eth3 <-> sw:p1 is missing/);
  fix = await lab(['deploy', '-t', file]);
  assert.equal(fix.exitCode, 0, fix.stderr);
  assert.match(fix.stdout, /repaired: .*re-created 2 links \(r1:eth3 <-> sw:p1, r2:eth2 <-> sw:p2\); ran the exec lines and services of sw again/);
  await labWorks(file, 'after docker restart sw + deploy');
  await allRunning(file, 'after docker restart sw + deploy');
  await labWorks(file, 'after lab node restart r1');
  await allRunning(file, 'after lab node restart r1');
  const bad = await lab(['node', 'restart', '-t', file, 'r9']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /lab \S+ has no node "r9"/);

  const down = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
