/** The lab's host firewall rules: comments by lab and purpose; one lab never matches another's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fenceRuleSpecs, isOwnComment, labRuleComment, labsInRules } from './host-firewall.js';

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

test('the labs named by rule comments in an iptables -S listing (a lab left with only its rules is still found)', () => {
  const listing = [
    '-N DOCKER-USER',
    '-A DOCKER-USER ! -i kla-90fbc810 -o kla-90fbc810 -m comment --comment "kindlab:kl-k8s100-522:api" -j DROP',
    '-A DOCKER-USER -i kla-1 ! -o kla-1 -m comment --comment kindlab:de:mo:api -j DROP',
    '-A DOCKER-USER -m comment --comment "someone else" -j RETURN',
    '-A DOCKER-USER -j RETURN',
  ].join('\n');
  assert.deepEqual(labsInRules(listing), ['de:mo', 'kl-k8s100-522']);
  assert.deepEqual(labsInRules('-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n'), []);
});
