/**
 * Snapshot tests of the report writers on fixed results (test/fixtures/verify/results.json).
 * Run with UPDATE_SNAPSHOTS=1 to rewrite the expected files after an intended change.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateJunit } from '../../../test/fixtures/verify/junit-validator.js';
import type { VerifyReport } from '../types.js';
import { writeReport, type ReportFormat } from './index.js';

const FIX = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));
const report = JSON.parse(readFileSync(join(FIX, 'results.json'), 'utf8')) as VerifyReport;

function snapshot(file: string, actual: string): void {
  const path = join(FIX, file);
  if (process.env['UPDATE_SNAPSHOTS'] === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${file} differs (UPDATE_SNAPSHOTS=1 to accept)`);
}

describe('report writers (snapshots)', () => {
  const cases: Array<[ReportFormat, string, { color?: boolean; graphMermaid?: string }]> = [
    ['text', 'report.txt', {}],
    ['text', 'report.color.txt', { color: true }],
    ['markdown', 'report.md', {}],
    ['json', 'report.json', {}],
    ['junit', 'report.junit.xml', {}],
    ['html', 'report.html', { graphMermaid: 'flowchart TB\n  a -- "net0 — net1" --- b\n' }],
  ];
  for (const [format, file, opts] of cases) test(`${format}${opts.color ? ' (colour)' : ''} → ${file}`, () => snapshot(file, writeReport(report, format, opts)));
});

describe('report contents', () => {
  test('JSON keeps the contract: lab, passed, checks[kind,name,passed,detail] plus evidence', () => {
    const j = JSON.parse(writeReport(report, 'json')) as { lab: string; passed: boolean; checks: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(j).slice(0, 3), ['lab', 'passed', 'checks']);
    assert.equal(j.lab, 'bgp-cplane-demo');
    assert.equal(j.passed, false);
    assert.equal(j.checks.length, 6);
    for (const c of j.checks) assert.deepEqual(Object.keys(c).slice(0, 4), ['kind', 'name', 'passed', 'detail']);
    assert.match(String((j.checks[1]!['evidence'] as { command: string }).command), /^tor1\$ vtysh/);
  });

  test('JUnit is valid against the JUnit schema and carries the evidence of each failure', () => {
    const xml = writeReport(report, 'junit');
    assert.deepEqual(validateJunit(xml), []);
    assert.equal((xml.match(/<failure /g) ?? []).length, 4);
    assert.match(xml, /<failure message="frr: net0 AS65000 Idle" type="bgp">\$ tor1\$ vtysh -c 'show bgp summary json'\n\{/);
    assert.ok(!xml.includes('\u001b'), 'terminal escapes are dropped');
  });

  test('the JUnit checker rejects what CI would reject', () => {
    const xml = writeReport(report, 'junit');
    assert.notDeepEqual(validateJunit(xml.replace('failures="4" errors', 'failures="3" errors')), []);
    assert.notDeepEqual(validateJunit(xml.replace(/ classname="[^"]*"/, '')), []);
    assert.notDeepEqual(validateJunit(xml.replace('&amp;', '&')), []);
    assert.notDeepEqual(validateJunit(xml.replace('</testsuite>', '')), []);
  });

  test('text: one line per check, then evidence of failures only, and a verdict', () => {
    const lines = writeReport(report, 'text').split('\n');
    assert.equal(lines.filter((l) => /^(PASS|FAIL) /.test(l)).length, 6);
    assert.ok(lines.some((l) => l === '  $ tor1$ vtysh -c \'show bgp summary json\''));
    assert.ok(!lines.some((l) => l.includes('$ router0$ vtysh -c \'show bgp summary json\'')), 'no evidence for passing checks');
    assert.match(lines[lines.length - 2]!, /4 of 6 checks failed/);
  });

  test('HTML is one page without external resources', () => {
    const html = writeReport(report, 'html', { graphSvg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>router0</text></svg>' });
    assert.ok(!/\b(src|href)="(?!data:)/.test(html), "only data: URIs");
    assert.match(html, /<div class="graph"><svg/);
    assert.match(html, /&lt;h1&gt;&quot;Service&quot;/);
  });
});
