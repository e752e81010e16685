/**
 * `lab verify --impact` on the Cilium article lab (issue 18): links and a router failed in turn,
 * the lab restored to green after each. The full run over its 6 links and 7 routers/nodes takes
 * ~20 min here (an agent's session waits out its 120 s connect-retry timer after a restore, as
 * Cilium's does), so CI fails the two links the issue names and one router (--elements); the
 * element list itself is checked in full. Cutting router0–tor1 isolates rack1 (the
 * article's pod ping and traceroute fail); cutting tor0–server0 breaks only the control-plane
 * node's checks (its pod CIDR, its session) and the lab-wide counts that include them.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { copyArticleLab } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const name = uniqueLabName('kl-impact');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Row {
  element: string;
  kind: 'link' | 'node';
  failed: Array<{ check: string; detectMs: number; detail: string }>;
  recovered: boolean;
  recoverMs?: number;
}

test('verify --impact: rack1 isolated by router0–tor1, only the control-plane by tor0–server0, tor0 down; green after each', { timeout: 900_000 }, async (t) => {
  const copy = await copyArticleLab(name, 'kindlab-impact-');
  dir = copy.dir;
  const up = await lab(['deploy', '-t', copy.file]);
  assert.equal(up.exitCode, 0, up.stderr);
  // the elements of this lab: 6 links, 7 routers/nodes (a Kubernetes node with the server container sharing its netns)
  const bad = await lab(['verify', '-t', copy.file, '--impact', '--elements', 'router0-nowhere']);
  assert.notEqual(bad.exitCode, 0);
  const listed = /^hint: elements: (.*)$/m.exec(bad.stderr)?.[1]?.split(', ') ?? [];
  assert.equal(listed.filter((e) => e.includes('—')).length, 6, bad.stderr);
  assert.deepEqual(listed.filter((e) => !e.includes('—')).sort(), ['control-plane', 'router0', 'tor0', 'tor1', 'worker', 'worker2', 'worker3']);
  const out = join(dir, 'impact.json');
  const junit = join(dir, 'impact.xml');
  const html = join(dir, 'impact.html');
  const r = await lab(['verify', '-t', copy.file, '--impact', '--elements', 'router0-tor1,tor0:net1-server0:net0,tor0', '--format', 'json', '-o', out, '--junit', junit, '--html', html]);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(await readFile(out, 'utf8')) as { rows: Row[]; checks: string[]; stopped?: string };
  // the same matrix as JUnit (a suite per fault, a case per check + recovered) and as HTML with the coloured graph
  const xml = await readFile(junit, 'utf8');
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 3);
  const broken = report.rows.reduce((a, x) => a + x.failed.length, 0);
  assert.match(xml, new RegExp(`<testsuites [^>]*tests="${3 * (new Set(report.checks).size + 1)}" failures="${broken}" errors="0"`));
  const page = await readFile(html, 'utf8');
  assert.match(page, /Single points of failure<\/strong>[^<]*node tor0/);
  assert.match(page, /<svg[\s\S]*<\/svg>|flowchart/, 'the graph, drawn or as Mermaid text');
  const tor0Row = page.split('\n').find((l) => l.includes('>node tor0</td>')) ?? '';
  assert.match(tor0Row, /border-left:4px solid #cf222e/, 'the worst element coloured red');
  assert.equal(report.stopped, undefined);
  assert.deepEqual(report.rows.map((x) => x.element), ['router0:net1 — tor1:net0', 'tor0:net1 — server0:net0', 'tor0']);
  assert.ok(report.rows[2]!.failed.length > report.rows[1]!.failed.length, 'tor0 down breaks more than one of its links');
  t.diagnostic(report.rows.map((x) => `${x.element}: ${x.failed.length} checks broken, green again ${x.recoverMs === undefined ? 'never' : `after ${(x.recoverMs / 1000).toFixed(1)} s`}`).join('; '));
  for (const row of report.rows) assert.ok(row.recovered, `${row.element}: green again after the restore`);

  const ping = report.checks.find((c) => c === 'pod/nettool-1 → pod/nettool-2')!;
  const trace = report.checks.find((c) => c.startsWith('pod/nettool-1 → pod/nettool-2 via'))!;
  assert.ok(ping && trace, report.checks.join('\n'));
  const rack1 = report.rows.find((x) => x.element === 'router0:net1 — tor1:net0')!;
  const failed = (row: Row) => row.failed.map((f) => f.check);
  assert.ok(failed(rack1).includes(ping) && failed(rack1).includes(trace), failed(rack1).join('\n'));

  const cp = report.rows.find((x) => x.element === 'tor0:net1 — server0:net0')!;
  assert.ok(failed(cp).length > 0);
  assert.ok(!failed(cp).includes(ping) && !failed(cp).includes(trace), `the article's pod ping and traceroute (rack0 worker → rack1) are not affected:\n${cp.failed.map((f) => `${f.check}: ${f.detail}`).join('\n')}`);
  // every check it breaks is about the control-plane node (its pod CIDR 10.1.0.0/24, its address 10.0.1.2, its session) or a count that includes it
  const aboutCp = (c: string) => /10\.1\.0\.0\/24|10\.0\.1\.2|control-plane|^router0 has the article's 12 routes$|^tor0 all sessions Established$/.test(c);
  assert.deepEqual(failed(cp).filter((c) => !aboutCp(c)), []);
  assert.ok(failed(cp).some((c) => /10\.1\.0\.0\/24/.test(c)), 'the control-plane pod CIDR is gone from the routers');

  // restored: a plain verify passes in full, and no fault is left recorded
  const v = await lab(['verify', '-t', copy.file, '--wait', '60s']);
  assert.equal(v.exitCode, 0, v.stdout);
  const faults = JSON.parse(await readFile(join(dir, `lab-${name}`, 'faults.json'), 'utf8')) as { faults: unknown[] };
  assert.deepEqual(faults.faults, []);
  const down = await lab(['destroy', '-t', copy.file, '--cleanup']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
