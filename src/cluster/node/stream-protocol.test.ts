import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execArgv } from './exec-in-pod.js';
import { decode, exitStatus, frame, parseExecQuery, pickProtocol, shellQuote, tailLines } from './stream-protocol.js';

test('protocol choice: v5 over v4, nothing for SPDY-only offers', () => {
  assert.equal(pickProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io', 'channel.k8s.io']), 'v5.channel.k8s.io');
  assert.equal(pickProtocol(['v4.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(pickProtocol(['SPDY/3.1+portforward.k8s.io', 'channel.k8s.io']), undefined);
});

test('frames: channel byte then data; stdin, resize, v5 close decoded', () => {
  assert.deepEqual([...frame(1, 'hi')], [1, 104, 105]);
  assert.deepEqual(decode(Buffer.from([0, 120])), { kind: 'stdin', data: Buffer.from('x') });
  assert.deepEqual(decode(frame(4, '{"Width":120,"Height":40}')), { kind: 'resize', width: 120, height: 40 });
  assert.deepEqual(decode(Buffer.from([255, 0])), { kind: 'close', channel: 0 });
  assert.deepEqual(decode(frame(4, 'not json')), { kind: 'ignored' });
});

test('exit status: Success for 0, NonZeroExitCode with the ExitCode cause otherwise', () => {
  assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
  const s = exitStatus(3) as { reason: string; details: { causes: Array<{ reason: string; message: string }> } };
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.deepEqual(s.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('exec query and argv: ip netns exec, script -qfec with a quoted command for a TTY', () => {
  const q = parseExecQuery(new URLSearchParams('command=sh&command=-c&command=echo "a b"&container=c1&stdin=true&stdout=true&tty=true'));
  assert.deepEqual(q, { command: ['sh', '-c', 'echo "a b"'], container: 'c1', stdin: true, stdout: true, stderr: false, tty: true });
  assert.deepEqual(execArgv({ netns: 'pod-default-x', command: q.command, tty: false }), ['ip', 'netns', 'exec', 'pod-default-x', 'sh', '-c', 'echo "a b"']);
  assert.deepEqual(execArgv({ netns: '', command: ['ping', "it's"], tty: true }), ['script', '-qfec', `ping 'it'\\''s'`, '/dev/null']);
  assert.equal(shellQuote('10.1.3.56'), '10.1.3.56');
});

test('tail lines', () => {
  assert.equal(tailLines('a\nb\nc\n', 2), 'b\nc\n');
  assert.equal(tailLines('a\nb\nc', 1), 'c');
  assert.equal(tailLines('a\n', 0), '');
  assert.equal(tailLines('a\nb\n', 5), 'a\nb\n');
});
