/**
 * Labs written as intent ([L]) on real Docker with real FRR, BIRD and GoBGP: the Cilium article as
 * intent passes its verify with the article's 12 routes on router0, and the intent-only Clos (FRR,
 * BIRD and GoBGP leaves, a 4-node Cilium cluster) passes every derived check. Destroy leaves nothing.
 * The Clos (a copy in a temporary directory) then takes a changed intent with `deploy --reconfigure`:
 * new prefixes on the FRR, BIRD and GoBGP leaves, a community and OSPF on the fabric links, applied without
 * recreating a container (OSPF adjacencies Full on FRR and BIRD);
 * declared checks on the community and AS path (as FRR, BIRD and GoBGP see them) and an exec line pass,
 * and verify --list / --node scope the checks to one node.
 * Also: a cluster node sees only the built code, not the checkout with other labs' secrets.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { LAB_BIN, NOTHING, REPO, forceDestroy, leftovers } from './helpers.js';

const LABS = ['labs/cilium-bgp/topo-intent.yaml', 'labs/intent-clos/topo.yaml'];
/** The Clos is deployed from a copy, whose intent the reconfigure test edits. */
let closDir: string | undefined;
after(async () => {
  for (const t of [LABS[0]!, ...(closDir ? [join(closDir, 'topo.yaml')] : [])]) await execa('node', [LAB_BIN, 'destroy', '-t', t, '--cleanup'], { cwd: REPO, reject: false });
  for (const n of ['bgp-cplane-intent', 'intent-clos']) await forceDestroy(n);
  if (closDir) await rm(closDir, { recursive: true, force: true });
});

async function containerIds(labName: string): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '-q', '--no-trunc', '--filter', `label=kindlab.lab=${labName}`]);
  return r.stdout.split('\n').filter(Boolean).sort();
}

async function lab(args: string[]) {
  return execa('node', [LAB_BIN, ...args], { cwd: REPO, reject: false, env: { ...process.env, CI: 'true' } });
}

test('the Cilium article as intent: rendered configs, 12 routes on router0, pod ping and traceroute', async () => {
  const topo = LABS[0]!;
  const d = await lab(['deploy', '-t', topo]);
  assert.equal(d.exitCode, 0, `${d.stdout}\n${d.stderr}`);
  // what the lab was given is what the intent renders: no diff
  const diff = await lab(['config', 'diff', '-t', topo]);
  assert.equal(diff.exitCode, 0, diff.stdout);
  assert.match(diff.stdout, /^no changes/);
  const v = await lab(['verify', '-t', topo, '--wait', '90s', '--format', 'json']);
  const report = JSON.parse(v.stdout) as { passed: boolean; checks: Array<{ name: string; passed: boolean; detail: string }> };
  const failed = report.checks.filter((c) => !c.passed);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 1));
  assert.ok(report.checks.some((c) => c.name === "router0 has the article's 12 routes" && /12 routes/.test(c.detail)));
  assert.equal(report.checks.filter((c) => / session to /.test(c.name)).length, 8, 'every intended session is checked: router0–tor0/tor1 both ways, each ToR to its 2 nodes');
  // A node sees the built code only: no labs/ (other labs' lab directories), no src/
  const ls = await execa('docker', ['exec', 'clab-bgp-cplane-demo-worker', 'ls', '/opt/kindlab'], { reject: false });
  assert.equal(ls.exitCode, 0, ls.stderr);
  assert.deepEqual(ls.stdout.split('\n').sort(), ['bin', 'dist', 'node_modules', 'package.json', 'schemas', 'templates']);
  const x = await lab(['destroy', '-t', topo, '--cleanup']);
  assert.equal(x.exitCode, 0, x.stderr);
  assert.deepEqual(await leftovers('bgp-cplane-intent'), NOTHING);
});

