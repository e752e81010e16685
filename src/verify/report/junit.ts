/**
 * JUnit XML for CI: testsuites / testsuite (name, tests, failures, errors, time) / testcase
 * (classname, name, time) / failure (message, type) with the evidence in the body.
 */
import type { VerifyReport } from '../types.js';

/** Escapes for element text: only &, < and > need it (quotes stay readable in the evidence). */
export function xmlText(s: string): string {
  return stripInvalid(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function stripInvalid(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, '');
}

/** Escapes for attribute values. */
export function xmlEscape(s: string): string {
  // Characters XML 1.0 does not allow at all are dropped (terminal escapes in command output).
  return stripInvalid(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

export function writeJunit(r: VerifyReport): string {
  const failures = r.checks.filter((c) => !c.passed).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lab verify" tests="${r.checks.length}" failures="${failures}" errors="0" time="${secs(r.durationMs)}">`,
    `  <testsuite name="${xmlEscape(r.lab)}" tests="${r.checks.length}" failures="${failures}" errors="0" skipped="0" time="${secs(r.durationMs)}" timestamp="${xmlEscape(r.startedAt.replace(/\.\d+Z$/, ''))}">`,
  ];
  for (const c of r.checks) {
    const head = `    <testcase classname="${xmlEscape(c.stage !== undefined ? `${r.lab}.${c.stage}.${c.kind}` : `${r.lab}.${c.kind}`)}" name="${xmlEscape(c.name)}" time="${secs(c.durationMs)}"`;
    if (c.passed) {
      out.push(`${head}/>`);
      continue;
    }
    const body = [...c.evidence.command.split('\n').filter(Boolean).map((l) => `$ ${l}`), c.evidence.output].join('\n');
    out.push(`${head}>`, `      <failure message="${xmlEscape(c.detail)}" type="${c.kind}">${xmlText(body)}</failure>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}
