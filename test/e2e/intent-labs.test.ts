/**
 * Labs written as intent ([L]) on real Docker with real FRR, BIRD and GoBGP: the Cilium article as
 * intent passes its verify with the article's 12 routes on router0, and the intent-only Clos (FRR,
 * BIRD and GoBGP leaves, a 4-node Cilium cluster) passes every derived check. Destroy leaves nothing.
 * Also: a cluster node sees only the built code, not the checkout with other labs' secrets.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { LAB_BIN, NOTHING, REPO, forceDestroy, leftovers } from './helpers.js';

const LABS = ['labs/cilium-bgp/topo-intent.yaml', 'labs/intent-clos/topo.yaml'];
after(async () => {
  for (const t of LABS) await execa('node', [LAB_BIN, 'destroy', '-t', t, '--cleanup'], { cwd: REPO, reject: false });
  for (const n of ['bgp-cplane-intent', 'intent-clos']) await forceDestroy(n);
});

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

test('an intent-only Clos with FRR, BIRD and GoBGP leaves and a Cilium cluster passes every derived check', async () => {
  const topo = LABS[1]!;
  const d = await lab(['deploy', '-t', topo]);
  assert.equal(d.exitCode, 0, `${d.stdout}\n${d.stderr}`);
  const v = await lab(['verify', '-t', topo, '--wait', '120s', '--format', 'json']);
  const report = JSON.parse(v.stdout) as { passed: boolean; checks: Array<{ name: string; passed: boolean; detail: string }> };
  const failed = report.checks.filter((c) => !c.passed);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 1));
  assert.ok(report.checks.some((c) => /^leaf1 learns 10\.255\.255\.3\/32 from leaf2 over 2 paths$/.test(c.name)), 'ECMP over both spines to the BIRD leaf');
  assert.ok(report.checks.some((c) => /leaf3 .*session/.test(c.name) && /gobgp/.test(c.detail)), 'the GoBGP leaf is checked through gobgp');
  assert.ok(report.checks.some((c) => /pod\/default\/web-1 → pod\/default\/web-2/.test(c.name)), 'pods ping across the FRR and BIRD leaves');
  const x = await lab(['destroy', '-t', topo, '--cleanup']);
  assert.equal(x.exitCode, 0, x.stderr);
  assert.deepEqual(await leftovers('intent-clos'), NOTHING);
});
