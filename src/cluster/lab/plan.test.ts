/** The cluster's paths, process argv, certificate SANs and boot script, from the article lab's plan. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../../topology/index.js';
import { NODE_DAEMON_FLAGS, NODE_FLAGS, API_FENCE_CHAIN, apiAllowedSources, apiFenceLines, AGENT_MAIN, APISERVER_MAIN, NODE_DAEMON_MAIN, apiNetwork, apiServerArgv, requireBuilt, apiServerSans, bootScript, controlPlane, fallbackNodeIPs, nodeCommand, nodeDaemonArgv } from './plan.js';
import { controlPlaneCpuShares, engineSocket, k8sNodeKind } from './node-kind.js';
import type { ClusterDeployState } from './files.js';
import { containerOptions, DockerRuntime, makeKindContext } from '../../runtime/index.js';

const file = fileURLToPath(new URL('../../../labs/cilium-bgp/topo.yaml', import.meta.url));

describe('cluster plan', () => {
  it('API server argv: data dir, listen, the kind config, cluster name, the control-plane address as SAN', async () => {
    const plan = await loadPlan(file, { env: {} });
    const cp = controlPlane(plan);
    assert.equal(cp.containerName, 'clab-bgp-cplane-demo-control-plane');
    assert.deepEqual(apiServerArgv(plan), ['node', '/opt/kindlab/dist/cluster/apiserver/main.js', '--data', '/var/lib/kindlab/cluster', '--listen', '0.0.0.0:6443', '--cluster-config', '/var/lib/kindlab/cluster/kind-cluster.yaml', '--cluster-name', 'clab-bgp-cplane-demo', '--tls-san', cp.mgmtIPv4!, '--require-heartbeats']);
    assert.deepEqual(fallbackNodeIPs(plan), {}, 'every article node has a node-ip');
    const sans = apiServerSans(plan);
    for (const s of ['127.0.0.1', '10.0.1.2', '10.0.4.2', cp.mgmtIPv4!, 'clab-bgp-cplane-demo-control-plane', 'kubernetes.default.svc']) assert.ok(sans.includes(s), s);
  });

  it('nodes without node-ip get their management address', async () => {
    const { parseTopology, planLab } = await import('../../topology/index.js');
    const plan = planLab(parseTopology('name: t\ncluster: {nodes: [{role: control-plane}, {role: worker}]}\n', { file: 't.yaml', dir: '/tmp' }));
    assert.deepEqual(fallbackNodeIPs(plan), { 't-control-plane': plan.nodes[0]!.mgmtIPv4, 't-worker': plan.nodes[1]!.mgmtIPv4 });
    assert.deepEqual(apiServerArgv(plan).slice(-5, -1), ['--node-ip', `t-control-plane=${plan.nodes[0]!.mgmtIPv4}`, '--node-ip', `t-worker=${plan.nodes[1]!.mgmtIPv4}`]);
  });

  it('API port fence (defect 7): only the cluster\'s nodes, its pods, lo and the API network reach 6443; the rest is reset', async () => {
    const plan = await loadPlan(file, { env: {} });
    const nodes = plan.nodes.filter((n) => n.k8s);
    const { v4, v6 } = apiAllowedSources(plan);
    for (const n of nodes) assert.ok(v4.includes(n.mgmtIPv4!), `${n.name}'s mgmt address`);
    for (const a of ['10.0.1.2', '10.0.4.2']) assert.ok(v4.includes(a), `node-ip ${a}`);
    assert.ok(v4.includes(plan.cluster!.spec.podSubnet), 'the pod subnet');
    // the article's routers are on the mgmt network too: not allowed
    for (const r of plan.nodes.filter((n) => !n.k8s && n.mgmtIPv4 && n.netnsOwner === n.name)) assert.ok(!v4.includes(r.mgmtIPv4!), r.name);
    assert.deepEqual(v6, []);
    const lines = apiFenceLines(plan).join('\n');
    assert.match(lines, /iptables -I INPUT -p tcp --dport 6443 -j KL-API-FENCE/);
    assert.match(lines, /iptables -A KL-API-FENCE -i lo -j RETURN/);
    assert.match(lines, /-s "\$\(cat \/var\/lib\/kindlab\/node\/api-net\.subnet\)" -j RETURN/);
    // the reset comes last in each family's chain
    const v4Lines = lines.split('\n').filter((l) => /^\s+iptables -A/.test(l));
    assert.match(v4Lines.at(-1)!, /-j REJECT --reject-with tcp-reset$/);
    const [cp, w] = plan.nodes;
    assert.match(bootScript(plan, cp!), /KL-API-FENCE/);
    assert.doesNotMatch(bootScript(plan, w!), /KL-API-FENCE/);
    // the Service proxy deletes every KINDLAB-* chain it did not render (kube-router-features failed so)
    assert.ok(!API_FENCE_CHAIN.startsWith('KINDLAB-'));
    // the fence is in place before the API server starts
    const boot = bootScript(plan, cp!);
    assert.ok(boot.indexOf('tcp-reset') < boot.indexOf('apiserver/main.js'));
  });

  it('boot script: the API server on the control-plane only; the node daemon behind its marker', async () => {
    const plan = await loadPlan(file, { env: {} });
    const [cp, w] = plan.nodes;
    const cpBoot = bootScript(plan, cp!);
    assert.match(cpBoot, /pgrep -f \/opt\/kindlab\/dist\/cluster\/apiserver\/main\.js >\/dev\/null \|\| nohup node \/opt\/kindlab\/dist\/cluster\/apiserver\/main\.js --data/);
    assert.match(cpBoot, />>\/var\/lib\/kindlab\/cluster\/apiserver\.log 2>&1 <\/dev\/null &/);
    assert.doesNotMatch(bootScript(plan, w!), /apiserver/);
    assert.deepEqual(NODE_DAEMON_FLAGS, [...NODE_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size')), '--max-semi-space-size=1', '--optimize-for-size', '--no-opt']);
    assert.deepEqual(nodeDaemonArgv(w!), ['node', ...NODE_DAEMON_FLAGS, '/opt/kindlab/dist/cluster/node/main.js', '--node', 'clab-bgp-cplane-demo-worker', '--kubeconfig', '/var/lib/kindlab/node/kubeconfig']);
    assert.deepEqual(nodeCommand().slice(0, 3), ['/usr/bin/tini', '-s', '--']);
    // heartbeats required, and the daemon started once enabled, whatever dist/ holds
    assert.match(bootScript(plan, w!), /\[ -f \/var\/lib\/kindlab\/node\/node-daemon\.enabled \] && \{ pgrep -f \/opt\/kindlab\/dist\/cluster\/node\/main\.js/);
    assert.ok(apiServerArgv(plan).includes('--require-heartbeats'));
  });

  it('deploy refuses a cluster when a built file is missing, naming it', () => {
    assert.throws(() => requireBuilt([APISERVER_MAIN, NODE_DAEMON_MAIN], '/nonexistent'), /kindlab is not built \(dist\/cluster\/apiserver\/main\.js is missing\)/);
    requireBuilt([APISERVER_MAIN, NODE_DAEMON_MAIN, AGENT_MAIN]);
  });

  it('container options: code read-only, node dir, cluster dir and 127.0.0.1 port on the control-plane only', async () => {
    const plan = await loadPlan(file, { env: {} });
    const [cp, w] = plan.nodes;
    // A fresh deploy context (no Docker call is made): no port reserved yet, so Docker picks one.
    const kctx = makeKindContext(plan, new DockerRuntime());
    const state: ClusterDeployState = {};
    const kind = k8sNodeKind(state);
    const o = kind.containerOptions!(cp!, containerOptions(plan, cp!, 'kindlab/base:latest'), kctx);
    assert.equal(o.Hostname, 'clab-bgp-cplane-demo-control-plane');
    // the built code only, read-only: never the checkout (other labs' lab directories live in it)
    assert.ok(o.HostConfig!.Binds!.some((b) => /\/dist:\/opt\/kindlab\/dist:ro$/.test(b)));
    assert.ok(!o.HostConfig!.Binds!.some((b) => /:\/opt\/kindlab(:ro)?$/.test(b)), 'the whole checkout is not mounted');
    assert.ok(o.HostConfig!.Binds!.includes(`${plan.labDir}/cluster:/var/lib/kindlab/cluster`));
    assert.deepEqual(o.HostConfig!.PortBindings, { '6443/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
    assert.equal(o.Labels!['io.x-k8s.kind.role'], 'control-plane');
    assert.equal(o.Labels!['kindlab.lab'], 'bgp-cplane-demo');
    const ow = kind.containerOptions!(w!, containerOptions(plan, w!, 'kindlab/base:latest'), kctx);
    state.apiPort = 40123;
    const again = kind.containerOptions!(cp!, containerOptions(plan, cp!, 'kindlab/base:latest'), kctx);
    assert.deepEqual(again.HostConfig!.PortBindings, { '6443/tcp': [{ HostIp: '127.0.0.1', HostPort: '40123' }] }, 'the port this deploy reserved, from its context');
    assert.ok(!ow.HostConfig!.Binds!.some((b) => b.includes('/var/lib/kindlab/cluster')), 'the CA key stays on the control-plane');
    // the API server's container outweighs every other container of the lab together; workers keep Docker's default
    assert.equal(o.HostConfig!.CpuShares, 1024 * plan.nodes.length);
    assert.equal(ow.HostConfig!.CpuShares, undefined);
    assert.deepEqual(ow.HostConfig!.PortBindings, {});
  });

  it('API network: bridge name fits IFNAMSIZ, rule comment has no spaces', async () => {
    const plan = await loadPlan(file, { env: {} });
    const a = apiNetwork(plan);
    assert.equal(a.network, 'kindlab-bgp-cplane-demo-api');
    assert.ok(a.bridge.length <= 15);
    assert.equal(a.comment, 'kindlab:bgp-cplane-demo:api');
  });
});

describe('control-plane cpu.shares', () => {
  it('one default share per lab container, within the kernel\'s bounds; a quota and cpu-set are left as written', async () => {
    const plan = await loadPlan(file, { env: {} });
    const many = { ...plan, nodes: Array.from({ length: 300 }, () => plan.nodes[0]!) };
    assert.equal(controlPlaneCpuShares({ ...plan, nodes: [plan.nodes[0]!] }), 1024);
    assert.equal(controlPlaneCpuShares({ ...plan, nodes: plan.nodes.slice(0, 2) }), 2048);
    assert.equal(controlPlaneCpuShares(many), 262_144);
    const cp = { ...plan.nodes[0]!, resources: { cpus: 0.5, cpuSet: '1' } };
    const o = k8sNodeKind({}).containerOptions!(cp, containerOptions(plan, cp, 'kindlab/base:latest'), makeKindContext(plan, new DockerRuntime()));
    assert.deepEqual([o.HostConfig!.CpuShares, o.HostConfig!.CpuQuota, o.HostConfig!.CpuPeriod, o.HostConfig!.CpusetCpus], [1024 * plan.nodes.length, 50_000, 100_000, '1']);
  });
});

describe('engine socket for real-image pods', () => {
  it('the default socket, a unix DOCKER_HOST, none for a TCP engine', () => {
    assert.equal(engineSocket({}), '/var/run/docker.sock');
    assert.equal(engineSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }), '/run/user/1000/docker.sock');
    assert.equal(engineSocket({ DOCKER_HOST: 'tcp://10.0.0.1:2375' }), undefined);
  });
});
