import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostsText } from './hosts-file.js';

test('a hosts file: the hosts: section of a topology, or a lab directory\'s hosts.json', () => {
  const yaml = parseHostsText('name: x\nhosts:\n  a: { engine: "unix:///tmp/a.sock", underlay: 10.0.0.1 }\n  b: { engine: ssh://lab@b, underlay: 10.0.0.2 }\n', 'h.yaml');
  assert.deepEqual(yaml.map((h) => [h.name, h.engineText, h.underlay]), [['a', 'unix:///tmp/a.sock', '10.0.0.1'], ['b', 'ssh://lab@b', '10.0.0.2']]);
  const json = parseHostsText(JSON.stringify([{ name: 'b', engineText: 'unix:///tmp/b.sock', underlay: '10.0.0.2' }]), 'hosts.json');
  assert.deepEqual(json.map((h) => [h.name, h.engineText]), [['b', 'unix:///tmp/b.sock']]);
});

test('a hosts file is checked as the section is, with its position; one without hosts: is refused', () => {
  assert.throws(() => parseHostsText('hosts:\n  a: { engine: "ftp://x", underlay: 10.0.0.1 }\n', 'h.yaml'), /h\.yaml:2:\d+.*unknown scheme ftp:\/\//);
  assert.throws(() => parseHostsText('name: x\n', 'h.yaml'), (e: Error & { code?: string }) => e.code === 'USAGE' && /--hosts h\.yaml: no hosts: section/.test(e.message));
});
