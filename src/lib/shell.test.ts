import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shellQuote, shellQuoteArg } from './shell.js';

test('shellQuoteArg: safe words bare, the rest single-quoted', () => {
  assert.equal(shellQuoteArg('/usr/bin/kl-apiserver'), '/usr/bin/kl-apiserver');
  assert.equal(shellQuoteArg('--addr=10.0.0.1:6443'), '--addr=10.0.0.1:6443');
  assert.equal(shellQuoteArg(''), "''");
  assert.equal(shellQuoteArg("it's"), "'it'\\''s'");
  assert.equal(shellQuoteArg('a\nb'), "'a\nb'");
});

test('shellQuote: one display line, control characters escaped', () => {
  assert.equal(shellQuote(['vtysh', '-c', 'show bgp summary json']), "vtysh -c 'show bgp summary json'");
  assert.equal(shellQuote(['printf', 'a\nb\t']), "printf $'a\\nb\\t'");
});
