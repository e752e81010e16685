/**
 * Every article lab (labs/*), the way CI runs it and a user would: `lab deploy` → `lab verify
 * --wait` (the `verify:` checks and all `stages:`; a staged lab is verified a second time, which
 * must pass in full too) → `lab destroy --cleanup`, then nothing of the
 * lab is left (containers, networks, marked veths, netns). A failing check fails the test, with
 * the failing checks' detail in the message. Needs Docker and `npm run build` (the nodes run dist/).
 * KINDLAB_LABS=kube-router-bgp,kube-router-bgp-multihop/topo-no-multihop.yaml picks labs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';
import { ARTICLE_LABS } from './labs-list.js';

interface Report {
  lab: string;
  passed: boolean;
  checks: Array<{ kind: string; name: string; passed: boolean; detail: string; stage?: string }>;
}

/** KINDLAB_LABS=dir[/topo],... runs only those labs (default: all of labs-list.ts). */
const only = (process.env.KINDLAB_LABS ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const selected = ARTICLE_LABS.filter((l) => only.length === 0 || only.includes(l.dir) || only.includes(`${l.dir}/${l.topo}`));

const built = existsSync(join(REPO, 'dist/agent/k8s/cli.js')) && existsSync(join(REPO, 'dist/cluster/node/main.js'));

describe('article labs: deploy → verify (all stages) → destroy', { concurrency: 1 }, () => {
  const deployed: string[] = [];
  after(async () => {
    for (const name of deployed) await forceDestroy(name);
  });

  for (const l of selected) {
    const file = join(REPO, 'labs', l.dir, l.topo);
    test(`labs/${l.dir}/${l.topo}`, { timeout: 600_000, skip: built ? false : 'needs `npm run build` with the node daemon and lab-agent k8s (dist/agent/k8s)' }, async () => {
      deployed.push(l.name);
      try {
        const up = await lab(['deploy', '-t', file]);
        assert.equal(up.exitCode, 0, `deploy failed:\n${up.stdout}\n${up.stderr}`);
        const v = await lab(['verify', '-t', file, '--wait', l.wait, '--format', 'json']);
        const report = JSON.parse(v.stdout) as Report;
        const failed = report.checks.filter((c) => !c.passed).map((c) => `${c.stage ? `[${c.stage}] ` : ''}${c.kind} ${c.name}: ${c.detail}`);
        assert.deepEqual(failed, [], `lab ${l.name}: ${failed.length} of ${report.checks.length} checks failed`);
        assert.equal(v.exitCode, 0);
        assert.ok(report.checks.length > 0);
        if (/^stages:/m.test(readFileSync(file, 'utf8'))) {
          // a staged lab verifies again as the first time: the stage runner puts back what its stages changed
          const again = await lab(['verify', '-t', file, '--wait', l.wait, '--format', 'json']);
          const second = JSON.parse(again.stdout) as Report;
          const failedAgain = second.checks.filter((c) => !c.passed).map((c) => `${c.stage ? `[${c.stage}] ` : ''}${c.kind} ${c.name}: ${c.detail}`);
          assert.deepEqual(failedAgain, [], `lab ${l.name}, second verify: ${failedAgain.length} of ${second.checks.length} checks failed`);
        }
        for (const ds of l.daemonSets ?? []) await checkDaemonSet(join(dirname(file), `lab-${l.name}`, 'kubeconfig'), ds, dirname(file));
        for (const d of l.down ?? []) {
          const r = await lab(['exec', '-t', file, d.node, '--', 'lab-agent', 'neighbor', '--json']);
          assert.equal(r.exitCode, 0, r.stderr);
          const n = (JSON.parse(r.stdout) as Array<{ address: string; state: string; lastError?: string; reason: string }>).find((x) => x.address === d.peer);
          assert.ok(n, `${d.node} has no session with ${d.peer}`);
          assert.notEqual(n.state, 'Established', `${d.node} → ${d.peer} should never come up`);
          assert.ok(n.lastError, `${d.node} → ${d.peer}: ${n.state}, no error recorded (${n.reason})`);
          console.log(`# ${l.name}: ${d.node} → ${d.peer} ${n.state}: ${n.lastError} (${n.reason})`);
        }
      } finally {
        const down = await lab(['destroy', '-t', file, '--cleanup']);
        assert.equal(down.exitCode, 0, down.stderr);
        assert.deepEqual(await leftovers(l.name), NOTHING);
      }
    });
  }
});

const run = promisify(execFile);

/** `kubectl rollout status ds/NAME` succeeds; every pod of it says (status message and Event) what runs for its image. */
async function checkDaemonSet(kubeconfig: string, ds: NonNullable<(typeof ARTICLE_LABS)[number]['daemonSets']>[number], labDir: string): Promise<void> {
  const k = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, '-n', ds.namespace, ...args], { timeout: 90_000 });
  const rolledOut = async () => assert.match((await k('rollout', 'status', `ds/${ds.name}`, '--timeout=60s')).stdout, new RegExp(`daemon set "${ds.name}" successfully rolled out`));
  await rolledOut();
  const set = JSON.parse((await k('get', 'ds', ds.name, '-o', 'json')).stdout) as { spec: { selector: { matchLabels: Record<string, string> } }; status: { desiredNumberScheduled: number } };
  const selector = Object.entries(set.spec.selector.matchLabels).map(([a, b]) => `${a}=${b}`).join(',');
  const pods = (JSON.parse((await k('get', 'pods', '-l', selector, '-o', 'json')).stdout) as { items: Array<{ metadata: { name: string }; spec: { nodeName: string }; status: { message?: string } }> }).items;
  assert.equal(pods.length, set.status.desiredNumberScheduled, 'one pod per selected node');
  assert.ok(pods.length > 0);
  const events = (JSON.parse((await k('get', 'events', '-o', 'json')).stdout) as { items: Array<{ reason: string; message: string; involvedObject: { name: string } }> }).items;
  for (const p of pods) {
    assert.match(p.status.message ?? '', ds.message, `pod ${p.metadata.name} status message`);
    assert.ok(events.some((e) => e.involvedObject.name === p.metadata.name && e.reason === 'KindlabAgent' && ds.message.test(e.message)), `pod ${p.metadata.name}: no KindlabAgent Event`);
    if (ds.replaces) assert.ok(events.some((e) => e.involvedObject.name === p.metadata.name && e.reason === 'AgentReplaced'), `pod ${p.metadata.name}: no AgentReplaced Event`);
  }
  if (ds.manifest) {
    // The article's own lines: delete what the file made (its pods go with the DaemonSet), then create it again.
    const file = join(labDir, ds.manifest);
    await k('delete', '-f', file, '--wait=true');
    await until('the DaemonSet\'s pods are gone', async () => ((await k('get', 'pods', '-o', 'name')).stdout.includes(`pod/${ds.name}-`) ? undefined : true), 30_000, 500);
    assert.match((await k('create', '-f', file)).stdout, new RegExp(`daemonset.apps/${ds.name} created`));
    await rolledOut();
  }
}
