import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyStream, dialArgv, dialFailure } from './port-forward.js';

test('port-forward streams: type, port and requestID from the headers, refused when missing or invalid', () => {
  assert.deepEqual(classifyStream({ streamtype: ['error'], port: ['80'], requestid: ['4'] }, 9), { kind: 'error', port: 80, requestId: '4' });
  assert.deepEqual(classifyStream({ streamtype: ['data'], port: ['65535'], requestid: ['4'] }, 11), { kind: 'data', port: 65535, requestId: '4' });
  // clients without requestID: the pair is error stream N and data stream N+2, as kubelet pairs them
  assert.equal((classifyStream({ streamtype: ['error'], port: ['80'] }, 5) as { requestId: string }).requestId, '5');
  assert.equal((classifyStream({ streamtype: ['data'], port: ['80'] }, 7) as { requestId: string }).requestId, '5');
  assert.deepEqual(classifyStream({ streamtype: ['data'] }, 1), { error: '"port" header is required' });
  assert.deepEqual(classifyStream({ streamtype: ['data'], port: ['0'] }, 1), { error: 'unable to parse "0" as a port in 1..65535' });
  assert.deepEqual(classifyStream({ streamtype: ['data'], port: ['80x'] }, 1), { error: 'unable to parse "80x" as a port in 1..65535' });
  assert.deepEqual(classifyStream({ port: ['80'] }, 1), { error: '"streamType" header is required' });
  assert.deepEqual(classifyStream({ streamtype: ['stdin'], port: ['80'] }, 1), { error: 'invalid stream type "stdin"' });
});

test('port-forward dial: socat to localhost in the pod netns, directly for a host-network pod', () => {
  assert.deepEqual(dialArgv('kindlab-lab-default-web', 8080), ['ip', 'netns', 'exec', 'kindlab-lab-default-web', 'socat', '-t', '30', 'STDIO', 'TCP4:127.0.0.1:8080']);
  assert.deepEqual(dialArgv('', 80), ['socat', '-t', '30', 'STDIO', 'TCP4:127.0.0.1:80']);
});

test('port-forward dial failure: the reason from socat\'s error line', () => {
  assert.equal(dialFailure('2026/12/06 17:36:15 socat[812] E connect(5, AF=2 127.0.0.1:81, 16): Connection refused\n'), 'Connection refused');
  assert.equal(dialFailure('Cannot open network namespace "x": No such file or directory\n'), 'Cannot open network namespace "x": No such file or directory');
  assert.equal(dialFailure(''), 'the connection helper failed');
});
