import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LogFollower, LogWriter, nanoTime, parseLog, previousLogFile, renderLog, rotateLog } from './container-log.js';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

function written(chunks: Array<[number, 'stdout' | 'stderr', string]>, close = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clog-'));
  const file = path.join(dir, 'c.log');
  let now = T(0);
  const w = new LogWriter(file, () => now);
  for (const [s, stream, text] of chunks) {
    now = T(s);
    w.write(stream, Buffer.from(text));
  }
  if (close) w.close();
  const text = fs.readFileSync(file, 'utf8');
  fs.rmSync(dir, { recursive: true });
  return text;
}

test('the CRI format: a line per newline with the time it arrived, streams apart, a piece left at close is P', () => {
  const text = written([
    [1, 'stdout', 'one\ntw'],
    [2, 'stderr', 'err\r\n'],
    [3, 'stdout', 'o\nthree'],
  ]);
  assert.equal(text, [`${nanoTime(T(1))} stdout F one`, `${nanoTime(T(2))} stderr F err`, `${nanoTime(T(3))} stdout F two`, `${nanoTime(T(3))} stdout P three`, ''].join('\n'));
  assert.equal(nanoTime(T(1)), '2026-01-01T00:00:01.000000000Z');
  assert.deepEqual(parseLog(text).map((r) => [r.stream, r.full, r.text]), [['stdout', true, 'one'], ['stderr', true, 'err'], ['stdout', true, 'two'], ['stdout', false, 'three']]);
});

test('renderLog: --tail counts lines, --since and --since-time keep lines at or after, --timestamps prefixes each', () => {
  const text = written([
    [1, 'stdout', 'a\n'],
    [5, 'stdout', 'b\n'],
    [9, 'stderr', 'c\n'],
    [10, 'stdout', 'no end'],
  ]);
  assert.equal(renderLog(text), 'a\nb\nc\nno end');
  assert.equal(renderLog(text, { tailLines: 2 }), 'c\nno end');
  assert.equal(renderLog(text, { tailLines: 0 }), '');
  assert.equal(renderLog(text, { tailLines: -1 }), 'a\nb\nc\nno end');
  assert.equal(renderLog(text, { sinceMs: T(5).getTime() }), 'b\nc\nno end');
  assert.equal(renderLog(text, { sinceMs: T(6).getTime(), tailLines: 1 }), 'no end');
  assert.equal(renderLog(text, { timestamps: true, tailLines: 2, sinceMs: T(2).getTime() }), `${nanoTime(T(9))} c\n${nanoTime(T(10))} no end`);
  assert.equal(renderLog(text, { limitBytes: 3 }), 'a\nb');
  // a plain line (an older daemon's log) still shows, as stdout at the start of time
  assert.equal(renderLog('plain\n'), 'plain\n');
  assert.equal(renderLog('plain\n', { sinceMs: 0 }), '');
});

test('a long line is written in pieces and read back whole', () => {
  const long = 'x'.repeat(20_000);
  const text = written([[1, 'stdout', long], [2, 'stdout', 'y\n']]);
  assert.equal(parseLog(text).length, 2);
  assert.equal(renderLog(text), `${long}y\n`);
  assert.equal(renderLog(text, { tailLines: 1 }), `${long}y\n`);
});

test('LogFollower renders whole records only, as they come', () => {
  const f = new LogFollower({ timestamps: false, sinceMs: T(2).getTime() });
  const text = written([[1, 'stdout', 'old\n'], [3, 'stdout', 'new\n'], [4, 'stdout', 'newer\n']]);
  const cut = text.indexOf('new') + 2;
  assert.equal(f.push(text.slice(0, cut)), '');
  assert.equal(f.push(text.slice(cut)), 'new\nnewer\n');
});

test('rotateLog: the current run becomes the previous one', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clog-'));
  const cur = path.join(dir, 'c.log');
  rotateLog(cur);
  assert.equal(fs.existsSync(previousLogFile(cur)), false);
  fs.writeFileSync(cur, 'run 1\n');
  rotateLog(cur);
  assert.equal(fs.readFileSync(path.join(dir, 'c.previous.log'), 'utf8'), 'run 1\n');
  assert.equal(fs.existsSync(cur), false);
  fs.rmSync(dir, { recursive: true });
});
