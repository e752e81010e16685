import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../../errors.js';
import { NODE_KINDS, nodeKindFacts } from '../../topology/node-kinds.js';
import { getKind, kindFacts, registerKind } from './index.js';
import { linuxKind } from './linux.js';
import type { NodeKind } from './types.js';

test('every kind of the facts table has exactly one implementation; a cluster\'s kind is its provider\'s', () => {
  const own = NODE_KINDS.filter((k) => nodeKindFacts(k)!.start !== 'cluster');
  assert.deepEqual(own, ['linux', 'frr', 'bridge', 'ext-container', 'host']);
  for (const k of own) assert.equal(getKind(k).name, k);
  assert.throws(() => getKind('k8s-node'), /implemented by the lab's cluster provider/);
  assert.throws(() => registerKind({ name: 'k8s-node' } as NodeKind), /implemented by the lab's cluster provider, not registered/);
});

test('registering a kind name twice is an error', () => {
  assert.throws(() => registerKind(linuxKind), (e: unknown) => e instanceof KindlabError && /node kind "linux" is registered twice/.test(e.shortMessage));
});

test('a kind the facts table does not declare cannot be registered', () => {
  const odd = { name: 'vrnetlab' } as unknown as NodeKind;
  assert.throws(() => registerKind(odd), /node kind "vrnetlab" is not declared in topology\/node-kinds.ts/);
});

test('managed and image facts come from the table: ext-container is not ours, frr needs an image', () => {
  assert.equal(kindFacts('ext-container').managed, false);
  assert.equal(kindFacts('k8s-node').managed, true);
  assert.equal(kindFacts('frr').needsImage, true);
  assert.equal(kindFacts('bridge').needsImage, false);
  assert.throws(() => kindFacts('router'), /unknown node kind "router"/);
});
