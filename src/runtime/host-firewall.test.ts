/** The lab's host firewall rules: comments by lab and purpose; one lab never matches another's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fenceRuleSpecs, isOwnComment, labRuleComment } from './host-firewall.js';

test('rule comments name the lab and the purpose, and a lab sweeps only its own', () => {
  assert.equal(labRuleComment('demo', 'api'), 'kindlab:demo:api');
  assert.ok(isOwnComment('kindlab:demo:api', 'demo'));
  assert.ok(!isOwnComment('kindlab:demo-2:api', 'demo'), 'a lab whose name extends ours');
  assert.ok(!isOwnComment('kindlab:demo:', 'demo'), 'no purpose');
  assert.ok(!isOwnComment('kindlab:de:mo:api', 'de'), 'a purpose with a colon is not ours');
  assert.ok(!isOwnComment('-j', 'demo'));
});

test('the fence drops forwarding into and out of the bridge, not within it', () => {
  assert.deepEqual(fenceRuleSpecs('kla-1', 'kindlab:x:api'), [
    ['-i', 'kla-1', '!', '-o', 'kla-1', '-m', 'comment', '--comment', 'kindlab:x:api', '-j', 'DROP'],
    ['-o', 'kla-1', '!', '-i', 'kla-1', '-m', 'comment', '--comment', 'kindlab:x:api', '-j', 'DROP'],
  ]);
});
