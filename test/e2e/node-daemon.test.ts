/**
 * Node daemon e2e on real Docker: the real API server in the control-plane container, the
 * node daemon in both node containers (kindlab/base, project mounted read-only at
 * /opt/kindlab), pods and services created with the real kubectl. Asserts what a user
 * sees: pod phases and IPs, pod-to-pod traffic across nodes, Service NAT, NodePort,
 * externalTrafficPolicy Local, pod deletion, node heartbeats, clean shutdown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hostVethName } from '../../src/cluster/node/podnet-plan.js';
import { inNode, inPod, TwoNodeCluster } from './node-daemon-helpers.js';

const c = new TwoNodeCluster();
const inCidr = (ip: string, cidr: string) => ip.startsWith(cidr.split('.').slice(0, 3).join('.') + '.');

const pod = (name: string, node: string, image: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name, ...labels } }, spec: { nodeName: node, containers: [{ name, image, ...(image.startsWith('nginx') ? { ports: [{ containerPort: 80 }] } : {}) }] } });
const svc = (name: string, selector: Record<string, string>, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector, ports: [{ port: 80, targetPort: 80 }], ...spec } });
const apply = async (...objs: unknown[]) => {
  const r = await c.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
  assert.equal(r.exitCode, 0, r.stderr);
};
type PodJ = { status: { phase: string; podIP?: string; hostIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ ready: boolean; state: Record<string, { reason?: string; message?: string }> }> } };
const ready = (p: PodJ) => p.status.phase === 'Running' && p.status.conditions?.find((x) => x.type === 'Ready')?.status === 'True';

describe('node daemon: pods, pod network and Service NAT on two Docker nodes', () => {
  const ips: Record<string, string> = {};
  before(async () => {
    await c.up();
    for (const n of [c.cp, c.worker]) n.podCIDR = (await c.json<{ spec: { podCIDR: string } }>('get', 'node', n.name)).spec.podCIDR;
    // Native routing between the nodes (what BGP would install): each node's pod CIDR via its node IP.
    await inNode(c.cp.name, `ip route replace ${c.worker.podCIDR} via ${c.worker.ip}`);
    await inNode(c.worker.name, `ip route replace ${c.cp.podCIDR} via ${c.cp.ip}`);
  });
  after(async () => {
    await c.down();
  });

  test('pods run with IPs from their node pod CIDR; nodes heartbeat with their InternalIP', async () => {
    await apply(pod('web-a', c.cp.name, 'nginx:1.25', { tier: 'web' }), pod('web-b', c.worker.name, 'nginx', { tier: 'web' }), pod('tool-a', c.cp.name, 'cr7258/nettool:v1'), pod('tool-b', c.worker.name, 'busybox:1.36'), svc('web', { tier: 'web' }));
    for (const [name, node] of [['web-a', c.cp], ['web-b', c.worker], ['tool-a', c.cp], ['tool-b', c.worker]] as const) {
      const p = await c.waitFor(`${name} Running and Ready`, async () => {
        const j = await c.json<PodJ>('get', 'pod', name);
        return ready(j) && j;
      });
      assert.ok(inCidr(p.status.podIP!, node.podCIDR!), `${name} ${p.status.podIP} in ${node.podCIDR}`);
      assert.equal(p.status.hostIP, node.ip);
      ips[name] = p.status.podIP!;
    }
    const n = await c.json<{ status: { conditions: Array<{ type: string; status: string; reason: string }>; addresses: Array<{ type: string; address: string }> } }>('get', 'node', c.worker.name);
    assert.equal(n.status.conditions.find((x) => x.type === 'Ready')?.reason, 'KubeletReady');
    assert.deepEqual(n.status.addresses.find((a) => a.type === 'InternalIP')?.address, c.worker.ip);
    const wide = await c.kubectl(['get', 'pods', '-o', 'wide']);
    assert.match(wide.stdout, new RegExp(`web-b\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${ips['web-b']!.replace(/\./g, '\\.')}\\s+${c.worker.name}`));
    // Bridge CNI shape in the node: netns, eth0 with the pod IP, default route via the bridge gateway.
    const route = await inNode(c.worker.name, 'ip -n pod-default-tool-b route show default');
    assert.match(route.stdout, new RegExp(`default via ${c.worker.podCIDR!.replace(/0\/24$/, '1')} dev eth0`));
    const br = await inNode(c.worker.name, 'ip -o link show master kl0');
    assert.equal(br.stdout.trim().split('\n').length, 2, 'two pod veths on the bridge');
  });

  test('pod to pod across nodes, routed natively (the source address is the pod IP)', async () => {
    await inPod(c.cp.name, 'tool-a', `ping -c 2 -W 2 ${ips['tool-b']}`);
    await inPod(c.worker.name, 'tool-b', `ping -c 1 -W 2 ${ips['web-a']}`);
    const r = await inPod(c.cp.name, 'tool-a', `curl -s --max-time 5 http://${ips['web-b']}/`);
    assert.match(r.stdout, /Welcome to nginx!/);
    const log = await inNode(c.worker.name, 'cat /var/lib/kindlab/node/pods/default_web-b_*/web-b/nginx/access.log');
    assert.match(log.stdout, new RegExp(`^${ips['tool-a']!.replace(/\./g, '\\.')} `, 'm'), 'no NAT between pods');
  });

  test('ClusterIP from a pod reaches nginx, balanced over both endpoints', async () => {
    const ip = (await c.kubectl(['get', 'svc', 'web', '-o', 'template', '--template={{.spec.clusterIP}}'])).stdout.trim();
    await c.waitFor('service rules with two endpoints', async () => (await inNode(c.cp.name, 'iptables-save -t nat')).stdout.match(/-j DNAT --to-destination/g)!.length >= 3);
    const out = await inPod(c.cp.name, 'tool-a', `for i in $(seq 1 24); do if curl -s --max-time 3 http://${ip}/ | grep -q "Welcome to nginx!"; then echo ok; else echo fail; fi; done`);
    assert.equal(out.stdout.trim().split('\n').filter((l) => l === 'ok').length, 24, out.stdout);
    for (const [node, p] of [[c.cp.name, 'web-a'], [c.worker.name, 'web-b']]) {
      const log = await inNode(node, `cat /var/lib/kindlab/node/pods/default_${p}_*/${p}/nginx/access.log`);
      assert.match(log.stdout, new RegExp(`^${ips['tool-a']!.replace(/\./g, '\\.')} `, 'm'), `${p} got some of the ClusterIP requests`);
    }
  });

  test('sessionAffinity ClientIP pins a client to one endpoint; externalIPs are served', async () => {
    await c.kubectl(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP","externalIPs":["192.168.3.180"]}}']);
    await c.waitFor('affinity rules', async () => (await inNode(c.cp.name, 'iptables-save -t nat')).stdout.includes('--rcheck --seconds 10800 --reap'));
    const ip = (await c.kubectl(['get', 'svc', 'web', '-o', 'template', '--template={{.spec.clusterIP}}'])).stdout.trim();
    const count = async (node: string, p: string) => Number((await inNode(node, `cat /var/lib/kindlab/node/pods/default_${p}_*/${p}/nginx/access.log | grep -c "^${ips['tool-b']} "`, false)).stdout.trim() || 0);
    const before = [await count(c.cp.name, 'web-a'), await count(c.worker.name, 'web-b')];
    const out = await inPod(c.worker.name, 'tool-b', `for i in $(seq 1 12); do curl -s --max-time 3 http://${ip}/ | grep -q "Welcome to nginx!" && echo ok; done`);
    assert.equal(out.stdout.trim().split('\n').length, 12);
    const delta = [(await count(c.cp.name, 'web-a')) - before[0]!, (await count(c.worker.name, 'web-b')) - before[1]!].sort();
    assert.deepEqual(delta, [0, 12], 'all requests of one client went to the same endpoint');
    const ext = await inNode(c.worker.name, 'curl -s --max-time 3 http://192.168.3.180/');
    assert.match(ext.stdout, /Welcome to nginx!/);
    await c.kubectl(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"None","externalIPs":null}}']);
  });

  test('NodePort from the other node; externalTrafficPolicy Local drops on the node without endpoints', async () => {
    const patch = await c.kubectl(['patch', 'svc', 'web', '-p', '{"spec":{"type":"NodePort"}}']);
    assert.equal(patch.exitCode, 0, patch.stderr);
    const np = (await c.json<{ spec: { ports: Array<{ nodePort: number }> } }>('get', 'svc', 'web')).spec.ports[0]!.nodePort;
    await c.waitFor('NodePort answering', async () => /Welcome to nginx!/.test((await inNode(c.worker.name, `curl -s --max-time 2 http://${c.cp.ip}:${np}/`, false)).stdout));

    await apply(svc('only-a', { app: 'web-a' }, { type: 'NodePort', externalTrafficPolicy: 'Local' }));
    const npa = (await c.json<{ spec: { ports: Array<{ nodePort: number }> } }>('get', 'svc', 'only-a')).spec.ports[0]!.nodePort;
    await c.waitFor('eTP Local NodePort on the node with the endpoint', async () => /Welcome to nginx!/.test((await inNode(c.worker.name, `curl -s --max-time 2 http://${c.cp.ip}:${npa}/`, false)).stdout));
    const log = await inNode(c.cp.name, 'cat /var/lib/kindlab/node/pods/default_web-a_*/web-a/nginx/access.log');
    assert.match(log.stdout, new RegExp(`^${c.worker.ip.replace(/\./g, '\\.')} `, 'm'), 'eTP Local keeps the client address');
    await c.waitFor('drop rule on the node without endpoints', async () => (await inNode(c.worker.name, 'iptables-save -t filter')).stdout.includes(`--dport ${npa} -m comment --comment "default/only-a: externalTrafficPolicy Local: no endpoint on this node" -j DROP`));
    const dropped = await inNode(c.cp.name, `curl -s --max-time 2 http://${c.worker.ip}:${npa}/`, false);
    assert.equal(dropped.exitCode, 28, `timed out (dropped), got exit ${dropped.exitCode}: ${dropped.stdout}`);
    // The same NodePort with eTP Cluster is served from the worker too (masqueraded to the remote endpoint).
    await c.kubectl(['patch', 'svc', 'only-a', '-p', '{"spec":{"externalTrafficPolicy":"Cluster"}}']);
    await c.waitFor('eTP Cluster NodePort on the worker', async () => /Welcome to nginx!/.test((await inNode(c.cp.name, `curl -s --max-time 2 http://${c.worker.ip}:${npa}/`, false)).stdout));
  });

  test('an image with no stand-in waits with ErrImageNeverPull', async () => {
    await apply(pod('redis', c.worker.name, 'redis:7'));
    const p = await c.waitFor('ErrImageNeverPull', async () => {
      const j = await c.json<PodJ>('get', 'pod', 'redis');
      return j.status.containerStatuses?.[0]?.state.waiting?.reason === 'ErrImageNeverPull' && j;
    });
    assert.equal(p.status.phase, 'Pending');
    assert.match(p.status.containerStatuses![0]!.state.waiting!.message!, /not present with pull policy of Never/);
    assert.match((await c.kubectl(['get', 'pod', 'redis'])).stdout, /ErrImageNeverPull/);
  });

  test('deleting a pod removes its netns, veth, workload and IP allocation', async () => {
    assert.match((await inNode(c.worker.name, 'ip netns list')).stdout, /pod-default-tool-b/);
    const del = await c.kubectl(['delete', 'pod', 'tool-b', '--wait=false']);
    assert.equal(del.exitCode, 0, del.stderr);
    await c.waitFor('netns removed', async () => !(await inNode(c.worker.name, 'ip netns list')).stdout.includes('pod-default-tool-b'));
    const links = (await inNode(c.worker.name, 'ip -o link show master kl0')).stdout;
    assert.ok(!links.includes(hostVethName('default', 'tool-b')), 'veth removed');
    assert.ok(links.includes(hostVethName('default', 'web-b')));
    assert.ok(!(await inNode(c.worker.name, 'cat /var/lib/kindlab/node/ipam.json')).stdout.includes(ips['tool-b']!), 'IP released');
    assert.equal((await inNode(c.worker.name, 'pgrep -f "^/usr/bin/sleep infinity"', false)).stdout.trim(), '', 'shell workload stopped');
  });

  test('SIGTERM with --cleanup-on-exit stops workloads and removes pod networks and rules', async () => {
    await inNode(c.worker.name, 'kill -TERM $(cat /run/kl-node.pid)');
    await c.waitFor('daemon exited', async () => (await inNode(c.worker.name, 'kill -0 $(cat /run/kl-node.pid)', false)).exitCode !== 0, 15_000);
    assert.match((await c.daemonLog(c.worker)).split('\n').filter(Boolean).at(-1)!, /"msg":"shutting down"|"msg":"container exited"/);
    // Default: pod networks and rules stay across a restart; the restarted daemon keeps the pod IP.
    assert.match((await inNode(c.worker.name, 'ip netns list')).stdout, /pod-default-web-b/);
    await c.startDaemon(c.worker, ['--cleanup-on-exit']);
    await c.waitFor('web-b served again after the restart', async () => /Welcome to nginx!/.test((await inNode(c.worker.name, `curl -s --max-time 2 http://${ips['web-b']}/`, false)).stdout));
    assert.equal((await c.json<PodJ>('get', 'pod', 'web-b')).status.podIP, ips['web-b']);
    await inNode(c.worker.name, 'kill -TERM $(cat /run/kl-node.pid)');
    await c.waitFor('daemon exited with cleanup', async () => (await inNode(c.worker.name, 'kill -0 $(cat /run/kl-node.pid)', false)).exitCode !== 0, 15_000);
    assert.equal((await inNode(c.worker.name, 'ip netns list')).stdout.trim(), '');
    assert.doesNotMatch((await inNode(c.worker.name, 'iptables-save')).stdout, /KINDLAB/);
    assert.equal((await inNode(c.worker.name, 'pgrep nginx', false)).stdout.trim(), '');
  });
});
