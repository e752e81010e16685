/**
 * A lab abused as a careless user would (issue 18): two deploys of one lab at once, leaked lab
 * directories, interrupted deploys, another file with the same lab name. Tiny 2-node linux labs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { LAB_BIN, NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const labs: string[] = [];
const dirs: string[] = [];
after(async () => {
  for (const l of labs) await forceDestroy(l);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A 2-node lab file (n1:eth1 -- n2:eth1) in a fresh directory; `extra` adds exec lines to n1. */
async function twoNodeLab(prefix: string, opts: { name?: string; n1Exec?: string[] } = {}): Promise<{ name: string; file: string; dir: string }> {
  const name = opts.name ?? uniqueLabName(prefix);
  if (!labs.includes(name)) labs.push(name);
  const dir = await mkdtemp(join(tmpdir(), `kindlab-${prefix}-`));
  dirs.push(dir);
  const file = join(dir, 'topo.yaml');
  const exec = opts.n1Exec ? `, exec: ${JSON.stringify(opts.n1Exec)}` : '';
  await writeFile(file, [
    `name: ${name}`,
    `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }`,
    'topology:',
    '  nodes:',
    `    n1: { kind: linux, image: kindlab/base:latest${exec} }`,
    '    n2: { kind: linux, image: kindlab/base:latest }',
    '  links:',
    '    - endpoints: ["n1:eth1", "n2:eth1"]',
  ].join('\n') + '\n');
  return { name, file, dir };
}

