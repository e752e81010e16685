/**
 * Two labs with containerlab's default management settings (no mgmt: section) run at once
 * (issue 11): the second is moved to the next free /24 and says so; its lab directory records
 * the subnet, so a second deploy and the other commands plan the same addresses; a subnet the
 * topology sets is never moved.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { uniqueLabName } from './plan-helpers.js';

const labs: string[] = [];
const dirs: string[] = [];
after(async () => {
  for (const l of labs) await forceDestroy(l);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function defaultLab(prefix: string, mgmt = ''): Promise<{ name: string; file: string; dir: string }> {
  const name = uniqueLabName(prefix);
  labs.push(name);
  const dir = await mkdtemp(join(tmpdir(), `kindlab-${prefix}-`));
  dirs.push(dir);
  const file = join(dir, 'topo.yaml');
  await writeFile(file, [`name: ${name}`, ...(mgmt ? [mgmt] : []), 'topology:', '  nodes:', '    n1: { kind: linux, image: kindlab/base:latest }', '    n2: { kind: linux, image: kindlab/base:latest }'].join('\n') + '\n');
  return { name, file, dir };
}

async function mgmtIp(container: string): Promise<string> {
  const r = await execa('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', container]);
  return r.stdout.trim();
}

const subnetOf = (ip: string) => ip.split('.').slice(0, 3).join('.') + '.0/24';

test('two labs with default mgmt settings deploy and run at once; the second says which subnet it took', async () => {
  const a = await defaultLab('kl-defa');
  const b = await defaultLab('kl-defb');
  const ra = await lab(['deploy', '-t', a.file]);
  assert.equal(ra.exitCode, 0, ra.stderr);
  const rb = await lab(['deploy', '-t', b.file]);
  assert.equal(rb.exitCode, 0, rb.stderr);
  const moved = /the default management subnet (172\.20\.\d+\.0\/24) overlaps Docker network (\S+) .*; using (172\.20\.\d+\.0\/24) \(set mgmt\.ipv4-subnet to choose one\)/.exec(rb.stderr);
  assert.ok(moved, rb.stderr);
  const [aIp, bIp1, bIp2] = await Promise.all([mgmtIp(`clab-${a.name}-n1`), mgmtIp(`clab-${b.name}-n1`), mgmtIp(`clab-${b.name}-n2`)]);
  assert.notEqual(subnetOf(aIp), subnetOf(bIp1), 'the labs are on different subnets');
  assert.equal(subnetOf(bIp1), moved[3]);
  assert.equal(subnetOf(bIp2), moved[3]);
  // both labs run: each node reaches its neighbour over its own management network
  for (const [l, peer] of [[a, await mgmtIp(`clab-${a.name}-n2`)], [b, bIp2]] as const) {
    const ping = await lab(['exec', '-t', l.file, 'n1', '--', 'ping', '-c', '1', '-W', '2', peer]);
    assert.equal(ping.exitCode, 0, `${l.name}: ${ping.stdout}${ping.stderr}`);
  }
  // the lab directory records the subnet: the next deploy finds the lab as it is, and inspect agrees
  const state = JSON.parse(await readFile(join(b.dir, `lab-${b.name}`, 'state.json'), 'utf8')) as { mgmtSubnet?: string };
  assert.equal(state.mgmtSubnet, moved[3]);
  const again = await lab(['deploy', '-t', b.file]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /is already deployed: 2 nodes running, nothing to do/);
  assert.doesNotMatch(again.stderr, /using 172\.20/);
  const data = JSON.parse(await readFile(join(b.dir, `lab-${b.name}`, 'topology-data.json'), 'utf8')) as unknown;
  assert.ok(JSON.stringify(data).includes(bIp1), 'topology-data has the addresses the containers got');

  for (const l of [a, b]) {
    const d = await lab(['destroy', '-t', l.file, '--cleanup']);
    assert.equal(d.exitCode, 0, d.stderr);
    assert.deepEqual(await leftovers(l.name), NOTHING);
  }
});

test('a subnet the topology sets is not moved: the deploy is refused naming the lab holding it, nothing created', async () => {
  const a = await defaultLab('kl-defc');
  const ra = await lab(['deploy', '-t', a.file]);
  assert.equal(ra.exitCode, 0, ra.stderr);
  const taken = subnetOf(await mgmtIp(`clab-${a.name}-n1`));
  const b = await defaultLab('kl-defd', `mgmt: { ipv4-subnet: ${taken} }`);
  const rb = await lab(['deploy', '-t', b.file]);
  assert.notEqual(rb.exitCode, 0);
  assert.match(rb.stderr, new RegExp(`management subnet ${taken.replace(/\./g, '\\.').replace('/', '\\/')} overlaps Docker network kindlab-${a.name} .*the management network of lab ${a.name}`));
  assert.deepEqual(await leftovers(b.name), NOTHING);
  await lab(['destroy', '-t', a.file, '--cleanup']);
  assert.deepEqual(await leftovers(a.name), NOTHING);
});
