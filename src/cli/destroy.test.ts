/** What `lab destroy` prints when something of the lab stays (pure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { report } from './destroy.js';

test('a stale network is listed as NOT REMOVED with how to clear it, after what was removed', () => {
  const out = report({ lab: 'kl-mh', containers: ['clab-kl-mh-r1'], networks: [], links: [], netns: [], notRemoved: [{ reason: 'network kindlab-kl-mh on host b was not removed: …', hint: 'restart that dockerd …' }] });
  assert.equal(out, 'lab kl-mh destroyed:\n  containers: clab-kl-mh-r1\n  NOT REMOVED: network kindlab-kl-mh on host b was not removed: …\n    to clear it: restart that dockerd …\n');
});

test('only a stale network left: not "nothing to remove"', () => {
  assert.match(report({ lab: 'x', containers: [], networks: [], links: [], netns: [], notRemoved: [{ reason: 'r', hint: 'h' }] }), /NOT REMOVED: r/);
});
