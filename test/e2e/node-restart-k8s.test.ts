/**
 * A Kubernetes node of the Cilium article lab (labs/cilium-bgp, copied under a unique name) restarted
 * with `docker restart`: its netns sharer server1 holds the old namespace and its link to tor0 is gone.
 * `lab inspect` says degraded, `lab deploy` repairs it without wiping the cluster (a ConfigMap made
 * before the restart is still there) and `lab verify --wait 120s` is green again. The same for the
 * control plane (the API server restarts from its store), and `lab node restart` of a ToR.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { copyArticleLab } from './cluster-lab.js';
import { KUBECTL } from './kubectl-helpers.js';
import { uniqueLabName } from './plan-helpers.js';

const name = uniqueLabName('kl-nrk8s');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verify(file: string, what: string): Promise<void> {
  const r = await lab(['verify', '-t', file, '--format', 'json', '--wait', '120s']);
  const report = JSON.parse(r.stdout) as { checks: Array<{ name: string; passed: boolean; detail: string }> };
  assert.deepEqual(report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), [], what);
  assert.equal(r.exitCode, 0, what);
}

test('docker restart of a k8s node: degraded, repaired by lab deploy, objects kept, verify green', async () => {
  let file = '';
  ({ dir, file } = await copyArticleLab(name, 'kindlab-nrk8s-'));
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
  await verify(file, 'after deploy');
  const kubeconfig = (await lab(['kubeconfig', '-t', file])).stdout.trim();
  const kubectl = (args: string[]) => execa(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { reject: false });
  const made = await kubectl(['create', 'configmap', 'kept', '--from-literal=k=v']);
  assert.equal(made.exitCode, 0, made.stderr);

  const inspect = async () => new Map((JSON.parse((await lab(['inspect', '-t', file, '--format', 'json'])).stdout) as { nodes: Array<{ name: string; container: string; state: string; reasons?: string[] }> }).nodes.map((n) => [n.name, n]));
  await execa('docker', ['restart', '-t', '1', (await inspect()).get('worker')!.container]);
  const nodes = await inspect();
  assert.equal(nodes.get('server1')!.state, 'degraded');
  assert.match(nodes.get('server1')!.reasons!.join('\n'), /shares the network namespace of worker but still holds an old one/);
  assert.match(nodes.get('tor0')!.reasons!.join('\n'), /link tor0:net2 <-> server1:net0 is missing/);

  const fix = await lab(['deploy', '-t', file]);
  assert.equal(fix.exitCode, 0, `${fix.stdout}\n${fix.stderr}`);
  assert.match(fix.stdout, /repaired: .*restarted server1 .*re-created 1 link \(tor0:net2 <-> server1:net0\)/);
  await verify(file, 'after docker restart of worker + deploy');
  const cm = await kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}']);
  assert.deepEqual([cm.exitCode, cm.stdout], [0, 'v'], cm.stderr);

  // the control plane (API server restarted by its boot script from its kept store; server0 shares its netns)
  await execa('docker', ['restart', '-t', '1', (await inspect()).get('control-plane')!.container]);
  assert.match((await inspect()).get('server0')!.reasons!.join('\n'), /shares the network namespace of control-plane but still holds an old one/);
  const fixCp = await lab(['deploy', '-t', file]);
  assert.equal(fixCp.exitCode, 0, `${fixCp.stdout}\n${fixCp.stderr}`);
  assert.match(fixCp.stdout, /repaired: .*restarted server0 .*re-created 1 link \(tor0:net1 <-> server0:net0\)/);
  await verify(file, 'after docker restart of control-plane + deploy');
  const cm2 = await kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}']);
  assert.deepEqual([cm2.exitCode, cm2.stdout], [0, 'v'], cm2.stderr);

  // lab node restart of a ToR: its three links re-created; server0/server1 get back their recorded address and default route
  const tor = await lab(['node', 'restart', '-t', file, 'tor0']);
  assert.equal(tor.exitCode, 0, `${tor.stdout}\n${tor.stderr}`);
  assert.match(tor.stdout, /tor0 restarted: started tor0; re-created 3 links/);
  await verify(file, 'after lab node restart tor0');
  for (const n of (await inspect()).values()) assert.equal(n.state, 'running', `${n.name}: ${n.reasons?.join('; ')}`);

  const down = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
