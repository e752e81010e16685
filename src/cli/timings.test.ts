/** `lab deploy --timings`: every step's wall time, its share, the slowest marked; the lab directory keeps them. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatTimings } from './deploy.js';
import { DeployProgress } from '../runtime/deploy-state.js';

test('the timings table: steps in order, seconds, share of the total, the slowest marked', () => {
  const text = formatTimings([{ step: 'Images', ms: 120 }, { step: 'Containers', ms: 2880 }, { step: 'Links', ms: 1000 }]);
  assert.equal(text, ['deploy steps (wall time):', '  Images         0.12 s    3 %', '  Containers     2.88 s   72 %  ← slowest', '  Links          1.00 s   25 %', '  total          4.00 s', ''].join('\n'));
});

test('deploy progress records each finished step\'s wall time in deploy-state.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindlab-timings-'));
  try {
    const p = new DeployProgress(dir, 'lab', 'topo.yaml');
    await p.start();
    await p.stepStarted('A');
    await new Promise((r) => setTimeout(r, 20));
    await p.stepFinished('A');
    await p.stepStarted('B');
    const t = p.timings();
    assert.deepEqual(t.map((x) => x.step), ['A'], 'a step still running has no time');
    assert.ok(t[0]!.ms >= 15, String(t[0]!.ms));
    const saved = JSON.parse(readFileSync(join(dir, 'deploy-state.json'), 'utf8')) as { steps: Array<{ title: string; ms?: number }> };
    assert.equal(saved.steps[0]!.ms, t[0]!.ms);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
