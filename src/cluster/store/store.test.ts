import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ApiError } from './errors.js';
import { ObjectStore } from './store.js';
import type { K8sObject, StoreEvent } from './types.js';

const cm = (name: string, v = '1'): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

test('resourceVersion grows by one per change, across resources', () => {
  const s = new ObjectStore();
  const a = s.create('configmaps', cm('a'));
  const b = s.create('secrets', { ...cm('b'), kind: 'Secret' });
  assert.equal(a.metadata.resourceVersion, '1');
  assert.equal(b.metadata.resourceVersion, '2');
  assert.ok(a.metadata.uid && a.metadata.creationTimestamp);
  const a2 = s.update('configmaps', { ...a, data: { v: '2' } }, '1');
  assert.equal(a2.metadata.resourceVersion, '3');
  assert.equal(a2.metadata.uid, a.metadata.uid);
  assert.equal(s.resourceVersion, 3);
});

test('create twice → AlreadyExists, stale update → Conflict, missing → NotFound; failures change nothing', () => {
  const s = new ObjectStore();
  const a = s.create('configmaps', cm('a'));
  assert.throws(() => s.create('configmaps', cm('a')), (e: ApiError) => e.httpCode === 409 && e.reason === 'AlreadyExists');
  s.update('configmaps', { ...a, data: { v: '2' } });
  assert.throws(() => s.update('configmaps', { ...a, data: { v: '3' } }, a.metadata.resourceVersion), (e: ApiError) => e.reason === 'Conflict');
  assert.throws(() => s.delete('configmaps', 'default', 'zz'), (e: ApiError) => e.httpCode === 404);
  assert.equal(s.get('configmaps', 'default', 'a')!.data && (s.get('configmaps', 'default', 'a')!.data as { v: string }).v, '2');
  assert.equal(s.resourceVersion, 2);
});

test('watch replays history after an rv, then streams; too old an rv → 410 Expired', () => {
  const s = new ObjectStore({ historySize: 3 });
  for (const n of ['a', 'b', 'c', 'd', 'e']) s.create('configmaps', cm(n));
  const seen: StoreEvent[] = [];
  const w = s.watch('configmaps', 3, (ev) => seen.push(ev));
  assert.deepEqual(seen.map((e) => e.object.metadata.name), ['d', 'e']);
  s.delete('configmaps', 'default', 'a');
  assert.deepEqual(seen.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:d', 'ADDED:e', 'DELETED:a']);
  w.stop();
  assert.throws(() => s.watch('configmaps', 1, () => {}), (e: ApiError) => e.httpCode === 410 && e.reason === 'Expired');
});

test('state survives a restart (snapshot + log), including after compaction and a torn last line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-store-'));
  try {
    let s = new ObjectStore({ dir, compactEvery: 3 });
    for (const n of ['a', 'b', 'c', 'd']) s.create('configmaps', cm(n));
    s.delete('configmaps', 'default', 'b');
    s.close();
    fs.appendFileSync(path.join(dir, 'changes.log'), '{"rv":99,"op":"put"'); // crash mid-write
    s = new ObjectStore({ dir });
    assert.equal(s.resourceVersion, 5);
    assert.deepEqual(s.list('configmaps').items.map((o) => o.metadata.name), ['a', 'c', 'd']);
    // a watch from before the restart cannot be resumed
    assert.throws(() => s.watch('configmaps', 2, () => {}), (e: ApiError) => e.httpCode === 410);
    s.create('configmaps', cm('f'));
    s.close();
    s = new ObjectStore({ dir });
    assert.deepEqual(s.list('configmaps').items.map((o) => o.metadata.name), ['a', 'c', 'd', 'f']);
    assert.equal(s.resourceVersion, 6);
    s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an object over 1.5 MiB is refused and changes nothing', () => {
  const s = new ObjectStore();
  assert.throws(() => s.create('configmaps', cm('big', 'x'.repeat(1.6 * 1024 * 1024))), (e: ApiError) => e.httpCode === 413 && /request is too large/.test(e.message));
  assert.equal(s.resourceVersion, 0);
  assert.equal(s.get('configmaps', 'default', 'big'), undefined);
});

test('the change log is compacted by size, not only by entry count', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-store-'));
  try {
    const s = new ObjectStore({ dir, compactEvery: 1000, compactBytes: 1024 * 1024 });
    const v = 'y'.repeat(1000 * 1000);
    for (let i = 0; i < 11; i++) s.create('configmaps', cm(`c${i}`, v));
    s.close();
    const log = fs.statSync(path.join(dir, 'changes.log')).size;
    const snap = fs.statSync(path.join(dir, 'snapshot.json')).size;
    // 11 MB written: without size-based compaction the log would hold all of it
    assert.ok(log <= Math.max(1024 * 1024, snap) + 1_100_000, `log ${log} B, snapshot ${snap} B`);
    const again = new ObjectStore({ dir });
    assert.equal(again.list('configmaps').items.length, 11);
    again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every change is in the log when it becomes visible (a process that dies before the turn ends loses none)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-store-turn-'));
  try {
    const s = new ObjectStore({ dir });
    for (let i = 0; i < 30; i++) s.create('configmaps', cm(`c${i}`));
    s.update('configmaps', { ...cm('c0', '2') });
    // read back before this turn ends (before the group fsync) and without close()
    const again = new ObjectStore({ dir });
    assert.equal(again.list('configmaps').items.length, 30);
    assert.equal((again.get('configmaps', 'default', 'c0')!.data as { v: string }).v, '2');
    assert.equal(again.resourceVersion, s.resourceVersion);
    again.close();
    s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
