/**
 * `lab verify` on the Cilium article's routers (labs/cilium-bgp/routers.yaml plus a verify:
 * section) deployed with the real CLI: everything passes after `--wait 60s`; then tor1's link to
 * router0 goes down and exactly the checks that depend on it turn red, with the command and its
 * output as evidence; the JUnit report passes the JUnit schema check; derived checks find every
 * configured FRR session. The lab is destroyed in `after`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { validateJunit } from '../fixtures/verify/junit-validator.js';
import { REPO, forceDestroy, lab, until } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-verify');
let dir = '';
let file = '';

const CHECKS = [
  { bgp: { node: 'router0' } },
  { bgp: { node: 'tor0', peer: 'net0', minPrefixes: 1 } },
  { bgp: { node: 'tor1', peer: 'net0', minPrefixes: 1 } },
  { route: { node: 'router0', prefix: '10.0.3.0/24', nexthops: ['tor1'], ecmp: 1 } },
  { route: { node: 'router0', prefix: '10.0.1.0/24', nexthops: ['tor0'] } },
  { route: { node: 'tor0', prefix: '10.0.3.0/24', source: 'kernel', nexthops: ['router0'] } },
  { route: { node: 'router0', prefix: '10.9.9.0/24', absent: true } },
  { ping: { from: 'server0', to: 'server2' } },
  { ping: { from: 'server0', to: 'server1' } },
  { traceroute: { from: 'server0', to: 'server2', hops: ['tor0', 'router0', 'tor1', 'server2'] } },
];

interface Report {
  lab: string;
  passed: boolean;
  checks: Array<{ kind: string; name: string; passed: boolean; detail: string; evidence: { command: string; output: string } }>;
}

before(async () => {
  const doc = parseDocument(await readFile(join(REPO, 'labs/cilium-bgp/routers.yaml'), 'utf8'));
  doc.set('name', name);
  doc.set('mgmt', doc.createNode({ network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) }));
  doc.set('verify', doc.createNode(CHECKS));
  dir = await mkdtemp(join(tmpdir(), 'kindlab-verify-'));
  file = join(dir, 'routers.yaml');
  await writeFile(file, doc.toString());
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, up.stderr);
});

after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verifyJson(args: string[] = []): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const r = await lab(['verify', '-t', file, '--format', 'json', ...args]);
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

test('all declared checks pass once the lab has converged (--wait 60s)', async () => {
  const { exitCode, report } = await verifyJson(['--wait', '60s']);
  assert.equal(report.lab, name);
  assert.deepEqual(report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
  assert.equal(exitCode, 0);
  assert.equal(report.passed, true);
  assert.equal(report.checks.length, CHECKS.length);
  const byName = new Map(report.checks.map((c) => [c.name, c]));
  assert.match(byName.get('router0 all sessions Established')!.detail, /2\/2 Established \(net0 AS65010 .*net1 AS65011/);
  assert.match(byName.get('router0 has route 10.0.3.0/24')!.detail, /dev net1 \(tor1\)/);
  assert.match(byName.get('server0 → server2 via tor0, router0, tor1, server2')!.detail, /^tor0 \(10\.0\.1\.1\) → router0 \(.*\) → tor1 \(.*\) → server2 \(10\.0\.3\.2\)$/);

  const text = await lab(['verify', '-t', file]);
  assert.equal(text.exitCode, 0);
  assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('PASS ')).length, CHECKS.length);
  assert.match(text.stdout, /all checks passed/);

  // the commands ran through long-lived shells in the nodes (src/verify/node-shell.ts): none outlives the CLI
  for (const node of ['router0', 'tor0', 'server0']) {
    await until(`no verify shell left in ${node}`, async () => {
      const ps = await execa('docker', ['exec', `clab-${name}-${node}`, 'sh', '-c', 'cat /proc/[0-9]*/cmdline | tr "\\000" " "']);
      return ps.stdout.includes('read -r M') ? undefined : true;
    }, 10_000);
  }
});

