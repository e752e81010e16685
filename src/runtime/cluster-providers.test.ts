/** One provider per cluster: each sees its own cluster and nodes; node kinds and steps go to the right one. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTopology, planLab, type LabPlan } from '../topology/index.js';
import type { ClusterProviderFactory } from './cluster-provider.js';
import { clusterView, multiClusterProvider } from './cluster-providers.js';
import type { DeployContext } from './deploy-steps.js';
import type { KindContext } from './kinds/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-providers-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'one.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n');
writeFileSync(join(dir, 'two.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [{role: control-plane}, {role: worker}]\n');
const plan = planLab(parseTopology('name: p\ntopology:\n  nodes:\n    r: {kind: linux, image: alpine}\n    a: {kind: k8s-kind, startup-config: one.yaml}\n    b: {kind: k8s-kind, startup-config: two.yaml}\n', { file: 'topo.yaml', dir }));

test('clusterView: the cluster, and of the Kubernetes nodes only its own; other nodes stay', () => {
  const v = clusterView(plan, plan.clusters![1]!);
  assert.equal(v.cluster!.spec.name, 'b');
  assert.deepEqual(v.nodes.map((n) => n.name).sort(), ['b-control-plane', 'b-worker', 'r']);
  assert.equal(plan.nodes.length, 4);
  assert.equal(v.name, plan.name, 'the lab (labels, lock, networks) is the same');
});

test('multiClusterProvider: one provider per cluster; node kind calls and steps reach the cluster\'s own, in its view', async () => {
  const calls: string[] = [];
  const made: string[] = [];
  const factory: ClusterProviderFactory = {
    name: 'fake',
    forDeploy(view: LabPlan) {
      const c = view.cluster!.spec.name;
      made.push(`${c}: ${view.nodes.filter((n) => n.k8s).map((n) => n.name).join(',')}`);
      return {
        nodeKind: { name: 'k8s-node', writeFiles: async (n, ctx) => void calls.push(`writeFiles ${n.name} in ${ctx.plan.cluster!.spec.name}`) },
        prepare: [{ title: 'Net', run: async (ctx) => void calls.push(`prepare ${ctx.plan.cluster!.spec.name}`) }],
        actions: [
          { title: 'Up', run: async (ctx, progress) => { calls.push(`up ${ctx.plan.cluster!.spec.name} ${ctx.kindCtx.plan.cluster!.spec.name}`); progress(`${c} ready`); } },
          { title: 'Manifests', run: async (ctx) => { if (ctx.plan.cluster!.spec.name === 'b') throw new Error('b failed'); } },
        ],
      };
    },
  };
  const p = multiClusterProvider(plan, plan.clusters!, factory);
  assert.deepEqual(made, ['a: a-control-plane', 'b: b-control-plane,b-worker']);
  assert.deepEqual(p.prepare.map((a) => a.title), ['Net (a)', 'Net (b)']);
  assert.deepEqual(p.actions.map((a) => a.title), ['Up (a, b)', 'Manifests (a, b)']);
  const kctx = { plan } as KindContext;
  const ctx = { plan, kindCtx: kctx } as DeployContext;
  for (const n of plan.nodes.filter((x) => x.k8s)) await p.nodeKind.writeFiles!(n, kctx);
  for (const a of p.prepare) await a.run(ctx, () => undefined);
  const said: string[] = [];
  await p.actions[0]!.run(ctx, (m) => said.push(m));
  await assert.rejects(p.actions[1]!.run(ctx, () => undefined), /b failed/);
  assert.deepEqual(calls, ['writeFiles b-control-plane in b', 'writeFiles b-worker in b', 'writeFiles a-control-plane in a', 'prepare a', 'prepare b', 'up a a', 'up b b']);
  assert.equal(said.at(-1), 'a: a ready; b: b ready');
});
