/**
 * Time from `lab deploy` to a usable cluster: all 4 nodes Ready and the 2 nettool pods Running
 * (the Cilium article's cluster.yaml and nettool.yaml). Target: under 10 s (kind: 60–90 s for
 * 4 nodes). Runs the real CLI; prints one line per run and the median; no assertions.
 *   npm run build && node --import tsx bench/cluster.ts [--runs N] [--article]
 * --article deploys the whole article lab (labs/cilium-bgp/topo.yaml: routers, tors, servers too).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { NODES, PODS } from '../src/cluster/client/resources.js';
import { isNodeReady, labClient } from '../src/cluster/lab/api.js';
import { copyArticleLab, writeClusterLab } from '../test/e2e/cluster-lab.js';
import { LAB_BIN } from '../test/e2e/helpers.js';
import { uniqueLabName } from '../test/e2e/plan-helpers.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, article: { type: 'boolean', default: false } } });

async function once(run: number): Promise<number> {
  const name = uniqueLabName(`kl-bench-k8s${run}`);
  const { dir, file } = values.article ? await copyArticleLab(name, 'kindlab-bench-article-') : await writeClusterLab(name);
  try {
    const t0 = performance.now();
    const up = await execa('node', [LAB_BIN, 'deploy', '-t', file, '--renderer', 'silent'], { reject: false, env: { CI: '1' } });
    const tDeploy = (performance.now() - t0) / 1000;
    if (up.exitCode !== 0) throw new Error(`deploy failed: ${up.stderr}`);
    const client = labClient(join(dir, `lab-${name}`, 'kubeconfig'));
    let nodesAt = NaN;
    let podsAt = NaN;
    try {
      while (performance.now() - t0 < 60_000 && Number.isNaN(podsAt)) {
        const nodes = (await client.list(NODES)).items;
        if (Number.isNaN(nodesAt) && nodes.length === 4 && nodes.every(isNodeReady)) nodesAt = (performance.now() - t0) / 1000;
        const pods = (await client.list(PODS, { namespace: 'default' })).items;
        if (!Number.isNaN(nodesAt) && pods.length === 2 && pods.every((p) => p.status?.phase === 'Running')) podsAt = (performance.now() - t0) / 1000;
        else await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.close();
    }
    console.log(`run ${run}: lab deploy returned ${tDeploy.toFixed(2)} s; 4 nodes Ready at ${nodesAt.toFixed(2)} s; 2 pods Running at ${podsAt.toFixed(2)} s`);
    return podsAt;
  } finally {
    await execa('node', [LAB_BIN, 'destroy', '--name', name, '--cleanup'], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

const times: number[] = [];
console.log(`bench/cluster: ${values.article ? 'the whole article lab (11 containers)' : '4-node cluster + L2 switch'}, ${values.runs} runs; target < 10 s to 4 nodes Ready + 2 pods Running`);
for (let i = 1; i <= Number(values.runs); i++) times.push(await once(i));
const sorted = [...times].sort((a, b) => a - b);
console.log(`median: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s (min ${sorted[0]!.toFixed(2)}, max ${sorted[sorted.length - 1]!.toFixed(2)})`);
