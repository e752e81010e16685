import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markerValid, takeRestartMarker, writeRestartMarker } from './restart-marker.js';

test('a marker is valid only within the announced restart time', () => {
  assert.equal(markerValid({ stoppedAt: 1_000, restartTime: 90 }, 1_000 + 89_000), true);
  assert.equal(markerValid({ stoppedAt: 1_000, restartTime: 90 }, 1_000 + 90_000), false);
  assert.equal(markerValid({ stoppedAt: 5_000, restartTime: 90 }, 4_000), false, 'clock went backwards');
  assert.equal(markerValid({ stoppedAt: 1_000, restartTime: 0 }, 1_000), false);
  assert.equal(markerValid(undefined, 0), false);
});

test('written, taken once (removed), garbage ignored and removed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-marker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const p = join(dir, 'sub', 'agent.restart');
  assert.equal(takeRestartMarker(p), undefined);
  writeRestartMarker(p, { stoppedAt: 42, restartTime: 60 });
  assert.deepEqual(takeRestartMarker(p), { stoppedAt: 42, restartTime: 60 });
  assert.equal(existsSync(p), false);
  writeFileSync(p, '{nope');
  assert.equal(takeRestartMarker(p), undefined);
  assert.equal(existsSync(p), false);
});
