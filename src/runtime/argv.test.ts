import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShellCommand, splitCommand } from './argv.js';

test('splits plain words and collapses whitespace', () => {
  assert.deepEqual(splitCommand('ip  addr add 10.0.0.0/32 dev lo'), ['ip', 'addr', 'add', '10.0.0.0/32', 'dev', 'lo']);
});

test('single quotes group words and keep leading spaces (the article vtysh line, folded by >-)', () => {
  const line = "vtysh -c 'conf t' -c 'router bgp 65000' -c ' bgp router-id 10.0.0.0' -c '!'";
  assert.deepEqual(splitCommand(line), ['vtysh', '-c', 'conf t', '-c', 'router bgp 65000', '-c', ' bgp router-id 10.0.0.0', '-c', '!']);
});

test('double quotes, backslash escapes and empty strings', () => {
  assert.deepEqual(splitCommand(`sh -c "echo \\"hi\\" there" a\\ b ''`), ['sh', '-c', 'echo "hi" there', 'a b', '']);
});

test('sed expression with slashes stays one word; no shell expansion', () => {
  assert.deepEqual(splitCommand("sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons"), ['sed', '-i', '-e', 's/bgpd=no/bgpd=yes/g', '/etc/frr/daemons']);
  assert.deepEqual(splitCommand('echo $HOME > /tmp/x'), ['echo', '$HOME', '>', '/tmp/x']);
});

test('an unterminated quote is an error', () => {
  assert.throws(() => splitCommand("vtysh -c 'conf t"), /unterminated single quote/);
});

test('shell commands need a TTY to stay up', () => {
  assert.equal(isShellCommand(['bash']), true);
  assert.equal(isShellCommand(['/bin/sh']), true);
  assert.equal(isShellCommand(['bash', '-c', 'sleep 1']), false);
  assert.equal(isShellCommand(['sleep', 'infinity']), false);
  assert.equal(isShellCommand(undefined), false);
});
