/** The node BGP agent in the article lab's plan: argv from the topology's bgp block, the args file the node daemon runs it with, boot.sh lines. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPlan, parseTopology, planLab } from '../../topology/index.js';
import { NODE_FLAGS, agentArgsFile, agentArgv, agentEnabled, bootScript } from './plan.js';

const file = fileURLToPath(new URL('../../../labs/cilium-bgp/topo.yaml', import.meta.url));
const syntaxOk = (script: string) => execFileSync('sh', ['-n'], { input: script, encoding: 'utf8' });

describe('cluster BGP agent', () => {
  it('article lab: lab-agent k8s with the Cilium dialect, the node name and kubeconfig', async () => {
    const plan = await loadPlan(file, { env: {} });
    const w = plan.nodes.find((n) => n.name === 'worker')!;
    assert.ok(agentEnabled(plan));
    assert.deepEqual(agentArgv(plan, w), ['node', ...NODE_FLAGS, '/opt/kindlab/dist/agent/cli.js', 'k8s', '--node', 'clab-bgp-cplane-demo-worker', '--kubeconfig', '/var/lib/kindlab/node/kubeconfig', '--dialect', 'cilium']);
  });

  it('agent.args: the k8s flags the node daemon hosts the agent with (no node binary, no script)', async () => {
    const plan = await loadPlan(file, { env: {} });
    assert.deepEqual(JSON.parse(agentArgsFile(plan, plan.nodes[1]!)), ['--node', 'clab-bgp-cplane-demo-worker', '--kubeconfig', '/var/lib/kindlab/node/kubeconfig', '--dialect', 'cilium']);
  });

  it('boot.sh: the lab-agent wrapper always, the node daemon told to look at the agent marker; agent: false starts none', async () => {
    const plan = await loadPlan(file, { env: {} });
    const boot = bootScript(plan, plan.nodes[2]!);
    syntaxOk(boot);
    assert.match(boot, /\[ -x \/usr\/local\/bin\/lab-agent \] \|\| \{ printf '#!\/bin\/sh\\nexec node --max-semi-space-size=2 \/opt\/kindlab\/bin\/lab-agent\.js "\$@"\\n' >\/usr\/local\/bin\/lab-agent/);
    assert.match(boot, /\[ -f \/var\/lib\/kindlab\/node\/agent\.enabled \] && \{ curl .*--unix-socket \/run\/kindlab\/agent-host\.sock -X POST 'http:\/\/agent\/sync'/);
    const off = planLab(parseTopology('name: t\ncluster: {nodes: [{role: control-plane}], bgp: {agent: false}}\n', { file: 't.yaml', dir: '/tmp' }));
    assert.equal(agentEnabled(off), false);
    assert.doesNotMatch(bootScript(off, off.nodes[0]!), /agent\.enabled/);
  });

  it('kube-router flags pass through after the dialect', () => {
    const plan = planLab(parseTopology('name: t\ncluster:\n  nodes: [{role: control-plane}]\n  bgp: {dialect: kube-router, flags: [--run-router=true, --peer-router-ips=10.0.0.1]}\n', { file: 't.yaml', dir: '/tmp' }));
    assert.deepEqual(agentArgv(plan, plan.nodes[0]!).slice(-4), ['--dialect', 'kube-router', '--run-router=true', '--peer-router-ips=10.0.0.1']);
  });
});
