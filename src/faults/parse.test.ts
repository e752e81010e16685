import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { parseCaptureRequest, parseEndpoint, parseFaultRequest, parsePercent } from './parse.js';

function fails(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof KindlabError && e.code === code && re.test(e.shortMessage));
}

test('endpoints: node:iface; no empty parts, no second colon, interface names as Linux takes them', () => {
  assert.deepEqual(parseEndpoint('r1:eth1'), { node: 'r1', iface: 'eth1' });
  for (const bad of ['r1', ':eth1', 'r1:', 'r1:eth1:x', 'r1:a/b', 'r1:abcdefghijklmnop']) assert.equal(parseEndpoint(bad), undefined, bad);
});

test('percentages 0..100, with or without %', () => {
  assert.equal(parsePercent('30'), 30);
  assert.equal(parsePercent('12.5%'), 12.5);
  assert.equal(parsePercent('0'), 0);
  for (const bad of ['101', '-1', 'x', '', '0.3.1']) assert.equal(parsePercent(bad), undefined, bad);
});

test('link requests: one or two ends, then the action', () => {
  assert.deepEqual(parseFaultRequest('link', ['a:eth1', 'b:eth2', 'down']), {
    kind: 'link',
    endpoints: [{ node: 'a', iface: 'eth1' }, { node: 'b', iface: 'eth2' }],
    action: 'down',
  });
  assert.deepEqual(parseFaultRequest('link', ['a:eth1', 'loss', '30%']), { kind: 'link', endpoints: [{ node: 'a', iface: 'eth1' }], action: 'loss', percent: 30 });
  assert.deepEqual(parseFaultRequest('link', ['a:eth1', 'flap'], { period: '1.5s', count: '3' }), {
    kind: 'link',
    endpoints: [{ node: 'a', iface: 'eth1' }],
    action: 'flap',
    periodMs: 1500,
    count: 3,
  });
});

test('bad link requests name the word at fault', () => {
  fails(() => parseFaultRequest('link', ['down']), 'USAGE', /NODE:IFACE, not "down"/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'b:eth1', 'c:eth1', 'down']), 'USAGE', /two ends/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'a:eth1', 'down']), 'USAGE', /given twice/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'sideways']), 'USAGE', /unknown link action "sideways"/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'loss']), 'USAGE', /needs a PERCENT/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'loss', '150']), 'USAGE', /"150" is not a percentage/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'flap']), 'USAGE', /needs --period/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'flap'], { period: 'soon' }), 'USAGE', /--period "soon"/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'flap'], { period: '1s', count: '0' }), 'USAGE', /--count must be a positive integer/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'down'], { period: '1s' }), 'USAGE', /go with flap/);
  fails(() => parseFaultRequest('link', ['a:eth1', 'corrupt', '5']), 'FAULT', /corruption cannot be emulated/);
});

test('node and bgp requests', () => {
  assert.deepEqual(parseFaultRequest('node', ['r1', 'pause']), { kind: 'node', node: 'r1', action: 'pause' });
  assert.deepEqual(parseFaultRequest('bgp', ['r1', 'reset']), { kind: 'bgp', node: 'r1' });
  assert.deepEqual(parseFaultRequest('bgp', ['r1', 'reset', '10.0.0.2']), { kind: 'bgp', node: 'r1', peer: '10.0.0.2' });
  fails(() => parseFaultRequest('node', ['r1', 'explode']), 'USAGE', /unknown node action "explode"/);
  fails(() => parseFaultRequest('node', ['r1']), 'USAGE', /give a node and an action/);
  fails(() => parseFaultRequest('bgp', ['r1', 'reset', '10.0.0.2; reboot']), 'USAGE', /not a BGP peer/);
  fails(() => parseFaultRequest('dns', ['x']), 'USAGE', /unknown fault "dns"/);
  assert.deepEqual(parseFaultRequest('agent', ['worker', 'kill']), { kind: 'agent', node: 'worker', action: 'kill' });
  assert.deepEqual(parseFaultRequest('agent', ['worker', 'restart']), { kind: 'agent', node: 'worker', action: 'restart' });
  fails(() => parseFaultRequest('agent', ['worker', 'pause']), 'USAGE', /unknown agent action "pause"/);
  fails(() => parseFaultRequest('agent', ['worker']), 'USAGE', /give a node and an action/);
  fails(() => parseFaultRequest('agent', ['worker', 'kill', 'now']), 'USAGE', /unexpected "now"/);
});

test('capture requests', () => {
  assert.deepEqual(parseCaptureRequest('n1:eth1', { count: '10', timeout: '30s' }), { target: { node: 'n1', iface: 'eth1' }, count: 10, timeoutMs: 30_000 });
  fails(() => parseCaptureRequest(undefined, {}), 'USAGE', /NODE:IFACE/);
  fails(() => parseCaptureRequest('n1', {}), 'USAGE', /"n1" is not NODE:IFACE/);
  fails(() => parseCaptureRequest('n1:eth1', { count: 'many' }), 'USAGE', /positive integer/);
  fails(() => parseCaptureRequest('n1:eth1', { timeout: 'later' }), 'USAGE', /--timeout "later"/);
});
