/** The `verify:` section: conversion, and every bad expectation reported with file:line:col. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { TopologyError } from '../errors.js';
import { parseTopology, planLab } from '../topology/index.js';
import { parseDuration } from './duration.js';
import { loadExpectations } from './expectations.js';
import { checkPrefix } from './net.js';

const planOf = (file: string) => {
  const text = readFileSync(new URL(`../../test/fixtures/verify/${file}`, import.meta.url), 'utf8');
  return planLab(parseTopology(text, { file, env: {} }));
};

function issues(file: string): string[] {
  try {
    loadExpectations(planOf(file));
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
  }
  assert.fail('expected a TopologyError');
}

describe('verify section', () => {
  test('converts every kind of check, with defaults and generated names', () => {
    const s = loadExpectations(planOf('topo-valid.yaml'));
    assert.equal(s.timeoutMs, 20_000);
    assert.equal(s.derive, false);
    assert.deepEqual(s.checks.map((c) => [c.kind, c.name]), [
      ['bgp', 'r1 all sessions Established'],
      ['bgp', 'r2 peer eth1 Established'],
      ['bgp', 'r2 at least 2 sessions Established'],
      ['route', 'r1 has route 10.0.3.0/24'],
      ['route', 'r1 has no route fd00::/64'],
      ['ping', 'h1 → r1'],
      ['traceroute', 'h1 → r1 via r2, r1'],
      ['curl', 'h1 → http://r1:8080/healthz'],
      ['curl', 'web'],
    ]);
    const [b1, b2, b3, r1, r2, p, t, c1, c2] = s.checks as never as Array<Record<string, unknown>>;
    assert.deepEqual([b1!['source'], b2!['source'], b2!['minPrefixes'], b3!['minEstablished']], ['auto', 'frr', 2, 2]);
    assert.deepEqual([r1!['present'], r1!['ecmp'], r2!['present'], r2!['source']], [true, 1, false, 'kernel']);
    assert.deepEqual([p!['count'], p!['maxLoss'], p!['timeoutMs'], p!['to']], [5, 20, 90_000, { type: 'node', node: 'r1' }]);
    assert.deepEqual(t!['hops'], ['r2', 'r1']);
    assert.deepEqual([c1!['url'], c1!['status'], c1!['contains']], ['http://{host}:8080/healthz', 200, 'ok']);
    assert.equal(c2!['status'], 204);
    assert.equal((s.checks[0]!.pos ?? { line: 0 }).line, 13);
  });

  test('no section: derive checks from the lab', () => {
    const plan = planOf('topo-valid.yaml');
    delete plan.sections['verify'];
    assert.deepEqual(loadExpectations(plan), { checks: [], derive: true });
  });

  test('unknown nodes, malformed prefixes, bad durations and targets: one issue each, with line and column', () => {
    assert.deepEqual(issues('topo-invalid.yaml'), [
      '9:18 verify[0].bgp.node: node "r9" is not defined',
      '10:32 verify[1].route.prefix: "10.0.3.1/24" has host bits set (the network is 10.0.3.0/24)',
      '11:32 verify[2].route.prefix: prefix length /33 is too long for IPv4',
      '12:32 verify[3].route.prefix: "banana" is not a prefix (write ADDRESS/LENGTH, e.g. 10.1.0.0/24)',
      '13:27 verify[4].ping.to: "nowhere" is neither a node of this lab, an IP address, pod/NAME nor svc/NAME',
      '14:40 verify[5].ping.timeout: "5 parsecs" is not a duration (examples: 500ms, 5s, 1m30s)',
      '15:48 verify[6].traceroute.hops[1]: hop "eth7" is neither a node, an IP address, pod/NAME nor *',
      '16:56 verify[7].route.nexthops[0]: next hop "ghost" is neither a node, an IP address nor an interface of r1',
    ]);
  });

  test('schema problems name the offending key and its line', () => {
    assert.deepEqual(issues('topo-schema.yaml'), [
      '6:28 verify[0].bgp.pear: unknown key "pear" (allowed keys: name, timeout, node, peer, established, minPrefixes, prefixes, routes, source)',
      '7:11 verify[1].wget: unknown check kind "wget" (kinds: bgp, route, ping, traceroute, curl)',
      '8:11 verify[2].ping: missing required key "to"',
      '9:52 verify[3].route.source: must be one of auto, frr, bird, gobgp, agent, kernel',
      '10:5 verify[4]: a check is an object with exactly one of bgp, route, ping, traceroute, curl',
    ]);
  });
});

describe('values', () => {
  test('durations', () => {
    assert.equal(parseDuration('60s'), 60_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration(2), 2000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    for (const bad of ['', '0s', 'soon', '10 s x', '-5s']) assert.equal(typeof parseDuration(bad), 'string', bad);
  });
  test('prefixes', () => {
    assert.equal(checkPrefix('10.1.0.0/16'), undefined);
    assert.equal(checkPrefix('0.0.0.0/0'), undefined);
    assert.equal(checkPrefix('fd00::/64'), undefined);
    assert.match(checkPrefix('fd00::/129') ?? '', /too long/);
    assert.match(checkPrefix('10.1.0.0') ?? '', /not a prefix/);
    assert.match(checkPrefix('300.1.0.0/16') ?? '', /not an IP address/);
  });
});

test('curl with family: the target\'s address of that family; a url names its own address, so family needs to', () => {
  const plan = (checks: string) => planLab(parseTopology(`name: t\ntopology:\n  nodes: {a: {kind: linux, image: x}}\nverify:\n${checks}`, { file: 't.yaml', env: {} }));
  const s = loadExpectations(plan('- curl: {from: a, to: a, family: 6}\n'));
  assert.deepEqual(s.checks.map((c) => [c.name, (c as { family?: number }).family]), [['a → http://a/ (IPv6)', 6]]);
  try {
    loadExpectations(plan('- curl: {from: a, url: "http://[fd00::1]/", family: 6}\n'));
    assert.fail('expected a TopologyError');
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    assert.deepEqual(e.issues.map((i) => `${i.path}: ${i.message}`), ['verify[0].curl.family: `family` needs `to` (a `url` names its address itself)']);
  }
});

test('route prefix: a prefix, or pod/NAME and svc/NAME (resolved when the check runs) in a lab with a cluster', () => {
  const plan = (head: string, checks: string) => planLab(parseTopology(`name: t\n${head}topology:\n  nodes: {a: {kind: linux, image: x}}\nverify:\n${checks}`, { file: 't.yaml', env: {} }));
  const withCluster = 'cluster:\n  name: t\n  nodes: [{role: control-plane}]\n';
  const s = loadExpectations(plan(withCluster, '- route: {node: a, prefix: pod/sample}\n- route: {node: a, prefix: svc/prod/web, absent: true}\n'));
  assert.deepEqual(s.checks.map((c) => c.name), ['a has route pod/sample', 'a has no route svc/prod/web']);
  const problems = (head: string, checks: string) => {
    try {
      loadExpectations(plan(head, checks));
    } catch (e) {
      assert.ok(e instanceof TopologyError, String(e));
      return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(problems('', '- route: {node: a, prefix: pod/sample}\n'), ['verify[0].route.prefix: "pod/sample": pod and Service references need the lab\'s cluster, and this topology has no cluster section']);
  assert.deepEqual(problems(withCluster, '- route: {node: a, prefix: pod/a/b/c}\n'), ['verify[0].route.prefix: "pod/a/b/c" is not one of pod/NAME, pod/NAMESPACE/NAME, svc/NAME, svc/NAMESPACE/NAME']);
  assert.match(problems(withCluster, '- route: {node: a, prefix: 10.1.0.0}\n').join(), /not a prefix/);
});
