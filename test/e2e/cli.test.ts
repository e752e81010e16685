/**
 * The CLI commands added with the yargs parser, on a tiny real lab (one FRR router, one host):
 * `lab inspect --all` lists it with every other lab, `lab save` writes the router's running config
 * into the lab directory (and nothing for the host), `lab redeploy` replaces the containers, and
 * `lab destroy` leaves nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-cli');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function containerId(node: string): Promise<string> {
  return (await execa('docker', ['ps', '-q', '--no-trunc', '--filter', `label=kindlab.lab=${name}`, '--filter', `label=kindlab.node=${node}`])).stdout.trim();
}

test('inspect --all, save and redeploy on a two-node lab; destroy leaves nothing', async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-cli-'));
  const file = join(dir, 'cli.clab.yaml');
  await writeFile(file, [
    `name: ${name}`,
    `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }`,
    'topology:',
    '  nodes:',
    '    r1:',
    '      kind: linux',
    '      image: frrouting/frr:v8.2.2',
    '      cmd: bash',
    '      exec:',
    '        - touch /etc/frr/vtysh.conf',
    "        - sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons",
    '        - /usr/lib/frr/frrinit.sh start',
    "        - vtysh -c 'conf t' -c 'router bgp 65001' -c 'bgp router-id 10.0.0.1'",
    '    h1: { kind: linux, image: frrouting/frr:v8.2.2, cmd: bash }',
    '  links:',
    '    - endpoints: ["r1:eth1", "h1:eth1"]',
  ].join('\n') + '\n');

  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, up.stderr);
  const labDir = /^lab directory: (.+)$/m.exec(up.stdout)?.[1];
  assert.ok(labDir, up.stdout);

  const table = await lab(['inspect', '--all']);
  assert.equal(table.exitCode, 0, table.stderr);
  assert.match(table.stdout, /^LAB +NAME +CONTAINER +KIND +IMAGE +STATE +MGMT IPV4$/m);
  assert.match(table.stdout, new RegExp(`^${name} +h1 +\\S+ +linux +.* running `, 'm'));
  assert.match(table.stdout, new RegExp(`^${name} +r1 +\\S+ +linux +.* running `, 'm'));
  const json = await lab(['inspect', '--all', '--format', 'json']);
  const labs = JSON.parse(json.stdout) as Array<{ lab: string; nodes: Array<{ name: string; state: string }> }>;
  const ours = labs.find((l) => l.lab === name);
  assert.deepEqual(ours?.nodes.map((n) => [n.name, n.state]), [['h1', 'running'], ['r1', 'running']]);
  const both = await lab(['inspect', '--all', '--name', name]);
  assert.equal(both.exitCode, 1);
  assert.match(both.stderr, /^ERROR: --all takes no -t or --name$/m);

  const saved = await lab(['save', '-t', file]);
  assert.equal(saved.exitCode, 0, saved.stderr);
  const frrFile = join(labDir, 'r1', 'saved', 'frr.conf');
  assert.match(saved.stdout, new RegExp(`^r1: saved ${frrFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
  assert.match(saved.stdout, /^h1: no FRR, BIRD or GoBGP running; nothing saved$/m);
  const conf = await readFile(frrFile, 'utf8');
  assert.match(conf, /^router bgp 65001$/m);
  assert.match(conf, /bgp router-id 10\.0\.0\.1/);
  // by name too (labels only)
  assert.equal((await lab(['save', '--name', name])).exitCode, 0);

  const before = await containerId('r1');
  assert.ok(before);
  const again = await lab(['redeploy', '-t', file]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^lab ${name} destroyed:$`, 'm'));
  assert.match(again.stdout, /^lab directory: /m);
  const after = await containerId('r1');
  assert.ok(after && after !== before, 'redeploy made new containers');

  const down = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});

test('a lab of which only host firewall rules are left is listed by inspect --all and swept by destroy --name', async () => {
  const orphan = uniqueLabName('kl-orph');
  const comment = `kindlab:${orphan}:api`;
  const rules = async () => (await execa('iptables-save')).stdout.split('\n').filter((l) => l.includes(comment));
  await execa('iptables', ['-w', '5', '-I', 'DOCKER-USER', '1', '-o', 'klt-orph0', '!', '-i', 'klt-orph0', '-m', 'comment', '--comment', comment, '-j', 'DROP']);
  try {
    const json = await lab(['inspect', '--all', '--format', 'json']);
    assert.ok((JSON.parse(json.stdout) as Array<{ lab: string }>).some((l) => l.lab === orphan), json.stdout);
    const gone = await lab(['destroy', '--name', orphan]);
    assert.equal(gone.exitCode, 0, gone.stderr);
    assert.match(gone.stdout, /1 iptables DOCKER-USER rules/);
    assert.deepEqual(await rules(), []);
  } finally {
    for (const l of await rules()) await execa('iptables', ['-w', '5', ...l.replace(/^-A/, '-D').split(' ').map((w) => w.replace(/^"(.*)"$/, '$1'))], { reject: false });
  }
});