test('derived checks: one per configured FRR session (the stand-in servers never peer)', async () => {
  const plain = parseDocument(await readFile(file, 'utf8'));
  plain.delete('verify');
  const derivedFile = join(dir, 'derived.yaml');
  await writeFile(derivedFile, plain.toString());
  const r = await lab(['verify', '-t', derivedFile, '--format', 'json']);
  const report = JSON.parse(r.stdout) as Report;
  const state = Object.fromEntries(report.checks.map((c) => [c.name, c.passed]));
  assert.deepEqual(state, {
    'router0 peer net0 Established': true,
    'router0 peer net1 Established': true,
    'tor0 peer net0 Established': true,
    'tor0 peer 10.0.1.2 Established': false,
    'tor0 peer 10.0.2.2 Established': false,
    'tor1 peer net0 Established': true,
    'tor1 peer 10.0.3.2 Established': false,
    'tor1 peer 10.0.4.2 Established': false,
  });
  assert.equal(r.exitCode, 1);
});

test('tor1–router0 link down: exactly the dependent checks fail, with evidence; JUnit is schema-valid', async () => {
  const down = await lab(['exec', '-t', file, 'tor1', '--', 'ip', 'link', 'set', 'net0', 'down']);
  assert.equal(down.exitCode, 0, down.stderr);
  const { exitCode, report } = await until('router0 to notice', async () => {
    const v = await verifyJson();
    return v.report.checks.find((c) => c.name === 'router0 has route 10.0.3.0/24')?.passed === false ? v : undefined;
  }, 30000, 1000);
  assert.equal(exitCode, 1);
  assert.equal(report.passed, false);
  const failed = report.checks.filter((c) => !c.passed).map((c) => c.name).sort();
  assert.deepEqual(failed, [
    'router0 all sessions Established',
    'router0 has route 10.0.3.0/24',
    'server0 → server2',
    'server0 → server2 via tor0, router0, tor1, server2',
    'tor0 has route 10.0.3.0/24',
    'tor1 peer net0 Established',
  ]);
  const get = (n: string) => report.checks.find((c) => c.name === n)!;
  const r0 = get('router0 all sessions Established');
  assert.match(r0.detail, /1\/2 Established; down: net1/);
  assert.equal(r0.evidence.command, "router0$ vtysh -c 'show bgp summary json'");
  assert.match(r0.evidence.output, /"net1":\{[^}]*"state":"(Idle|Active|Connect)"/s);
  assert.equal(get('router0 has route 10.0.3.0/24').evidence.output, '{}');
  assert.match(get('server0 → server2').evidence.output, /3 packets transmitted, 0 received, 100% packet loss/);
  assert.match(get('server0 → server2').evidence.command, /^server0\$ ping .* 10\.0\.3\.2$/);

  const junitFile = join(dir, 'verify.xml');
  const j = await lab(['verify', '-t', file, '--format', 'junit', '-o', junitFile]);
  assert.equal(j.exitCode, 1);
  const xml = await readFile(junitFile, 'utf8');
  assert.deepEqual(validateJunit(xml), []);
  assert.equal((xml.match(/<failure /g) ?? []).length, 6);
  assert.match(xml, /<testcase classname="[^"]+\.bgp" name="tor1 peer net0 Established" time="[\d.]+">\s*<failure message="frr: net0 AS65000 [^"]+" type="bgp">\$ tor1\$ vtysh -c 'show bgp summary json'/);

  const md = await lab(['verify', '-t', file, '--format', 'markdown']);
  assert.match(md.stdout, /\*\*6 of 10 checks failed\.\*\*/);

  // Back up: the same checks recover (what --wait is for in CI).
  await lab(['exec', '-t', file, 'tor1', '--', 'ip', 'link', 'set', 'net0', 'up']);
  const again = await verifyJson(['--wait', '60s']);
  assert.deepEqual(again.report.checks.filter((c) => !c.passed).map((c) => c.name), []);
  assert.equal(again.exitCode, 0);
});

test('a bad expectation is a load error with file:line (the lab is not touched)', async () => {
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.set('verify', doc.createNode([{ bgp: { node: 'router9' } }, { route: { node: 'router0', prefix: '10.0.3.1/24' } }]));
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, doc.toString());
  const r = await lab(['verify', '-t', bad]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /2 problems in .*bad\.yaml/);
  assert.match(r.stderr, /bad\.yaml:\d+:\d+ verify\[0\]\.bgp\.node: node "router9" is not defined/);
  assert.match(r.stderr, /bad\.yaml:\d+:\d+ verify\[1\]\.route\.prefix: "10\.0\.3\.1\/24" has host bits set/);
});
