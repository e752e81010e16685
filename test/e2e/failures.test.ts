/**
 * Failure paths on real Docker: a failing exec line fails the deploy with the node, command and
 * output, and the rollback leaves nothing; `kill -9` of `lab deploy` midway followed by
 * `lab destroy` leaves nothing either.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { KindlabError } from '../../src/errors.js';
import { deploy } from '../../src/runtime/deploy.js';
import { destroyLab } from '../../src/runtime/destroy.js';
import { DockerRuntime } from '../../src/runtime/docker.js';
import { LAB_BIN, NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { ep, node, plan, uniqueLabName, uniqueSubnet, veth } from './plan-helpers.js';

const rt = new DockerRuntime();
const labs: string[] = [];
const dirs: string[] = [];
after(async () => {
  for (const l of labs) await destroyLab(rt, l, { cleanup: true }).catch(() => undefined);
  for (const l of labs) await forceDestroy(l);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('a failing exec line fails the deploy naming node, command and output; nothing remains', async () => {
  const name = uniqueLabName('kl-fail');
  labs.push(name);
  const p = await plan(name, [
    node('a', { exec: ['ip addr add 10.80.0.1/24 dev eth1', 'ip route add 10.81.0.0/24 via 10.99.99.99'] }),
    node('b'),
  ], [veth(ep('a:eth1'), ep('b:eth1'))]);
  await assert.rejects(deploy({ plan: p }, { runtime: rt, renderer: 'silent' }), (e: unknown) => {
    assert.ok(e instanceof KindlabError);
    assert.equal(e.code, 'RUNTIME_EXEC');
    assert.match(e.shortMessage, /Nodes: a: command failed \(exit 2\): ip route add 10\.81\.0\.0\/24 via 10\.99\.99\.99/);
    assert.match(e.detail ?? '', /Nexthop has invalid gateway|Network is unreachable/);
    return true;
  });
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('the CLI prints the failure like kind: message, command output, hint; exit code 1', async () => {
  const name = uniqueLabName('kl-fcli');
  labs.push(name);
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-fail-'));
  dirs.push(dir);
  const file = join(dir, 'topo.yaml');
  await writeFile(file, [
    `name: ${name}`,
    `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }`,
    'topology:',
    '  nodes:',
    '    n1: { kind: linux, image: nicolaka/netshoot:latest, exec: ["ls /no/such/dir"] }',
  ].join('\n') + '\n');
  const r = await lab(['deploy', '-t', file]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /^ERROR: lab kl-fcli-\w+: Nodes: n1: command failed \(exit 2\): ls \/no\/such\/dir$/m);
  assert.match(r.stderr, /No such file or directory/);
  assert.match(r.stderr, /^hint: /m);
  assert.doesNotMatch(r.stderr, /    at /, 'no stack without -v');
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('kill -9 of lab deploy midway, then lab destroy, leaves nothing', async () => {
  const name = uniqueLabName('kl-kill');
  labs.push(name);
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-kill-'));
  dirs.push(dir);
  const file = join(dir, 'topo.yaml');
  const nodes = Array.from({ length: 8 }, (_, i) => `    n${i}: { kind: linux, image: nicolaka/netshoot:latest }`);
  const links = Array.from({ length: 7 }, (_, i) => `    - endpoints: ["n${i}:eth1", "n${i + 1}:eth2"]`);
  await writeFile(file, [`name: ${name}`, `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }`, 'topology:', '  nodes:', ...nodes, '  links:', ...links].join('\n') + '\n');

  const child = spawn('node', [LAB_BIN, 'deploy', '-t', file, '--max-workers', '1'], { cwd: REPO, stdio: 'ignore', env: { ...process.env, CI: '1' } });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await until('the first container', async () => {
      const ps = await execa('docker', ['ps', '-a', '-q', '--filter', `label=kindlab.lab=${name}`]);
      return ps.stdout.trim() ? true : undefined;
    }, 60000, 20);
  } finally {
    child.kill('SIGKILL');
  }
  await exited;
  const mid = await leftovers(name);
  assert.ok(mid.containers.length >= 1 && mid.containers.length < 8, `killed midway: ${mid.containers.length} containers exist`);

  const r = await lab(['destroy', '--name', name, '--cleanup']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`lab ${name} destroyed:`));
  assert.deepEqual(await leftovers(name), NOTHING);
});

test("a mgmt subnet equal to the host's LAN is refused before anything is created", async () => {
  const name = uniqueLabName('kl-lan');
  labs.push(name);
  const r = await execa('ip', ['-j', '-4', 'route', 'show', 'scope', 'link']);
  const lan = (JSON.parse(r.stdout) as Array<{ dst: string; dev: string }>).find((x) => x.dst.includes('/') && !x.dev.startsWith('br-') && x.dev !== 'docker0');
  assert.ok(lan, `no host LAN route to test with: ${r.stdout}`);
  const p = await plan(name, [node('a')], []);
  p.mgmt.ipv4Subnet = lan.dst;
  p.nodes[0]!.mgmtIPv4 = undefined;
  await assert.rejects(deploy({ plan: p }, { runtime: rt, renderer: 'silent' }), (e: unknown) => {
    assert.ok(e instanceof KindlabError);
    assert.equal(e.code, 'MGMT_SUBNET');
    assert.match(e.shortMessage, new RegExp(`management subnet ${lan.dst.replace(/[./]/g, '\\$&')} overlaps the host's route`));
    return true;
  });
  assert.deepEqual(await leftovers(name), NOTHING);
  const routes = await execa('ip', ['-4', 'route', 'show', lan.dst]);
  assert.doesNotMatch(routes.stdout, /br-/, 'the host LAN must not be routed into a lab bridge');
});
