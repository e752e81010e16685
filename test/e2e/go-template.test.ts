/**
 * A containerlab topology written as a Go template deploys as containerlab renders it (issue 11):
 * nodes and links from `range` over --vars data, and the same --vars on inspect and destroy.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-gotmpl');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a Go-template topology with --vars deploys its rendered nodes and links; inspect and destroy take the same --vars', async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-gotmpl-'));
  const file = join(dir, 'ring.clab.yml');
  await writeFile(file, [
    'name: {{ .lab }}',
    'mgmt: { network: kindlab-{{ .lab }}, ipv4-subnet: {{ .subnet }} }',
    'topology:',
    '  nodes:',
    '{{- range $i := seq 1 .count }}',
    '    n{{ $i }}: {kind: linux, image: kindlab/base:latest, exec: ["ip addr add {{ net.CIDRHost $i $.p2p }}/24 dev eth1"]}',
    '{{- end }}',
    '  links:',
    '    - endpoints: ["n1:eth1", "n2:eth1"]',
  ].join('\n') + '\n');
  const vars = join(dir, 'two.yml');
  await writeFile(vars, `lab: ${name}\nsubnet: ${uniqueSubnet(name)}\ncount: 2\np2p: 10.77.0.0/24\n`);
  const d = await lab(['deploy', '-t', file, '--vars', vars, '--timings']);
  assert.equal(d.exitCode, 0, d.stderr);
  // --timings: one row per step, then the total
  for (const step of ['Images', 'Management network', 'Nodes', 'total']) assert.match(d.stdout, new RegExp(`^  ${step} +\\d+\\.\\d\\d s`, 'm'), d.stdout);
  assert.match(d.stdout, new RegExp(`lab ${name} deployed: 2 containers, 1 links`));
  const ping = await execa('docker', ['exec', `clab-${name}-n1`, 'ping', '-c', '1', '-W', '2', '10.77.0.2'], { reject: false });
  assert.equal(ping.exitCode, 0, ping.stdout + ping.stderr);
  const i = await lab(['inspect', '-t', file, '--vars', vars, '--format', 'json']);
  assert.equal(i.exitCode, 0, i.stderr);
  assert.ok(i.stdout.includes(`clab-${name}-n2`));
  // without the vars the template names another lab: the error says what rendered
  const bad = await lab(['inspect', '-t', file]);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, /ring\.clab\.yml/);
  // lab export logs: per-node logs and state, the lab directory's reports, never its secrets
  const out = join(dir, 'artifacts');
  const ex = await lab(['export', 'logs', out, '--name', name]);
  assert.equal(ex.exitCode, 0, ex.stderr);
  assert.match(ex.stdout, new RegExp(`lab ${name}: \\d+ files written to ${out.replace(/[/.]/g, '\\$&')}`));
  assert.match(await readFile(join(out, 'nodes', 'n1', 'ip-addr.txt'), 'utf8'), /inet 10\.77\.0\.1\/24/);
  assert.ok(JSON.parse(await readFile(join(out, 'nodes', 'n2', 'inspect.json'), 'utf8')));
  await readFile(join(out, 'nodes', 'n1', 'container.log'), 'utf8');
  assert.ok(JSON.parse(await readFile(join(out, 'lab-dir', 'topology-data.json'), 'utf8')));
  assert.ok(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')));
  const x = await lab(['destroy', '-t', file, '--vars', vars, '--cleanup']);
  assert.equal(x.exitCode, 0, x.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
