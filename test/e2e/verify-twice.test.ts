/**
 * `lab verify` on a staged lab is repeatable: for every article lab whose topology has `stages:`
 * (labs/DIR/topo*.yaml), deploy a copy of it (a unique lab and cluster name and management subnet, so
 * it runs beside the lab itself), run `lab verify` twice and
 * require both runs to pass every check, the same checks each time; then destroy, and nothing of the
 * lab is left. The second run starts by putting back what the first run's stages changed (the
 * `reset` result), which the test checks for the labs whose stages change cluster objects.
 *
 * One lab at a time. With KINDLAB_DOCKER_LOCK=/tmp/kindlab-docker.lock each lab takes that lock
 * (flock) for itself and releases it before the next, so other users of the machine's Docker can
 * run in between; run the file without an outer flock then. Needs Docker, kubectl on PATH and
 * `npm run build`. KINDLAB_LABS=kube-ovn-speaker,… picks labs by directory.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { NOTHING, REPO, forceDestroy, lab, leftovers } from './helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

interface Check {
  kind: string;
  name: string;
  passed: boolean;
  detail: string;
  stage?: string;
}

/** Every labs/DIR/topo*.yaml with a `stages:` section. */
function stagedLabs(): Array<{ dir: string; topo: string }> {
  const out: Array<{ dir: string; topo: string }> = [];
  for (const dir of readdirSync(join(REPO, 'labs')).sort()) {
    const path = join(REPO, 'labs', dir);
    if (!statSync(path).isDirectory()) continue;
    for (const topo of readdirSync(path).filter((f) => /^topo.*\.ya?ml$/.test(f)).sort())
      if (/^stages:/m.test(readFileSync(join(path, topo), 'utf8'))) out.push({ dir, topo });
  }
  return out;
}

const only = (process.env['KINDLAB_LABS'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const labs = stagedLabs().filter((l) => only.length === 0 || only.includes(l.dir));
const built = existsSync(join(REPO, 'dist/agent/k8s/cli.js')) && existsSync(join(REPO, 'dist/cluster/node/main.js'));
const kubectl = (await execa('kubectl', ['version', '--client'], { reject: false })).exitCode === 0;

/** Holds KINDLAB_DOCKER_LOCK (when set) while `fn` runs. */
async function withDockerLock<T>(fn: () => Promise<T>): Promise<T> {
  const file = process.env['KINDLAB_DOCKER_LOCK'];
  if (!file) return fn();
  const holder = execa('flock', [file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdin: 'pipe', reject: false });
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    void holder.then((r) => reject(new Error(`flock ${file} ended: ${r.stderr}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin?.end();
    await holder;
  }
}

/**
 * The lab directory copied to a temporary directory: lab and cluster renamed `name` (the node containers
 * are named after the cluster), with its own management subnet. The article's kubectl lines and
 * manifests name nodes (`kube-ovn-speaker-worker`): those names follow the cluster's new name.
 */
async function copyLab(dir: string, topo: string, name: string): Promise<{ tmp: string; file: string }> {
  const src = join(REPO, 'labs', dir);
  const tmp = await mkdtemp(join(tmpdir(), `kindlab-twice-${dir}-`));
  const doc = parseDocument(await readFile(join(src, topo), 'utf8'));
  const config = doc.getIn(['cluster', 'config']);
  const fromConfig = typeof config === 'string' ? (parseDocument(await readFile(join(src, config), 'utf8')).get('name') as string | undefined) : undefined;
  const cluster = (doc.getIn(['cluster', 'name']) as string | undefined) ?? fromConfig ?? String(doc.get('name'));
  const nodeNames = new RegExp(`\\b${cluster.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(control-plane|worker\\d*)\\b`, 'g');
  const rename = (text: string) => text.replace(nodeNames, `${name}-$1`);
  for (const f of await readdir(src, { withFileTypes: true }))
    if (f.isFile() && f.name !== topo) {
      if (/\.(ya?ml|json)$/.test(f.name)) await writeFile(join(tmp, f.name), rename(await readFile(join(src, f.name), 'utf8')));
      else await copyFile(join(src, f.name), join(tmp, f.name));
    }
  const renamed = parseDocument(rename(doc.toString()));
  renamed.set('name', name);
  renamed.set('mgmt', renamed.createNode({ network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) }));
  renamed.setIn(['cluster', 'name'], name);
  const file = join(tmp, topo);
  await writeFile(file, renamed.toString());
  return { tmp, file };
}

async function verify(file: string): Promise<{ exitCode: number; checks: Check[] }> {
  const r = await lab(['verify', '-t', file, '--format', 'json', '--wait', '90s']);
  assert.ok(r.stdout.startsWith('{'), `lab verify printed no JSON (exit ${r.exitCode}): ${r.stderr}`);
  return { exitCode: r.exitCode, checks: (JSON.parse(r.stdout) as { checks: Check[] }).checks };
}

const failed = (checks: Check[]) => checks.filter((c) => !c.passed).map((c) => `${c.stage ? `[${c.stage}] ` : ''}${c.kind} ${c.name}: ${c.detail}`);

describe('a staged lab verifies twice', { concurrency: 1 }, () => {
  const names: string[] = [];
  after(async () => {
    for (const n of names) await forceDestroy(n);
  });

  test('there are staged labs', () => {
    assert.ok(stagedLabs().some((l) => l.dir === 'kube-ovn-speaker'), 'labs/kube-ovn-speaker has stages');
  });

  for (const l of labs) {
    const skip = !built ? 'needs `npm run build` (the nodes run dist/)' : !kubectl ? 'needs kubectl on PATH' : false;
    test(`labs/${l.dir}/${l.topo}: verify, verify again, both pass in full`, { timeout: 900_000, skip }, async () => {
      const name = uniqueLabName(`kl2x-${l.dir.slice(0, 6)}`);
      names.push(name);
      const { tmp, file } = await copyLab(l.dir, l.topo, name);
      try {
        await withDockerLock(async () => {
          try {
            const up = await lab(['deploy', '-t', file]);
            assert.equal(up.exitCode, 0, `deploy failed:\n${up.stdout}\n${up.stderr}`);
            const first = await verify(file);
            assert.deepEqual(failed(first.checks), [], `first run: ${failed(first.checks).length} of ${first.checks.length} failed`);
            assert.equal(first.exitCode, 0);
            const second = await verify(file);
            assert.deepEqual(failed(second.checks), [], `second run: ${failed(second.checks).length} of ${second.checks.length} failed`);
            assert.equal(second.exitCode, 0);
            assert.deepEqual(second.checks.map((c) => `${c.stage ?? ''}/${c.name}`), first.checks.map((c) => `${c.stage ?? ''}/${c.name}`), 'the same checks both times');
            // the first run records the state before the stages; the second puts back what the first's changed
            const reset = second.checks.find((c) => c.kind === 'reset');
            if (first.checks.some((c) => c.kind === 'reset')) {
              assert.ok(reset, 'no reset result in the second run');
              assert.match(reset.detail, /deleted|put back|created again/, `the second run's reset changed nothing: ${reset.detail}`);
            }
            console.log(`# ${l.dir}/${l.topo}: ${first.checks.length}/${first.checks.length} then ${second.checks.length}/${second.checks.length}${reset ? `; reset: ${reset.detail}` : ''}`);
          } finally {
            const down = await lab(['destroy', '-t', file, '--cleanup']);
            assert.equal(down.exitCode, 0, down.stderr);
            assert.deepEqual(await leftovers(name), NOTHING);
          }
        });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }
});
