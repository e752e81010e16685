import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';
import { batchOutcome, batchScript } from './exec-batch.js';

const run = async (lines: string[][]) => {
  const r = await execa('sh', ['-c', batchScript(lines)], { reject: false, stdin: 'ignore', stripFinalNewline: false });
  return batchOutcome(r.exitCode ?? -1, String(r.stdout), String(r.stderr));
};

test('a batch of exec lines runs each argv as is, in order, and splits the output of the line that failed', async () => {
  assert.deepEqual(await run([['true'], ['echo', "it's $HOME; `x`"]]), { ran: 2, noShell: false });
  const r = await run([['echo', 'first'], ['sh', '-c', 'echo out; echo err >&2; exit 3'], ['touch', '/never']]);
  assert.deepEqual(r, { ran: 2, noShell: false, failed: { index: 1, exitCode: 3, stdout: 'out\n', stderr: 'err\n' } });
});

test('a batch line is exec\'d, not a shell builtin: `cd` fails as its own docker exec would', async () => {
  const r = await run([['cd', '/']]);
  assert.equal(r.failed?.index, 0);
  assert.equal(r.failed?.exitCode, 127);
});

test('no marker and a failure: the image has no sh, the lines run one by one', () => {
  assert.deepEqual(batchOutcome(127, '', 'exec: "sh": executable file not found in $PATH'), { ran: 0, noShell: true });
});
