/**
 * `lab apply` on a running lab ([N] in-place change): three linux nodes (h sharing b's netns).
 * The edited file adds node c with a link to b, removes h (and its link to a) and gives a one more
 * exec line. `--dry-run` prints exactly those changes and touches nothing; the apply then creates
 * and removes just those, while a and b keep their container IDs and start times; a second apply
 * has nothing to do, inspect shows no degraded node, and destroy still removes everything.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-apply');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function topology(edited: boolean): string {
  return `name: ${name}
mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }
topology:
  nodes:
    a:
      kind: linux
      image: kindlab/base
      exec:
      - ip addr add 10.0.1.1/24 dev eth1
${edited ? '      - ip addr add 10.9.9.9/32 dev lo\n' : ''}    b:
      kind: linux
      image: kindlab/base
      exec:
      - ip addr add 10.0.1.2/24 dev eth1
${edited ? '      - ip addr add 10.0.2.1/24 dev eth2\n' : ''}${
    edited
      ? `    c:
      kind: linux
      image: kindlab/base
      exec:
      - ip addr add 10.0.2.2/24 dev eth1
`
      : `    h:
      kind: linux
      image: kindlab/base
      network-mode: container:b
`
  }  links:
  - endpoints: ["a:eth1", "b:eth1"]
${edited ? '  - endpoints: ["b:eth2", "c:eth1"]\n' : '  - endpoints: ["a:eth2", "h:eth3"]\n'}`;
}

/** Container ID and start time of each of the lab's containers, by node. */
async function containers(): Promise<Map<string, string>> {
  const ps = await execa('docker', ['ps', '-a', '--filter', `label=kindlab.lab=${name}`, '--format', '{{.Names}}']);
  const names = ps.stdout.split('\n').filter(Boolean);
  if (!names.length) return new Map();
  const r = await execa('docker', ['inspect', '-f', '{{index .Config.Labels "kindlab.node"}} {{.Id}} {{.State.StartedAt}} {{.State.Status}}', ...names]);
  return new Map(r.stdout.split('\n').map((l) => {
    const [node, ...rest] = l.split(' ');
    return [node!, rest.join(' ')];
  }));
}

async function sh(node: string, cmd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return lab(['exec', '-t', join(dir, 'topo.yaml'), node, '--', 'sh', '-c', cmd]);
}

test('lab apply: --dry-run shows the changes, the apply makes only those, untouched containers keep running', async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-apply-'));
  const file = join(dir, 'topo.yaml');
  await writeFile(file, topology(false));
  const d = await lab(['deploy', '-t', file]);
  assert.equal(d.exitCode, 0, d.stderr);
  const before = await containers();
  assert.deepEqual([...before.keys()].sort(), ['a', 'b', 'h']);

  // the same file: nothing to do
  const none = await lab(['apply', '-t', file]);
  assert.equal(none.exitCode, 0, none.stderr);
  assert.match(none.stdout, /no changes/);

  await writeFile(file, topology(true));
  const dry = await lab(['apply', '-t', file, '--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const planLines = dry.stdout.split('\n').filter((l) => /^\s*(\+|-|~|-\/\+) /.test(l)).map((l) => l.trim());
  assert.deepEqual(planLines, [
    '+ node c',
    '~ node a (exec lines)',
    '+ exec: ip addr add 10.9.9.9/32 dev lo',
    '~ node b (exec lines)',
    '+ exec: ip addr add 10.0.2.1/24 dev eth2',
    '- node h',
    '+ link b:eth2 -- c:eth1',
    '- link a:eth2 -- h:eth3',
  ]);
  assert.match(dry.stdout, /Plan: 1 node to add, 2 nodes to change, 1 node to remove; 1 link to add, 1 link to remove\./);
  assert.deepEqual(await containers(), before, 'a dry run changes nothing');

  const applied = await lab(['apply', '-t', file]);
  assert.equal(applied.exitCode, 0, `${applied.stdout}\n${applied.stderr}`);
  assert.match(applied.stdout, /changed in place/);
  const now = await containers();
  assert.deepEqual([...now.keys()].sort(), ['a', 'b', 'c']);
  // a and b were not restarted or re-made: same ID, same start time, running
  for (const n of ['a', 'b']) assert.equal(now.get(n), before.get(n), `${n} kept its container`);
  assert.match(now.get('c')!, / running$/);

  // the new link and the new exec lines work; the removed link is gone from both ends
  const ping = await sh('b', 'ping -c 2 -W 2 10.0.2.2');
  assert.equal(ping.exitCode, 0, ping.stdout + ping.stderr);
  const lo = await sh('a', 'ip -o addr show dev lo');
  assert.match(lo.stdout, /10\.9\.9\.9\/32/);
  const old = await sh('a', 'ip -o link show dev eth2');
  assert.notEqual(old.exitCode, 0, 'a:eth2 (the link to h) was deleted');
  assert.equal((await sh('b', 'ip -o link show dev eth3')).exitCode === 0, false, "h's end in b's namespace was deleted");
  const kept = await sh('a', 'ping -c 1 -W 2 10.0.1.2');
  assert.equal(kept.exitCode, 0, 'the untouched link a–b still carries traffic');

  // the recorded plan is the new one: nothing left to do, and the lab is healthy
  const again = await lab(['apply', '-t', file, '--dry-run']);
  assert.match(again.stdout, /no changes/);
  const ins = await lab(['inspect', '-t', file, '--format', 'json']);
  const states = (JSON.parse(ins.stdout) as { nodes: Array<{ name: string; state: string }> }).nodes.map((n) => `${n.name}=${n.state}`).sort();
  assert.deepEqual(states, ['a=running', 'b=running', 'c=running']);

  // back to the first file, through lab deploy this time: c goes, h (sharing b's netns) and its link to a come back
  await writeFile(file, topology(false));
  const redo = await lab(['deploy', '-t', file]);
  assert.equal(redo.exitCode, 0, `${redo.stdout}\n${redo.stderr}`);
  assert.match(redo.stdout, /changed in place/);
  assert.match(redo.stderr, /^ {2}\+ node h$/m);
  assert.match(redo.stderr, /^ {2}- node c$/m);
  const back = await containers();
  assert.deepEqual([...back.keys()].sort(), ['a', 'b', 'h']);
  for (const n of ['a', 'b']) assert.equal(back.get(n), before.get(n), `${n} kept its container through the deploy`);
  assert.equal((await sh('a', 'ip -o link show dev eth2')).exitCode, 0, 'the link a–h is back');
  assert.equal((await sh('b', 'ip -o link show dev eth3')).exitCode, 0, "h's end is in b's namespace");
  const same = await lab(['deploy', '-t', file]);
  assert.match(same.stdout, /already deployed/);

  const gone = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(gone.exitCode, 0, gone.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
