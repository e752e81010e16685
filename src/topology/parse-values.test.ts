import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBind, parsePort, shellSplit } from './parse-values.js';
import { checkIfaceName, checkMac, parseCidr4, parseNetwork4, inSubnet6 } from './net.js';
import { closest } from './suggest.js';

describe('shellSplit', () => {
  it('splits on whitespace and respects quotes and escapes', () => {
    assert.deepEqual(shellSplit(`sh -c "echo \\"hi\\" there" 'a b' c\\ d`), ['sh', '-c', 'echo "hi" there', 'a b', 'c d']);
    assert.deepEqual(shellSplit('  bash  '), ['bash']);
    assert.deepEqual(shellSplit(`x '' y`), ['x', '', 'y']);
  });
  it('reports unterminated quotes', () => {
    assert.match(shellSplit(`sh -c "oops`) as string, /unterminated double quote/);
  });
});

describe('parsePort', () => {
  it('defaults to 127.0.0.1 and tcp', () => {
    assert.deepEqual(parsePort('8080:80'), { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' });
  });
  it('accepts an explicit address, IPv6 in brackets and udp', () => {
    assert.deepEqual(parsePort('0.0.0.0:5353:53/udp'), { hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53, protocol: 'udp' });
    assert.deepEqual(parsePort('[::1]:9090:90'), { hostIp: '::1', hostPort: 9090, containerPort: 90, protocol: 'tcp' });
  });
  it('a bare container port lets Docker pick the host port', () => {
    assert.deepEqual(parsePort(443), { hostIp: '127.0.0.1', hostPort: 0, containerPort: 443, protocol: 'tcp' });
  });
  it('rejects ranges, bad ports and bad addresses', () => {
    assert.match(parsePort('8000-8010:80') as string, /ranges/);
    assert.match(parsePort('70000:80') as string, /out of range/);
    assert.match(parsePort('1.2.3.999:80:80') as string, /not an IP address/);
    assert.match(parsePort('80:http') as string, /not a port publication/);
  });
});

describe('parseBind', () => {
  it('resolves relative host paths against the topology directory', () => {
    assert.deepEqual(parseBind('cfg/frr.conf:/etc/frr/frr.conf:ro', '/labs/x'), { source: '/labs/x/cfg/frr.conf', target: '/etc/frr/frr.conf', readOnly: true, options: ['ro'] });
    assert.equal((parseBind('/abs:/t', '/labs/x') as { source: string }).source, '/abs');
  });
  it('rejects relative container paths and unknown options', () => {
    assert.match(parseBind('a:b', '/') as string, /must be absolute/);
    assert.match(parseBind('a:/b:ro,rw', '/') as string, /both ro and rw/);
  });
});

describe('address checks', () => {
  it('CIDRs, networks and MACs', () => {
    assert.deepEqual(parseCidr4('10.0.0.1/31'), { addr: 0x0a000001, len: 31 });
    assert.match(parseCidr4('10.0.0.1/33') as string, /out of range/);
    assert.match(parseNetwork4('10.0.0.1/24') as string, /did you mean "10.0.0.0\/24"/);
    assert.equal(checkMac('02:00:00:00:00:01'), undefined);
    assert.match(checkMac('03:00:00:00:00:01')!, /multicast/);
    assert.ok(inSubnet6('fd00:200::5', { addr: 'fd00:200::', len: 64 }));
    assert.ok(!inSubnet6('fd00:201::5', { addr: 'fd00:200::', len: 64 }));
  });
  it('interface names follow Linux rules', () => {
    assert.equal(checkIfaceName('e1-1.100'), undefined);
    assert.match(checkIfaceName('a'.repeat(16))!, /at most 15/);
    assert.match(checkIfaceName('eth 1')!, /may only contain/);
  });
  it('suggests typos but not numbered siblings', () => {
    assert.equal(closest('imgae', ['image', 'kind']), 'image');
    assert.equal(closest('leaf3', ['leaf1', 'leaf2']), undefined);
    assert.equal(closest('zzzz', ['image']), undefined);
  });
});
