import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

test('label selector operators', () => {
  const l = { app: 'nginx', tier: 'web', rack: 'rack0' };
  const m = (s: string) => matchesLabels(parseLabelSelector(s), l);
  assert.ok(m('app=nginx'));
  assert.ok(m('app==nginx,tier=web'));
  assert.ok(!m('app!=nginx'));
  assert.ok(m('missing!=x'));
  assert.ok(m('rack in (rack0, rack1)'));
  assert.ok(!m('rack notin (rack0)'));
  assert.ok(m('tier'));
  assert.ok(!m('!tier'));
  assert.ok(m('!gone,app in (nginx),rack notin (rack9)'));
  assert.throws(() => parseLabelSelector('a b c'), /unable to parse/);
});

test('field selectors on pods, unknown fields rejected with 400', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'w1' }, status: { phase: 'Running' } };
  assert.ok(matchesFields(parseFieldSelector('metadata.name=p,spec.nodeName=w1', 'Pod'), pod));
  assert.ok(!matchesFields(parseFieldSelector('status.phase!=Running', 'Pod'), pod));
  assert.ok(matchesFields(parseFieldSelector('spec.nodeName=', 'Pod'), { ...pod, spec: {} }));
  assert.throws(() => parseFieldSelector('spec.bogus=1', 'Pod'), (e: { httpCode: number }) => e.httpCode === 400);
});
