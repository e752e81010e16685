/**
 * The richer check vocabulary: a route's BGP communities and AS path (FRR, BIRD and GoBGP outputs
 * captured from the real daemons, see test/fixtures/verify/probes/README.md), exec lines with a
 * condition on their output, their conversion from YAML with positions, and --node / --list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TopologyError } from '../errors.js';
import { parseTopology, planLab } from '../topology/index.js';
import { attrsProblem } from './check-route.js';
import { judgeExec } from './check-exec.js';
import { loadExpectations } from './expectations.js';
import { formatCheckList, scopeChecks } from './index.js';
import { parseBirdBgpAttrs, parseFrrBgpAttrs, parseGobgpAttrs } from './probes/routes.js';

const fx = (f: string) => readFileSync(new URL(`../../test/fixtures/verify/probes/${f}`, import.meta.url), 'utf8');

test('FRR: the best path of show bgp ipv4 unicast PREFIX json; a local route has an empty AS path; an unknown prefix has none', () => {
  assert.deepEqual(parseFrrBgpAttrs(fx('frr-bgp-route-attrs.json')), { aspath: '65100 65001', communities: ['65001:7', '65001:8'] });
  assert.deepEqual(parseFrrBgpAttrs(fx('frr-bgp-route-local.json')), { aspath: '', communities: [] });
  assert.equal(parseFrrBgpAttrs(fx('frr-bgp-route-absent.json')), undefined);
});

test("BIRD: BGP.as_path and BGP.community of the preferred route in show route all; none for another prefix", () => {
  assert.deepEqual(parseBirdBgpAttrs(fx('bird-route-attrs.txt'), '192.0.2.0/24'), { aspath: '65100 65001', communities: ['65001:7', '65001:8'] });
  assert.equal(parseBirdBgpAttrs(fx('bird-route-attrs.txt'), '198.51.100.0/24'), undefined);
  // the ECMP output: the starred route's AS path, not the second one's
  assert.deepEqual(parseBirdBgpAttrs(fx('bird-route-ecmp.txt'), '10.1.0.0/24'), { aspath: '65100', communities: [] });
});

test('GoBGP: AS_PATH segments and 32-bit communities of the best path in gobgp global rib -j', () => {
  assert.deepEqual(parseGobgpAttrs(fx('gobgp-rib-attrs.json'), '192.0.2.0/24'), { aspath: '65100 65001', communities: ['65001:7', '65001:8'] });
  assert.deepEqual(parseGobgpAttrs(fx('gobgp-rib.json'), '10.9.0.0/24'), { aspath: '', communities: [] });
  assert.equal(parseGobgpAttrs(fx('gobgp-rib.json'), '10.8.0.0/24'), undefined);
});

test('communities and AS path: every expected community present, AS path equal (spaces normalised)', () => {
  const a = parseFrrBgpAttrs(fx('frr-bgp-route-attrs.json'));
  assert.equal(attrsProblem({ communities: ['65001:8'], aspath: ' 65100  65001 ' }, a), undefined);
  assert.equal(attrsProblem({ communities: ['65001:7', '65001:9'] }, a), 'communities 65001:7 65001:8, missing 65001:9');
  assert.equal(attrsProblem({ aspath: '65001' }, a), 'AS path "65100 65001", expected "65001"');
  assert.equal(attrsProblem({ aspath: '' }, parseFrrBgpAttrs(fx('frr-bgp-route-local.json'))), undefined);
  assert.equal(attrsProblem({ communities: ['1:1'] }, parseFrrBgpAttrs(fx('frr-bgp-route-local.json'))), 'communities (none), missing 1:1');
  assert.equal(attrsProblem({ aspath: '' }, undefined), 'no BGP path for it');
});

test('exec: exit code first, then contains, regex and equals on stdout', () => {
  const ok = { exitCode: 0, stdout: 'BGP state = Established, up for 00:01:02\n', stderr: '' };
  assert.equal(judgeExec({ exitCode: 0, contains: 'Established' }, ok).passed, true);
  assert.equal(judgeExec({ exitCode: 0, regex: '^BGP state = Established' }, ok).passed, true);
  assert.equal(judgeExec({ exitCode: 0, equals: 'BGP state = Established, up for 00:01:02' }, ok).passed, true);
  assert.deepEqual(judgeExec({ exitCode: 0, contains: 'Idle' }, ok), { passed: false, detail: 'output does not contain "Idle": BGP state = Established, up for 00:01:02' });
  assert.equal(judgeExec({ exitCode: 0, regex: 'Active$' }, ok).passed, false);
  assert.equal(judgeExec({ exitCode: 0, equals: 'x' }, ok).passed, false);
  assert.deepEqual(judgeExec({ exitCode: 0 }, { exitCode: 1, stdout: '', stderr: 'ping: unreachable' }), { passed: false, detail: 'exit 1, expected 0: ping: unreachable' });
  assert.equal(judgeExec({ exitCode: 1 }, { exitCode: 1, stdout: '', stderr: '' }).passed, true);
});

const TOPO = (checks: string) => `
name: vocab
topology:
  nodes:
    r1: { kind: linux, image: frrouting/frr:v8.4.0 }
    r2: { kind: linux, image: frrouting/frr:v8.4.0 }
  links:
    - endpoints: [r1:eth1, r2:eth1]
verify:
${checks}`;

const load = (checks: string) => loadExpectations(planLab(parseTopology(TOPO(checks), { file: 'vocab.yaml', env: {} })));

test('YAML: route communities/aspath and exec checks convert with names and defaults', () => {
  const s = load(`  - route: { node: r1, prefix: 192.0.2.0/24, communities: ["65001:7"], aspath: "65100 65001" }
  - route: { node: r2, prefix: 192.0.2.0/24, aspath: "" }
  - exec: { node: r2, command: "vtysh -c 'show bgp summary'", contains: Established }
  - exec: { node: r1, command: ip link show eth9, exitCode: 1, name: no eth9 }`);
  assert.deepEqual(s.checks.map((c) => c.name), ['r1 has route 192.0.2.0/24', 'r2 has route 192.0.2.0/24', "r2: vtysh -c 'show bgp summary'", 'no eth9']);
  assert.deepEqual(s.checks.map((c) => (c.kind === 'route' ? [c.communities, c.aspath] : c.kind === 'exec' ? [c.contains, c.exitCode] : [])), [[['65001:7'], '65100 65001'], [undefined, ''], ['Established', 0], [undefined, 1]]);
});

test('YAML: bad communities, AS paths, regexes and attributes on an absent route are refused with line:col', () => {
  try {
    load(`  - route: { node: r1, prefix: 192.0.2.0/24, communities: ["65001:70000", "x"], aspath: "65100 AS1" }
  - route: { node: r1, prefix: 192.0.2.0/24, absent: true, communities: ["1:1"] }
  - route: { node: r1, prefix: 192.0.2.0/24, source: kernel, aspath: "1" }
  - exec: { node: r3, command: "true", regex: "(" }
  - exec: { node: r1, command: "true", contain: x }`);
    assert.fail('expected a TopologyError');
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    const got = e.issues.map((i) => `${i.line}:${i.col} ${i.message}`);
    // the schema refuses the unknown key first, alone
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, /^14:\d+ unknown key "contain"/);
  }
  try {
    load(`  - route: { node: r1, prefix: 192.0.2.0/24, communities: ["65001:70000", "x"], aspath: "65100 AS1" }
  - route: { node: r1, prefix: 192.0.2.0/24, absent: true, communities: ["1:1"] }
  - route: { node: r1, prefix: 192.0.2.0/24, source: kernel, aspath: "1" }
  - exec: { node: r3, command: "true", regex: "(" }`);
    assert.fail('expected a TopologyError');
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    const got = e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    assert.equal(got.length, 7, got.join('\n'));
    assert.match(got[0]!, /^10:\d+ verify\[0\]\.route\.communities\[0\]: "65001:70000" is not a standard community/);
    assert.match(got[1]!, /^10:\d+ verify\[0\]\.route\.communities\[1\]: "x" is not/);
    assert.match(got[2]!, /^10:\d+ verify\[0\]\.route\.aspath: AS path "65100 AS1"/);
    assert.match(got[3]!, /^11:\d+ verify\[1\]\.route\.communities: an absent route has no BGP attributes/);
    assert.match(got[4]!, /^12:\d+ verify\[2\]\.route\.source: communities and AS paths are read from frr, bird or gobgp/);
    assert.match(got[5]!, /^13:\d+ verify\[3\]\.exec\.node: node "r3" is not defined/);
    assert.match(got[6]!, /^13:\d+ verify\[3\]\.exec\.regex: not a regular expression/);
  }
});

test('--node keeps the checks that run in the node; --list prints kind, node and name', () => {
  const s = load(`  - route: { node: r1, prefix: 192.0.2.0/24 }
  - exec: { node: r2, command: "true" }
  - ping: { from: r2, to: r1 }`);
  assert.deepEqual(scopeChecks(s.checks, 'r2').map((c) => c.kind), ['exec', 'ping']);
  assert.equal(scopeChecks(s.checks, undefined).length, 3);
  assert.equal(formatCheckList(scopeChecks(s.checks, 'r1')), 'route  r1  r1 has route 192.0.2.0/24\n1 checks\n');
  assert.equal(formatCheckList([{ ...s.checks[1]!, derived: true }]), 'exec  r2  r2: true  [derived]\n1 checks\n');
  assert.equal(formatCheckList([]), 'no checks\n');
});
