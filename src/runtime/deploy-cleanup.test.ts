import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { cleanupFailed } from './deploy.js';

test('a failed cleanup after a failed deploy is reported with both failures', () => {
  const deployErr = new KindlabError('RUNTIME_EXEC', 'lab demo: Exec: a: command failed (exit 2): false', { detail: 'output' });
  const e = cleanupFailed('demo', deployErr, new KindlabError('RUNTIME_DOCKER', 'remove container clab-demo-a: device or resource busy'));
  assert.equal(e.code, 'RUNTIME_EXEC');
  assert.match(e.shortMessage, /^lab demo: Exec: a: command failed \(exit 2\): false; removing what the deploy created failed too: remove container clab-demo-a: device or resource busy$/);
  assert.equal(e.detail, 'output');
  assert.match(e.hint ?? '', /lab destroy --name demo/);
});
