import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerProbes, ProbeWorker, probeTiming } from './probe-state.js';

const S = 1000;

test('probeTiming: Kubernetes defaults; liveness and startup succeed after one success whatever successThreshold says', () => {
  assert.deepEqual(probeTiming({ exec: { command: ['true'] } }, 'readiness'), { initialDelayMs: 0, periodMs: 10 * S, timeoutMs: 1 * S, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(probeTiming({ initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 4 }, 'readiness'), { initialDelayMs: 5 * S, periodMs: 2 * S, timeoutMs: 3 * S, successThreshold: 2, failureThreshold: 4 });
  assert.equal(probeTiming({ successThreshold: 2 }, 'liveness').successThreshold, 1);
  assert.equal(probeTiming({ periodSeconds: 0, failureThreshold: -1 }, 'startup').periodMs, 10 * S);
});

/** Drives a worker on a virtual clock: probes whenever due, answering from `answers` in turn; what happened at each probe. */
function drive(w: ProbeWorker, until: number, answers: boolean[]): Array<{ at: number; result: boolean; kill: boolean }> {
  const out: Array<{ at: number; result: boolean; kill: boolean }> = [];
  for (let t = 0; t <= until; t += 250) {
    if (!w.due(t)) continue;
    w.begin(t);
    const { kill } = w.record(answers[out.length] ?? answers[answers.length - 1]!);
    out.push({ at: t, result: w.result, kill });
  }
  return out;
}

test('liveness: first probe after initialDelaySeconds, then every periodSeconds; killed at the failureThreshold-th failure in a row, once', () => {
  const w = new ProbeWorker('liveness', probeTiming({ initialDelaySeconds: 3, periodSeconds: 2, failureThreshold: 3 }, 'liveness'), 0);
  assert.equal(w.result, true, 'liveness starts as success');
  const r = drive(w, 20 * S, [true, false, false, true, false, false, false]);
  assert.deepEqual(r.map((x) => x.at), [3, 5, 7, 9, 11, 13, 15].map((s) => s * S), 'tripped: no probe after the kill');
  assert.deepEqual(r.map((x) => x.kill), [false, false, false, false, false, false, true], 'a success resets the count of failures');
  assert.deepEqual(r.map((x) => x.result), [true, true, true, true, true, true, false]);
});

test('readiness: starts failed, needs successThreshold in a row, drops after failureThreshold in a row, never kills', () => {
  const w = new ProbeWorker('readiness', probeTiming({ periodSeconds: 1, successThreshold: 2, failureThreshold: 2 }, 'readiness'), 0);
  assert.equal(w.result, false);
  const r = drive(w, 8 * S, [true, false, true, true, false, true, false, false, false]);
  assert.deepEqual(r.map((x) => x.result), [false, false, false, true, true, true, true, false, false]);
  assert.ok(r.every((x) => !x.kill));
});

test('a probe in flight is not started again; the next is a period after the last one began', () => {
  const w = new ProbeWorker('readiness', probeTiming({ periodSeconds: 1 }, 'readiness'), 0);
  assert.equal(w.due(0), true);
  w.begin(0);
  assert.equal(w.due(5 * S), false, 'still running (a slow probe)');
  w.record(true);
  assert.equal(w.due(5 * S), true);
});

test('startup gates liveness and readiness; it stops once it succeeds, and kills when it fails failureThreshold times', () => {
  const ok = new ContainerProbes({ startup: { periodSeconds: 1, failureThreshold: 5 }, liveness: { periodSeconds: 1 }, readiness: { periodSeconds: 1 } }, 0);
  assert.deepEqual([ok.started, ok.ready], [false, false]);
  assert.deepEqual(ok.due(0).map((w) => w.kind), ['startup'], 'only the startup probe runs at first');
  ok.startup!.begin(0);
  ok.startup!.record(false);
  assert.deepEqual(ok.due(500).map((w) => w.kind), []);
  assert.deepEqual(ok.due(S).map((w) => w.kind), ['startup']);
  ok.startup!.begin(S);
  ok.startup!.record(true);
  assert.deepEqual([ok.started, ok.ready], [true, false], 'started, not ready before readiness passes');
  assert.deepEqual(ok.due(S).map((w) => w.kind), ['liveness', 'readiness']);
  assert.equal(ok.startup!.due(100 * S), false, 'a startup probe that passed runs no more');
  ok.readiness!.begin(S);
  ok.readiness!.record(true);
  assert.equal(ok.ready, true);

  const bad = new ProbeWorker('startup', probeTiming({ periodSeconds: 1, failureThreshold: 3 }, 'startup'), 0);
  assert.deepEqual(drive(bad, 10 * S, [false]).map((x) => x.kill), [false, false, true]);
});

test('no probes: started and ready once running', () => {
  const none = new ContainerProbes({}, 0);
  assert.deepEqual([none.started, none.ready, none.due(0).length], [true, true, 0]);
});