async function hasLink(name: string, node: string, iface: string): Promise<boolean> {
  const r = await execa('docker', ['exec', `clab-${name}-${node}`, 'ip', 'link', 'show', iface], { reject: false });
  return r.exitCode === 0;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

test('defect 4: two deploys of one lab started together: one lab, both exit 0, the second waited or found it deployed', async () => {
  const { name, file } = await twoNodeLab('kl-conc');
  const [a, b] = await Promise.all([lab(['deploy', '-t', file]), lab(['deploy', '-t', file])]);
  assert.equal(a.exitCode, 0, a.stderr);
  assert.equal(b.exitCode, 0, b.stderr);
  const out = [a.stdout, b.stdout].join('\n');
  assert.equal(out.match(/deployed: 2 containers, 1 links/g)?.length, 1, out);
  assert.match(out, /is already deployed: 2 nodes running, nothing to do/);
  assert.match(a.stderr + b.stderr, /being deployed or destroyed by another command \(pid \d+\); waiting/);
  const left = await leftovers(name);
  assert.deepEqual(left.containers.sort(), [`clab-${name}-n1`, `clab-${name}-n2`]);
  assert.equal(left.networks.length, 1);
  assert.ok(await hasLink(name, 'n1', 'eth1'));
  assert.ok(await hasLink(name, 'n2', 'eth1'));
  // destroy started while a redeploy runs waits for it, then removes everything
  const [d, r] = await Promise.all([lab(['deploy', '-t', file, '--reconfigure']), new Promise((res) => setTimeout(res, 300)).then(() => lab(['destroy', '-t', file, '--cleanup']))]);
  assert.equal(d.exitCode, 0, d.stderr);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('defect 9: a failed deploy removes its lab directory too, as its message says', async () => {
  const { name, file, dir } = await twoNodeLab('kl-fdir', { n1Exec: ['ls /no/such/dir'] });
  const r = await lab(['deploy', '-t', file]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /^hint: everything the deploy created was removed/m);
  assert.equal(await exists(join(dir, `lab-${name}`)), false, 'lab directory removed');
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('defect 9: destroy --name X --cleanup with no container left removes the lab directory (found from the recorded state)', async () => {
  const { name, file, dir } = await twoNodeLab('kl-ldir');
  const labDir = join(dir, `lab-${name}`);
  assert.equal((await lab(['deploy', '-t', file])).exitCode, 0);
  await writeFile(join(labDir, 'ca.key'), 'secret\n');
  const d1 = await lab(['destroy', '--name', name]);
  assert.equal(d1.exitCode, 0, d1.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
  assert.ok(await exists(join(labDir, 'ca.key')), 'destroy without --cleanup keeps the directory');
  const d2 = await lab(['destroy', '--name', name, '--cleanup']);
  assert.equal(d2.exitCode, 0, d2.stderr);
  assert.doesNotMatch(d2.stdout, /nothing to remove/);
  assert.match(d2.stdout, new RegExp(`lab dir: +${labDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  assert.equal(await exists(labDir), false, 'lab directory with ca.key removed');
  const d3 = await lab(['destroy', '--name', name, '--cleanup']);
  assert.match(d3.stdout, /nothing to remove/);
});

/** Starts `lab deploy` detached; resolves with its exit code and stderr. */
function startDeploy(file: string, args: string[] = []) {
  const child = spawn('node', [LAB_BIN, 'deploy', '-t', file, '--max-workers', '1', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
  return { child, exited };
}

test('defect 2: kill -9 of lab deploy right after the first container, then lab deploy: the lab is complete', async () => {
  const { name, file } = await twoNodeLab('kl-k9a');
  const { child, exited } = startDeploy(file);
  await until('first container', async () => ((await leftovers(name)).containers.length > 0 ? true : undefined), 60_000, 50);
  child.kill('SIGKILL');
  await exited;
  const r = await lab(['deploy', '-t', file]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /the last deploy \(pid \d+, .*\) did not finish \(running, stopped in step "Nodes"\); removing what it left and deploying again/);
  assert.match(r.stdout, /deployed: 2 containers, 1 links/);
  assert.ok(await hasLink(name, 'n1', 'eth1'));
  assert.ok(await hasLink(name, 'n2', 'eth1'));
  assert.match((await lab(['deploy', '-t', file])).stdout, /already deployed/);
  assert.equal((await lab(['destroy', '-t', file, '--cleanup'])).exitCode, 0);
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('defect 2: kill -9 during the exec lines (links made), then lab deploy: exec lines run, not "already deployed"', async () => {
  const { name, file, dir } = await twoNodeLab('kl-k9b', { n1Exec: ['sleep 8', 'ip addr add 10.99.0.1/24 dev eth1'] });
  const { child, exited } = startDeploy(file);
  // the per-node pipeline runs n1's exec lines once its link exists
  await until('n1 link made', async () => ((await hasLink(name, 'n1', 'eth1')) ? true : undefined), 60_000, 50);
  child.kill('SIGKILL');
  await exited;
  const r = await lab(['deploy', '-t', file]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /already deployed/);
  assert.match(r.stderr, /stopped in step "Nodes"/);
  const addr = await execa('docker', ['exec', `clab-${name}-n1`, 'ip', '-4', 'addr', 'show', 'eth1']);
  assert.match(addr.stdout, /inet 10\.99\.0\.1\/24/);
  assert.equal((await lab(['destroy', '-t', file, '--cleanup'])).exitCode, 0);
  assert.deepEqual(await leftovers(name), NOTHING);
});

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`defect 2: ${sig} during lab deploy rolls back: exit ${code}, a message, nothing left`, async () => {
    const { name, file, dir } = await twoNodeLab(`kl-${sig.toLowerCase()}`, { n1Exec: ['sleep 30'] });
    const { child, exited } = startDeploy(file);
    await until('n1 link made', async () => ((await hasLink(name, 'n1', 'eth1')) ? true : undefined), 60_000, 50);
    const t0 = Date.now();
    child.kill(sig);
    const r = await exited;
    assert.equal(r.code, code, r.stderr);
    assert.ok(Date.now() - t0 < 25_000, 'stops within the 20 s grace');
    assert.match(r.stderr, new RegExp(`${sig}: stopping the deploy of lab ${name} and removing what it created`));
    assert.match(r.stderr, new RegExp(`^ERROR: lab ${name}: deploy (interrupted|terminated) \\(${sig}\\) during step "Nodes"$`, 'm'));
    assert.match(r.stderr, /^hint: everything the deploy created was removed; deploy again with the same command$/m);
    assert.deepEqual(await leftovers(name), NOTHING);
    assert.equal(await exists(join(dir, `lab-${name}`)), false);
  });
}

test('defect 5: another file with the same lab name cannot deploy or destroy the running lab without --force', async () => {
  const a = await twoNodeLab('kl-own');
  const b = await twoNodeLab('kl-own', { name: a.name });
  assert.equal((await lab(['deploy', '-t', a.file])).exitCode, 0);
  const ids = (await execa('docker', ['ps', '-q', '--filter', `label=kindlab.lab=${a.name}`])).stdout;
  const d = await lab(['deploy', '-t', b.file]);
  assert.equal(d.exitCode, 1);
  assert.match(d.stderr, new RegExp(`^ERROR: lab ${a.name} belongs to another topology file: ${a.file} \\(not ${b.file}\\); refusing to deploy it$`, 'm'));
  assert.match(d.stderr, /--force/);
  const x = await lab(['destroy', '-t', b.file, '--cleanup']);
  assert.equal(x.exitCode, 1);
  assert.match(x.stderr, /refusing to destroy it/);
  assert.equal((await execa('docker', ['ps', '-q', '--filter', `label=kindlab.lab=${a.name}`])).stdout, ids, 'the running lab is untouched');
  assert.ok(await exists(join(a.dir, `lab-${a.name}`)));
  assert.ok(await hasLink(a.name, 'n1', 'eth1'));
  const f = await lab(['destroy', '-t', b.file, '--force']);
  assert.equal(f.exitCode, 0, f.stderr);
  assert.deepEqual(await leftovers(a.name), NOTHING);
  assert.equal((await lab(['destroy', '-t', a.file, '--cleanup'])).exitCode, 0);
  assert.equal(await exists(join(a.dir, `lab-${a.name}`)), false);
});
