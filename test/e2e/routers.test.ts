/**
 * The Cilium article's three FRR routers (labs/cilium-bgp/routers.yaml, exec lines verbatim) deployed
 * through the real CLI: router0's two unnumbered eBGP sessions (to tor0 and tor1) reach Established;
 * inspect and exec work; a second deploy changes nothing; destroy leaves no container, network,
 * marked interface or netns.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseDocument } from 'yaml';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-routers');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The lab file with a unique name and mgmt subnet, so it never clashes with a lab a user runs. */
async function copyLab(): Promise<string> {
  const doc = parseDocument(await readFile(join(REPO, 'labs/cilium-bgp/routers.yaml'), 'utf8'));
  doc.set('name', name);
  doc.set('mgmt', doc.createNode({ network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) }));
  dir = await mkdtemp(join(tmpdir(), 'kindlab-routers-'));
  const file = join(dir, 'routers.yaml');
  await writeFile(file, doc.toString());
  return file;
}

interface BgpSummary {
  ipv4Unicast?: { peers?: Record<string, { state?: string; remoteAs?: number }> };
}

test('router0 reaches Established with tor0 and tor1 over unnumbered eBGP; destroy leaves nothing', async () => {
  const file = await copyLab();
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, up.stderr);
  assert.match(up.stdout, new RegExp(`lab ${name} deployed: \\d+ containers, \\d+ links`));

  const peers = await until('router0 sessions Established', async () => {
    const r = await lab(['exec', '-t', file, 'router0', '--', 'vtysh', '-c', 'show bgp summary json']);
    if (r.exitCode !== 0) return undefined;
    const p = (JSON.parse(r.stdout) as BgpSummary).ipv4Unicast?.peers ?? {};
    return p['net0']?.state === 'Established' && p['net1']?.state === 'Established' ? p : undefined;
  }, 60000, 500);
  assert.equal(peers['net0']?.remoteAs, 65010);
  assert.equal(peers['net1']?.remoteAs, 65011);

  const insp = await lab(['inspect', '-t', file, '--format', 'json']);
  assert.equal(insp.exitCode, 0, insp.stderr);
  const j = JSON.parse(insp.stdout) as { lab: string; nodes: Array<Record<string, string>> };
  assert.deepEqual(Object.keys(j), ['lab', 'nodes']);
  assert.equal(j.lab, name);
  const names = j.nodes.map((n) => n['name']!);
  for (const r of ['router0', 'tor0', 'tor1']) assert.ok(names.includes(r), `${r} in ${names.join(', ')}`);
  assert.deepEqual(names, [...names].sort());
  for (const n of j.nodes) {
    // the contract's keys, plus imageSubstitute when the image ran as a local substitute (frrouting/frr here, offline)
    assert.deepEqual(Object.keys(n).filter((k) => k !== 'imageSubstitute'), ['name', 'container', 'kind', 'image', 'state', 'mgmtIPv4']);
    if ('imageSubstitute' in n) assert.match(JSON.stringify(n['imageSubstitute']), /kindlab\/base/);
    assert.equal(n['state'], 'running');
  }
  assert.match(j.nodes[0]!['mgmtIPv4']!, /^172\.31\.\d+\.\d+\/24$/);

  const fail = await lab(['exec', '-t', file, 'tor0', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual([fail.exitCode, fail.stdout, fail.stderr], [3, 'out', 'err']);

  const again = await lab(['deploy', '-t', file]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`lab ${name} is already deployed: ${names.length} nodes running, nothing to do`));

  const labDir = join(dir, `lab-${name}`);
  const topo = JSON.parse(await readFile(join(labDir, 'topology-data.json'), 'utf8')) as { name: string; nodes: Record<string, unknown>; links: unknown[] };
  assert.equal(topo.name, name);
  assert.deepEqual(Object.keys(topo.nodes).sort(), names);
  assert.ok(topo.links.length >= 2);

  const down = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.match(down.stdout, /containers: .*router0/);
  assert.deepEqual(await leftovers(name), NOTHING);
  await assert.rejects(stat(labDir), /ENOENT/);
});
