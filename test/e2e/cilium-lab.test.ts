/**
 * The Cilium article lab end to end (labs/cilium-bgp/topo.yaml copied under a unique name and
 * management subnet; everything else as a user runs it): `lab deploy` starts lab-agent (Cilium
 * dialect) on the four nodes, `lab verify --wait 90s` passes every declared and derived check
 * (sessions, the 12 routes on router0, pod-to-pod ping, the traceroute named by node), JUnit is
 * schema-valid. Then the lab is broken twice: (a) tor1's link to router0 down, (b) the agent on
 * worker2 (nettool-2's node) stopped. Each time exactly the dependent declared checks turn red,
 * with the command and its output as evidence, and the lab recovers. Destroy leaves nothing.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { validateJunit } from '../fixtures/verify/junit-validator.js';
import { NOTHING, lab, leftovers, until } from './helpers.js';
import { checkNamed, deployedArticleLab, verifyJson as verifyLabJson, type VerifyJsonReport } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const name = uniqueLabName('kl-cil');
type Report = VerifyJsonReport;

const TRACE = 'pod/nettool-1 → pod/nettool-2 via worker, tor0, router0, tor1, worker2';
const DECLARED = 20; // 18 verify checks and the 2 kubectl exec lines of the stages

const labCopy = deployedArticleLab(name, 'kindlab-cilium-', 'labs/cilium-bgp', (out) => assert.match(out, /Cluster BGP agents/));
const verifyJson = (args: string[] = []) => verifyLabJson(labCopy.file, args);

/** The article's kubectl line in the stages: it fails with the path to nettool-2 (traceroute after it is then not run). */
const PING_STEP = 'kubectl exec -it nettool-1 -- ping -c 3 10.1.2.2';
const failedDeclared = (r: Report) => r.checks.filter((c) => !c.passed && !c.derived).map((c) => c.name).sort();
const byName = (r: Report, n: string) => checkNamed(r.checks, n);

