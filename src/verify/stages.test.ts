/**
 * `stages:`: conversion, validation with file:line:col, and the run order (steps, then checks,
 * stage after stage) with real host processes: the "kubectl" is a shell command that changes
 * what a local HTTP server answers, so a stage's checks pass only if its steps ran first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { TopologyError } from '../errors.js';
import { loadPlan } from '../topology/index.js';
import type { LabPlan } from '../topology/types.js';
import { LabContext, type NodeExec } from './context.js';
import { loadStages } from './stages.js';
import { runStages, stageSummary, type Kubectl } from './stages-run.js';

const dir = mkdtempSync(join(tmpdir(), 'kl-stages-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `name: st
cluster:
  name: st
  nodes:
  - role: control-plane
  - role: worker
topology:
  nodes:
    tor: { kind: linux, image: frrouting/frr:v8.2.2 }
    ext: { kind: linux, image: nicolaka/netshoot:latest }
  links:
  - endpoints: ["tor:eth1", "ext:eth1"]
`;

async function planOf(body: string, head = HEAD): Promise<LabPlan> {
  const file = join(dir, `topo-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, head + body);
  return loadPlan(file, { env: {}, labDir: join(dir, 'lab') });
}

async function problems(body: string, head = HEAD): Promise<string[]> {
  const plan = await planOf(body, head);
  try {
    loadStages(plan);
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
  }
  assert.fail('expected a TopologyError');
}

writeFileSync(join(dir, 'bgpconfig.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');

describe('stages: conversion', () => {
  test('no section: no stages', async () => {
    assert.deepEqual(loadStages(await planOf('')), []);
  });

  test('steps in written order (apply files absolute, then kubectl lines split), checks converted, durations', async () => {
    const stages = loadStages(await planOf(`stages:
- name: serviceClusterIPs
  apply: [bgpconfig.yaml]
  kubectl:
  - patch svc nginx -p '{"spec":{"externalTrafficPolicy":"Local"}}'
  - kubectl delete pod web --ignore-not-found
  wait: 2s
  verify:
  - route: { node: tor, prefix: 10.49.0.0/16, ecmp: 3 }
  - curl: { from: ext, url: "http://10.49.62.131/", contains: nginx }
- name: withdrawn
  timeout: 5s
  verify:
  - route: { node: tor, prefix: 10.49.0.0/16, absent: true }
`));
    assert.deepEqual(stages.map((s) => s.name), ['serviceClusterIPs', 'withdrawn']);
    const [a, b] = stages as [NonNullable<(typeof stages)[0]>, NonNullable<(typeof stages)[1]>];
    assert.deepEqual(a.steps.map((s) => (s.kind === 'apply' ? ['apply', s.file] : ['kubectl', ...s.args])), [
      ['apply', join(dir, 'bgpconfig.yaml')],
      ['kubectl', 'patch', 'svc', 'nginx', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}'],
      ['kubectl', 'delete', 'pod', 'web', '--ignore-not-found'],
    ]);
    assert.equal(a.waitMs, 2000);
    assert.deepEqual(a.checks.map((c) => c.name), ['tor has route 10.49.0.0/16', 'ext → http://10.49.62.131/']);
    assert.equal(a.pos.line, 14);
    assert.equal(a.steps[1]!.pos.line, 17);
    assert.deepEqual([b.timeoutMs, b.steps.length, b.checks[0]!.kind], [5000, 0, 'route']);
  });
});

describe('stages: every problem with file:line:col', () => {
  test('schema: unknown key in a stage, missing name, unknown check kind', async () => {
    const p = await problems(`stages:
- name: one
  aply: [bgpconfig.yaml]
- verify:
  - pong: { from: ext, to: tor }
`);
    assert.deepEqual(p, [
      '15:9 stages[0].aply: unknown key "aply" (allowed keys: name, description, apply, kubectl, wait, timeout, verify)',
      '16:3 stages[1]: missing required key "name"',
      '17:11 stages[1].verify[0].pong: unknown check kind "pong" (kinds: bgp, route, ping, traceroute, curl)',
    ]);
  });

  test('references: unknown node in a stage check, missing manifest, duplicate name, kubeconfig flag, bad duration, empty stage', async () => {
    const p = await problems(`stages:
- name: one
  apply: [nope.yaml]
  kubectl: ["--kubeconfig /tmp/x get pods"]
  wait: 5 parsecs
- name: one
  verify:
  - ping: { from: leaf9, to: tor }
- name: idle
`);
    assert.deepEqual(p, [
      `15:11 stages[0].apply[0]: manifest ${join(dir, 'nope.yaml')} does not exist`,
      '16:13 stages[0].kubectl[0]: leave out --kubeconfig: stages always use the lab\'s kubeconfig',
      p[2]!,
      '20:19 stages[1].verify[0].ping.from: node "leaf9" is not defined',
      '21:9 stages[2].name: stage "idle" does nothing: give it apply, kubectl or verify entries',
      '18:9 stages[1].name: stage name "one" is used twice (first at stages[0])',
    ]);
    assert.match(p[2]!, /^17:9 stages\[0\]\.wait: /);
  });

  test('apply and kubectl need the lab to have a cluster', async () => {
    const p = await problems(`stages:
- name: one
  kubectl: ["get pods"]
`, HEAD.replace(/cluster:\n(  .*\n)+/, ''));
    assert.deepEqual(p, ['10:12 stages[0].kubectl: apply and kubectl steps act on the lab\'s cluster, but the topology has no cluster section']);
  });
});

describe('stages: run order', () => {
  let server: Server;
  let url = '';
  const state = join(dir, 'state.txt');
  before(async () => {
    writeFileSync(state, 'initial\n');
    server = createServer((_req, res) => res.writeHead(200).end(readFileSync(state, 'utf8')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const hostExec: NodeExec = async (_node, argv) => {
    const r = await execa(argv[0]!, argv.slice(1), { reject: false });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  // A real process per step: appends its arguments to the state file the server serves; `fail` exits 1.
  const calls: string[][] = [];
  const kubectl: Kubectl = async (args) => {
    calls.push(args);
    const r = await execa('sh', ['-c', '[ "$1" = fail ] && { echo "error: boom" >&2; exit 1; }; echo "$*" >> "$0"', state, ...args], { reject: false });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  test('steps run in order before their checks; a stage sees the previous stage\'s state; failed step skips the rest', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'kind: ConfigMap\n');
    const plan = await planOf(`stages:
- name: first
  apply: [a.yaml]
  kubectl: ["label node x stage=one"]
  verify:
  - curl: { from: ext, url: "${url}", contains: "stage=one" }
- name: second
  kubectl: ["annotate svc y two=2"]
  verify:
  - curl: { from: ext, url: "${url}", contains: "apply -f ${join(dir, 'a.yaml')}" }
  - curl: { from: ext, url: "${url}", contains: "two=2" }
  - curl: { name: never, from: ext, url: "${url}", contains: "three" }
- name: broken
  kubectl: ["fail now", "get pods"]
  verify:
  - curl: { from: ext, url: "${url}" }
- name: after
  verify:
  - curl: { from: ext, url: "${url}" }
`);
    const stages = loadStages(plan);
    const seen: string[] = [];
    const progress: string[] = [];
    const results = await runStages(() => new LabContext(plan, hostExec), stages, {
      kubectl,
      onStage: (s, i, all) => {
        seen.push(s.name);
        progress.push(stageSummary(s, i, all.length).split(':')[0]!);
      },
      retryDelayMs: 50,
    });
    assert.deepEqual(seen, ['first', 'second', 'broken']);
    // the typed stage list comes with each call (lab verify prints "stage i/N")
    assert.equal(progress.length, 3);
    assert.ok(progress.every((p, i) => p.includes(`${i + 1}/${stages.length}`)), progress.join(' | '));
    assert.deepEqual(calls, [['apply', '-f', join(dir, 'a.yaml')], ['label', 'node', 'x', 'stage=one'], ['annotate', 'svc', 'y', 'two=2'], ['fail', 'now']]);
    assert.deepEqual(results.map((r) => [r.stage, r.kind, r.passed]), [
      ['first', 'stage', true],
      ['first', 'stage', true],
      ['first', 'curl', true],
      ['second', 'stage', true],
      ['second', 'curl', true],
      ['second', 'curl', true],
      ['second', 'curl', false],
      ['broken', 'stage', false],
      ['after', 'stage', false],
    ]);
    const failedStep = results[7]!;
    assert.equal(failedStep.name, 'kubectl fail now');
    assert.equal(failedStep.detail, 'kubectl exited 1: error: boom');
    assert.match(failedStep.evidence.command, /^host\$ kubectl fail now$/);
    assert.equal(results[8]!.detail, 'skipped: a step of stage "broken" failed');
  });

  test('each stage retries its checks within its own --wait window', async () => {
    writeFileSync(state, 'initial\n');
    const plan = await planOf(`stages:
- name: late
  verify:
  - curl: { from: ext, url: "${url}", contains: "ready" }
`);
    setTimeout(() => writeFileSync(state, 'ready\n'), 300);
    const [r] = await runStages(() => new LabContext(plan, hostExec), loadStages(plan), { kubectl, waitMs: 5000, retryDelayMs: 100 });
    assert.equal(r!.passed, true, r!.detail);
    assert.ok(r!.attempts > 1);
    assert.equal(r!.stage, 'late');
  });
});
