import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { pickFormat, reportOptions, requireTopo } from './args.js';

test('reportOptions parse -t, -f (with its default), -o and -v', () => {
  assert.deepEqual({ ...parseArgs({ args: ['-t', 'topo.yaml', '-o', 'out', '-v'], options: reportOptions('text') }).values }, { topo: 'topo.yaml', format: 'text', output: 'out', verbose: true });
  assert.equal(parseArgs({ args: ['--format', 'json'], options: reportOptions('text') }).values.format, 'json');
});

test('requireTopo returns the file or throws a USAGE error carrying the usage line', () => {
  assert.equal(requireTopo('a.yaml', 'usage: x'), 'a.yaml');
  assert.throws(() => requireTopo(undefined, 'usage: x'), (e: unknown) => e instanceof KindlabError && e.code === 'USAGE' && e.shortMessage === 'give the topology with -t FILE' && e.detail === 'usage: x');
});

test('pickFormat accepts only the listed formats', () => {
  assert.equal(pickFormat('svg', ['mermaid', 'svg'] as const, 'usage: x'), 'svg');
  assert.throws(() => pickFormat('pdf', ['mermaid', 'svg'] as const, 'usage: x'), (e: unknown) => e instanceof KindlabError && e.code === 'USAGE' && e.shortMessage === 'unknown format "pdf"' && e.detail === 'usage: x');
});