test('an intent-only Clos with FRR, BIRD and GoBGP leaves and a Cilium cluster passes every derived check, then takes a changed intent in place', async () => {
  closDir = await mkdtemp(join(tmpdir(), 'kindlab-intent-clos-'));
  for (const f of ['topo.yaml', 'pods.yaml']) await copyFile(join(REPO, 'labs/intent-clos', f), join(closDir, f));
  const topo = join(closDir, 'topo.yaml');
  const d = await lab(['deploy', '-t', topo]);
  assert.equal(d.exitCode, 0, `${d.stdout}\n${d.stderr}`);
  const v = await lab(['verify', '-t', topo, '--wait', '120s', '--format', 'json']);
  const report = JSON.parse(v.stdout) as { passed: boolean; checks: Array<{ name: string; passed: boolean; detail: string }> };
  const failed = report.checks.filter((c) => !c.passed);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 1));
  assert.ok(report.checks.some((c) => /^leaf1 learns 10\.255\.255\.3\/32 from leaf2 over 2 paths$/.test(c.name)), 'ECMP over both spines to the BIRD leaf');
  assert.ok(report.checks.some((c) => /leaf3 .*session/.test(c.name) && /gobgp/.test(c.detail)), 'the GoBGP leaf is checked through gobgp');
  assert.ok(report.checks.some((c) => /pod\/default\/web-1 → pod\/default\/web-2/.test(c.name)), 'pods ping across the FRR and BIRD leaves');

  // A changed intent: a prefix more on the FRR, BIRD and GoBGP leaves, and a community on leaf1's.
  const ids = await containerIds('intent-clos');
  const doc = parseDocument(await readFile(topo, 'utf8'));
  doc.setIn(['topology', 'nodes', 'leaf1', 'bgp', 'originate'], doc.createNode(['192.0.2.0/24']));
  doc.setIn(['topology', 'nodes', 'leaf1', 'bgp', 'communities'], doc.createNode(['65001:7']));
  doc.setIn(['topology', 'nodes', 'leaf2', 'bgp', 'originate'], doc.createNode(['198.51.101.0/24']));
  doc.setIn(['topology', 'nodes', 'leaf3', 'bgp', 'originate'], doc.createNode(['198.51.100.0/24', '198.51.102.0/24']));
  // OSPF on the fabric links too (FRR and BIRD; not to the GoBGP leaf)
  doc.setIn(['routing', 'ospf'], doc.createNode({ area: 0 }));
  // and checks in the richer vocabulary: the community and AS path as FRR, BIRD and GoBGP see them, an exec line
  const attrs = (node: string, aspath: string) => ({ route: { node, prefix: '192.0.2.0/24', communities: ['65001:7'], aspath } });
  doc.set('verify', doc.createNode({
    derive: true,
    checks: [attrs('spine1', '65001'), attrs('leaf2', '65100 65001'), attrs('leaf3', '65100 65001'), { route: { node: 'leaf4', prefix: '203.0.113.0/24', absent: true } },
      { exec: { node: 'leaf1', command: "vtysh -c 'show running-config'", regex: '^ *network 192\\.0\\.2\\.0/24$' } }],
  }));
  await writeFile(topo, doc.toString());
  const listed = await lab(['verify', '-t', topo, '--list', '--node', 'leaf2']);
  assert.equal(listed.exitCode, 0, listed.stderr);
  assert.match(listed.stdout, /^route +leaf2 +leaf2 has route 192\.0\.2\.0\/24$/m);
  assert.doesNotMatch(listed.stdout, /spine1 has route|leaf1: vtysh/, 'only the checks that run in leaf2');
  const pending = await lab(['config', 'diff', 'leaf1', '-t', topo]);
  assert.equal(pending.exitCode, 1, pending.stdout);
  assert.match(pending.stdout, /^\+  network 192\.0\.2\.0\/24$/m);
  const re = await lab(['deploy', '--reconfigure', '-t', topo]);
  assert.equal(re.exitCode, 0, `${re.stdout}\n${re.stderr}`);
  assert.match(re.stdout, /reconfigured in place/);
  assert.match(re.stdout, /leaf1 \(frr\): .*vtysh -f/);
  assert.match(re.stdout, /leaf2 \(bird\): birdc configure/);
  assert.match(re.stdout, /leaf3 \(gobgp\): stop gobgpd/);
  assert.deepEqual(await containerIds('intent-clos'), ids, 'no container was recreated');
  const clean = await lab(['config', 'diff', '-t', topo]);
  assert.equal(clean.exitCode, 0, clean.stdout);
  // the derived checks now include every router learning the new prefixes
  const v2 = await lab(['verify', '-t', topo, '--wait', '60s', '--format', 'json']);
  const report2 = JSON.parse(v2.stdout) as { passed: boolean; checks: Array<{ name: string; passed: boolean; detail: string }> };
  assert.deepEqual(report2.checks.filter((c) => !c.passed), [], v2.stdout);
  for (const p of ['192.0.2.0/24', '198.51.101.0/24', '198.51.102.0/24']) assert.ok(report2.checks.some((c) => c.name.includes(`learns ${p}`)), `a check that ${p} is learnt`);
  assert.equal(report2.checks.filter((c) => / has route 192\.0\.2\.0\/24$/.test(c.name) && /communities 65001:7/.test(c.detail)).length, 3, 'the community checked through FRR, BIRD and GoBGP');
  assert.equal(report2.checks.filter((c) => / OSPF neighbor .* Full$/.test(c.name)).length, 12, 'both ends of the 6 spine–leaf links without GoBGP');
  // --node: only leaf1's checks run
  const v3 = await lab(['verify', '-t', topo, '--node', 'leaf1', '--format', 'json']);
  const report3 = JSON.parse(v3.stdout) as { checks: Array<{ name: string; passed: boolean }> };
  assert.ok(report3.checks.length > 0 && report3.checks.every((c) => c.passed && /^leaf1\b/.test(c.name)), v3.stdout);
  const x = await lab(['destroy', '-t', topo, '--cleanup']);
  assert.equal(x.exitCode, 0, x.stderr);
  assert.deepEqual(await leftovers('intent-clos'), NOTHING);
});
