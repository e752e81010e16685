import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';
import { hostMountArgv, ipArgv, ipBatchArgv } from './host-net.js';
import { markIn } from './special-links.js';

test('ip argv on an engine machine: nsenter into the node, plain ip for the machine itself', () => {
  assert.deepEqual(ipArgv(4242, ['link', 'show']), ['nsenter', '-t', '4242', '-n', 'ip', 'link', 'show']);
  assert.deepEqual(ipArgv(0, ['-j', 'route', 'get', '192.0.2.1']), ['ip', '-j', 'route', 'get', '192.0.2.1']);
  // named namespaces are the machine's /run/netns: pid 1's mount namespace, not the helper's
  assert.deepEqual(hostMountArgv(['ip', 'netns', 'add', 'kindlab-x-park']), ['nsenter', '-t', '1', '-m', 'ip', 'netns', 'add', 'kindlab-x-park']);
});

test('ip -batch argv carries its lines as arguments: each reaches ip as one line, spaces kept', async () => {
  const argv = ipBatchArgv(0, ['link show dev lo', 'addr show dev lo']);
  assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
  assert.match(argv[2]!, /\| ip -batch -$/);
  assert.match(ipBatchArgv(77, ['x'])[2]!, /\| nsenter -t 77 -n ip -batch -$/);
  // read-only commands, run for real: two lines, two answers about lo
  const r = await execa(argv[0]!, argv.slice(1));
  assert.equal(r.stdout.match(/^\d+: lo:/gm)?.length, 2, r.stdout);
});

test('the mark of an interface in a listing: absent, none, or its alias', () => {
  const listing = JSON.stringify([{ ifname: 'eth1', ifalias: 'kindlab:lab:r1:eth1--host:h1' }, { ifname: 'lo' }]);
  assert.equal(markIn(listing, 'eth1'), 'kindlab:lab:r1:eth1--host:h1');
  assert.equal(markIn(listing, 'lo'), null);
  assert.equal(markIn(listing, 'eth9'), undefined);
  assert.equal(markIn('', 'eth1'), undefined);
});
