import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enginesToScan, engineKey, labEngines, localEngineKey } from './all-labs.js';

const h = (name: string, engineText: string, underlay = '192.0.2.1') => ({ name, engineText, underlay });

test('the engines --all looks at: this machine\'s, then each record\'s and the --hosts file\'s, once per engine', () => {
  const scan = enginesToScan('unix:///var/run/docker.sock', [
    { from: '--hosts f.yaml', hosts: [h('b', 'unix:///tmp/b.sock/')] },
    { from: "lab x's hosts.json", hosts: [h('a', 'unix:///var/run/docker.sock'), h('b', 'unix:///tmp/b.sock'), h('c', 'ssh://lab@c')] },
    // another lab names another engine "b": a name of its own
    { from: "lab y's hosts.json", hosts: [h('b', 'tcp://10.0.0.9:2376')] },
  ]);
  assert.deepEqual(scan.map((e) => `${e.name}=${e.key} (${e.from})`), [
    'local=unix:///var/run/docker.sock (this machine)',
    'b=unix:///tmp/b.sock (--hosts f.yaml)',
    "c=ssh://lab@c (lab x's hosts.json)",
    "b-2=tcp://10.0.0.9:2376 (lab y's hosts.json)",
  ]);
});

test('a lab is handled on its own hosts and every engine it was found on; this machine\'s engine alone is the plain runtime', () => {
  const local = 'unix:///var/run/docker.sock';
  const scan = enginesToScan(local, [{ from: '--hosts f', hosts: [h('a', 'unix:///tmp/a.sock'), h('b', 'unix:///tmp/b.sock')] }]);
  const [here, a, b] = scan as [typeof scan[0], typeof scan[0], typeof scan[0]];
  assert.equal(labEngines(undefined, [here], local), undefined);
  assert.equal(labEngines(undefined, [], local), undefined);
  // record gone, found on b only (--hosts): b alone
  assert.deepEqual(labEngines(undefined, [b], local)?.map((e) => e.name), ['b']);
  // its hosts.json names a and b (as the deploy called them); found on b and, oddly, here too
  const own = [h('left', 'unix:///tmp/a.sock'), h('right', 'unix:///tmp/b.sock/')];
  assert.deepEqual(labEngines(own, [b, here], local)?.map((e) => `${e.name}=${e.key}`), ['left=unix:///tmp/a.sock', 'right=unix:///tmp/b.sock', 'local=unix:///var/run/docker.sock']);
  // a scan name that a host of its own already has is made unique
  assert.deepEqual(labEngines([h('a', 'unix:///tmp/x.sock')], [a], local)?.map((e) => e.name), ['a', 'a-2']);
});

test('engine keys', () => {
  assert.equal(engineKey('unix:///run/docker.sock///'), 'unix:///run/docker.sock');
  assert.equal(localEngineKey({}), 'unix:///var/run/docker.sock');
  assert.equal(localEngineKey({ DOCKER_HOST: 'tcp://h:2375/' }), 'tcp://h:2375');
});