test('deploy + lab verify --wait 90s: every declared and derived check passes; JUnit is schema-valid', async () => {
  const { exitCode, report } = await verifyJson(['--wait', '90s']);
  assert.deepEqual(report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
  assert.equal(exitCode, 0);
  assert.equal(report.checks.filter((c) => !c.derived).length, DECLARED);
  // the article's evidence
  assert.match(byName(report, 'tor0 all sessions Established').detail, /3\/3 Established \(net0 AS65000 .*10\.0\.1\.2 AS65010 Established 1 pfx, 10\.0\.2\.2 AS65010 Established 1 pfx\)/);
  assert.match(byName(report, 'tor1 all sessions Established').detail, /10\.0\.3\.2 AS65011 Established 1 pfx, 10\.0\.4\.2 AS65011 Established 1 pfx/);
  assert.match(byName(report, "router0 has the article's 12 routes").detail, /; 12 routes in the BGP table$/);
  assert.match(byName(report, 'router0 has route 10.1.3.0/24').detail, /dev net1 \(tor1\)$/);
  assert.match(byName(report, 'tor1 has route 10.1.3.0/24').detail, /via 10\.0\.4\.2 dev net2 \(worker3\)$/);
  assert.match(byName(report, 'pod/nettool-1 → pod/nettool-2').detail, /^pod\/nettool-2 \(10\.1\.2\.\d+\): 3\/3 replies, 0% loss$/);
  assert.match(byName(report, TRACE).detail, /^worker \(10\.1\.1\.1\) → tor0 \(10\.0\.2\.1\) → router0 \(10\.0\.0\.0\) → tor1 \(10\.0\.0\.2\) → worker2 \(10\.0\.3\.2\) → pod\/nettool-2 \(10\.1\.2\.\d+\)$/);
  // the article's own kubectl lines (stages): kubectl exec through the API server to nettool-1
  assert.match(byName(report, PING_STEP).evidence.output, /3 packets transmitted, 3 received/);
  const tr = byName(report, 'kubectl exec -it nettool-1 -- traceroute -n 10.1.2.2');
  assert.equal(tr.passed, true);
  assert.match(tr.evidence.output, /traceroute to 10\.1\.2\.2[^]*\n\s*5\s+10\.0\.3\.2[^]*\n\s*6\s+10\.1\.2\.2 /);
  // derived: the node agents' sessions, each pod CIDR on each router, pods both ways
  const derived = report.checks.filter((c) => c.derived).map((c) => c.name);
  for (const n of ['control-plane', 'worker', 'worker2', 'worker3']) assert.ok(derived.some((d) => d.startsWith(`${n} `)), `a derived session check for ${n}`);
  assert.equal(derived.filter((d) => / has pod CIDR 10\.1\.\d\.0\/24 of /.test(d)).length, 12);
  assert.deepEqual(derived.filter((d) => d.startsWith('pod/')).sort(), ['pod/default/nettool-1 → pod/default/nettool-2', 'pod/default/nettool-2 → pod/default/nettool-1']);

  // the agent is inspectable in the node, and logs into the lab directory
  const nb = await lab(['exec', '-t', labCopy.file, 'worker', '--', 'lab-agent', 'neighbor']);
  assert.equal(nb.exitCode, 0, nb.stderr);
  assert.match(nb.stdout, /10\.0\.0\.1\s+65010\s+\S+\s+Established/);
  const log = await readFile(join(labCopy.dir, `lab-${name}`, 'worker', 'logs', 'agent.log'), 'utf8');
  assert.match(log, /"msg":"Peer Up".*"peer":"10\.0\.0\.1"/);

  const junitFile = join(labCopy.dir, 'ok.xml');
  const j = await lab(['verify', '-t', labCopy.file, '--format', 'junit', '-o', junitFile]);
  assert.equal(j.exitCode, 0, j.stderr);
  const xml = await readFile(junitFile, 'utf8');
  assert.deepEqual(validateJunit(xml), []);
  assert.equal((xml.match(/<failure /g) ?? []).length, 0);
});

test('(a) tor1–router0 link down: rack1 is cut off; the dependent checks fail with evidence; it recovers', async () => {
  const down = await lab(['exec', '-t', labCopy.file, 'tor1', '--', 'ip', 'link', 'set', 'net0', 'down']);
  assert.equal(down.exitCode, 0, down.stderr);
  try {
    const { exitCode, report } = await until('router0 to lose rack1', async () => {
      const v = await verifyJson();
      return byName(v.report, 'router0 has route 10.1.2.0/24').passed ? undefined : v;
    }, 30_000, 1000);
    assert.equal(exitCode, 1);
    assert.deepEqual(failedDeclared(report), [
      TRACE,
      'pod/nettool-1 → pod/nettool-2',
      PING_STEP,
      'router0 all sessions Established',
      "router0 has the article's 12 routes",
      'router0 has route 10.1.2.0/24',
      'router0 has route 10.1.3.0/24',
      'tor1 all sessions Established',
    ].sort());
    const r0 = byName(report, "router0 has the article's 12 routes");
    assert.match(r0.detail, /^frr: 7 routes in the BGP table, expected 12; 1\/2 Established; down: net1 AS65011/);
    assert.match(r0.evidence.output, /show bgp ipv4 unicast json/);
    const ping = byName(report, 'pod/nettool-1 → pod/nettool-2');
    assert.match(ping.evidence.command, /^pod\/nettool-1\$ ping .* 10\.1\.2\.\d+$/);
    assert.match(ping.evidence.output, /3 packets transmitted, 0 received, 100% packet loss/);
    assert.match(byName(report, TRACE).detail, /^worker \(10\.1\.1\.1\) → tor0 \(10\.0\.2\.1\) → \* ×\d+; expected worker → tor0 → router0 → tor1 → worker2$/);
    // rack0's own sessions are unaffected; derived: rack1's CIDRs gone from router0 and tor0
    assert.equal(byName(report, 'tor0 all sessions Established').passed, true);
    const derivedFailed = report.checks.filter((c) => !c.passed && c.derived).map((c) => c.name);
    assert.ok(derivedFailed.includes(`router0 has pod CIDR 10.1.3.0/24 of ${name}-worker3`), derivedFailed.join(' | '));
    assert.ok(derivedFailed.includes(`tor1 has pod CIDR 10.1.0.0/24 of ${name}-control-plane`));

    const junitFile = join(labCopy.dir, 'broken.xml');
    const j = await lab(['verify', '-t', labCopy.file, '--format', 'junit', '-o', junitFile]);
    assert.equal(j.exitCode, 1);
    const xml = await readFile(junitFile, 'utf8');
    assert.deepEqual(validateJunit(xml), []);
    assert.match(xml, /<testcase classname="[^"]+\.ping" name="pod\/nettool-1 → pod\/nettool-2" time="[\d.]+">\s*<failure message="pod\/nettool-2 \(10\.1\.2\.\d+\): 0\/3 replies, 100% loss \(max 0%\)" type="ping">\$ pod\/nettool-1\$ ping/);
  } finally {
    await lab(['exec', '-t', labCopy.file, 'tor1', '--', 'ip', 'link', 'set', 'net0', 'up']);
  }
  const again = await verifyJson(['--wait', '90s']);
  assert.deepEqual(again.report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
});

test('(b) the agent on worker2 stopped: its session and pod CIDR go, nettool-2 is unreachable; it recovers', async () => {
  const worker2 = `${name}-worker2`;
  const marker = join(labCopy.dir, `lab-${name}`, 'worker2', 'agent.enabled');
  // Stop for good: without the marker the node daemon does not start its agent again; /stop ends it as SIGTERM did.
  await rm(marker);
  const stopped = await execa('docker', ['exec', worker2, 'curl', '-sS', '--fail-with-body', '--unix-socket', '/run/kindlab/agent-host.sock', '-X', 'POST', 'http://agent/stop']);
  assert.equal(stopped.stdout.trim(), 'stopped');
  try {
    const { exitCode, report } = await until('tor1 to lose worker2', async () => {
      const v = await verifyJson();
      return byName(v.report, 'tor1 has route 10.1.2.0/24').passed ? undefined : v;
    }, 30_000, 1000);
    assert.equal(exitCode, 1);
    assert.deepEqual(failedDeclared(report), [
      TRACE,
      'pod/nettool-1 → pod/nettool-2',
      PING_STEP,
      "router0 has the article's 12 routes",
      'router0 has route 10.1.2.0/24',
      'tor1 all sessions Established',
      'tor1 has route 10.1.2.0/24',
      'tor1 peer 10.0.3.2 Established',
    ].sort());
    assert.match(byName(report, 'tor1 peer 10.0.3.2 Established').detail, /^frr: 10\.0\.3\.2 AS65011 (Active|Connect|Idle)/);
    assert.match(byName(report, "router0 has the article's 12 routes").detail, /^frr: 11 routes in the BGP table, expected 12/);
    assert.equal(byName(report, 'tor1 has route 10.1.2.0/24').evidence.output, '{}');
    // the node itself: a deployed agent that is not running is a failed derived check, with the refusal as evidence
    const agent = byName(report, 'worker2 all sessions Established');
    assert.equal(agent.passed, false);
    assert.equal(agent.evidence.command, 'worker2$ lab-agent neighbor --json');
    assert.match(agent.evidence.output, /ECONNREFUSED/);
    assert.equal(byName(report, 'tor1 has route 10.1.3.0/24').passed, true, 'worker3 is unaffected');
  } finally {
    await writeFile(marker, '');
    await execa('docker', ['exec', worker2, 'sh', '/var/lib/kindlab/node/boot.sh']);
  }
  const again = await verifyJson(['--wait', '90s']);
  assert.deepEqual(again.report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
});

test('destroy leaves nothing', async () => {
  const down = await lab(['destroy', '-t', labCopy.file]);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
  const rules = await execa('iptables', ['-w', '5', '-S', 'DOCKER-USER']);
  assert.doesNotMatch(rules.stdout, new RegExp(`kindlab:${name}:api`));
});
