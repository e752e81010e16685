import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabPlan, NodePlan } from '../topology/types.js';
import { containerOptions, mgmtNetworkOptions } from './container-spec.js';

function node(name: string, over: Partial<NodePlan> = {}): NodePlan {
  return {
    name, kind: 'linux', image: 'frrouting/frr:v8.2.2', exec: [], binds: [], env: {}, labels: {},
    networkMode: { type: 'bridge' }, ports: [], sysctls: {}, capAdd: [], waitFor: [], extra: {},
    pos: { file: 't', line: 1, col: 1 }, containerName: `clab-demo-${name}`, dependsOn: [], netnsOwner: name, ...over,
  };
}

function plan(nodes: NodePlan[], external = false): LabPlan {
  return {
    name: 'demo', prefix: 'clab', file: '/x/topo.yaml', dir: '/x', labDir: '/x/lab-demo',
    mgmt: { network: 'clab', ipv4Subnet: '172.20.20.0/24', external }, nodes, links: [], waves: [nodes.map((n) => n.name)], sections: {},
  };
}

test('a bridge-mode node: caps, sysctls, labels, hostname, static mgmt IP, no privileged', () => {
  const n = node('router0', { mgmtIPv4: '172.20.20.5', labels: { app: 'frr' }, capAdd: ['SYS_PTRACE'], sysctls: { 'net.ipv4.conf.all.rp_filter': '0' } });
  const o = containerOptions(plan([n]), n, 'kindlab/base:latest');
  assert.equal(o.name, 'clab-demo-router0');
  assert.equal(o.Image, 'kindlab/base:latest');
  assert.equal(o.Hostname, 'router0');
  assert.equal(o.HostConfig?.Privileged, undefined);
  assert.deepEqual(o.HostConfig?.CapAdd, ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_PTRACE']);
  assert.equal(o.HostConfig?.Sysctls?.['net.ipv4.ip_forward'], '1');
  assert.equal(o.HostConfig?.Sysctls?.['net.ipv6.conf.all.disable_ipv6'], '0');
  assert.equal(o.HostConfig?.Sysctls?.['net.ipv4.conf.all.rp_filter'], '0');
  assert.equal(o.HostConfig?.NetworkMode, 'clab');
  assert.deepEqual(o.Labels, { app: 'frr', 'kindlab.lab': 'demo', 'kindlab.labdir': '/x/lab-demo', 'kindlab.topo': '/x/topo.yaml', 'kindlab.node': 'router0', 'kindlab.kind': 'linux' });
  assert.equal(o.NetworkingConfig?.EndpointsConfig?.['clab']?.IPAMConfig?.IPv4Address, '172.20.20.5');
  assert.deepEqual(o.HostConfig?.ExtraHosts, ['router0:172.20.20.5']);
});

test('cmd: bash gets a TTY and stdin so the shell keeps running (containerlab semantics)', () => {
  const n = node('tor0', { cmd: ['bash'] });
  const o = containerOptions(plan([n]), n, 'img');
  assert.equal(o.Tty, true);
  assert.equal(o.OpenStdin, true);
  assert.deepEqual(o.Cmd, ['bash']);
  const m = node('x');
  assert.equal(containerOptions(plan([m]), m, 'img').Tty, false);
  // any cmd of the node's own gets them too, as every containerlab container: `sh -c "x & sh"` stays up
  const s = node('s', { cmd: ['sh', '-c', 'date > /tmp/time & sh'] });
  assert.deepEqual([containerOptions(plan([s]), s, 'img').Tty, containerOptions(plan([s]), s, 'img').OpenStdin], [true, true]);
});

test('network-mode container:<node> uses the container name, drops net.* sysctls and hostname', () => {
  const cp = node('control-plane');
  const s = node('server0', { networkMode: { type: 'container', node: 'control-plane' }, netnsOwner: 'control-plane', sysctls: { 'kernel.msgmax': '1' } });
  const o = containerOptions(plan([cp, s]), s, 'img');
  assert.equal(o.HostConfig?.NetworkMode, 'container:clab-demo-control-plane');
  assert.equal(o.Hostname, undefined);
  assert.equal(o.NetworkingConfig, undefined);
  assert.deepEqual(o.HostConfig?.Sysctls, { 'kernel.msgmax': '1' });
});

test('network-mode container:<existing container>, host and none', () => {
  const a = node('a', { networkMode: { type: 'container', container: 'somebody' } });
  const h = node('h', { networkMode: { type: 'host' } });
  const z = node('z', { networkMode: { type: 'none' } });
  const p = plan([a, h, z]);
  assert.equal(containerOptions(p, a, 'i').HostConfig?.NetworkMode, 'container:somebody');
  assert.equal(containerOptions(p, h, 'i').HostConfig?.NetworkMode, 'host');
  assert.equal(containerOptions(p, h, 'i').HostConfig?.Sysctls?.['net.ipv4.ip_forward'], undefined);
  assert.equal(containerOptions(p, z, 'i').HostConfig?.NetworkMode, 'none');
  assert.equal(containerOptions(p, z, 'i').HostConfig?.Sysctls?.['net.ipv4.ip_forward'], '1');
});

test('ports, env and binds', () => {
  const n = node('web', {
    env: { A: '1' },
    binds: [{ source: '/h/conf', target: '/etc/x', readOnly: true }],
    ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
  });
  const o = containerOptions(plan([n]), n, 'i');
  assert.deepEqual(o.Env, ['A=1']);
  assert.deepEqual(o.HostConfig?.Binds, ['/h/conf:/etc/x:ro']);
  assert.deepEqual(o.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(o.ExposedPorts, { '80/tcp': {} });
});

test('the management network is internal unless mgmt.external', () => {
  const n = node('a');
  const o = mgmtNetworkOptions(plan([n]));
  assert.equal(o.Internal, true);
  assert.deepEqual(o.IPAM?.Config, [{ Subnet: '172.20.20.0/24' }]);
  assert.equal(o.Labels?.['kindlab.lab'], 'demo');
  assert.equal(mgmtNetworkOptions(plan([n], true)).Internal, false);
  // containerlab's ipv4-range is Docker's --ip-range
  const ranged = plan([n]);
  ranged.mgmt.ipv4Range = '172.20.20.128/25';
  assert.deepEqual(mgmtNetworkOptions(ranged).IPAM?.Config, [{ Subnet: '172.20.20.0/24', IPRange: '172.20.20.128/25' }]);
});

test('containerlab node keys: healthcheck in nanoseconds, dns, aliases, cgroup parent and limits as containerlab sets them', () => {
  const n = node('web', {
    healthcheck: { test: ['CMD-SHELL', 'true'], intervalS: 1, timeoutS: 2, retries: 3, startPeriodS: 4 },
    dns: { servers: ['8.8.8.8'], search: ['lab.example'], options: ['rotate'] },
    aliases: ['web.lab.example'],
    cgroupParent: 'labs.slice',
    resources: { memoryBytes: 1e9, cpus: 1.5, cpuSet: '0-1', shmBytes: 64e6 },
  });
  const o = containerOptions(plan([n]), n, 'img');
  assert.deepEqual(o.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 2e9, Retries: 3, StartPeriod: 4e9 });
  assert.deepEqual([o.HostConfig?.Dns, o.HostConfig?.DnsSearch, o.HostConfig?.DnsOptions], [['8.8.8.8'], ['lab.example'], ['rotate']]);
  assert.deepEqual(o.NetworkingConfig?.EndpointsConfig?.['clab']?.Aliases, ['web', 'web.lab.example']);
  assert.equal(o.HostConfig?.CgroupParent, 'labs.slice');
  assert.deepEqual([o.HostConfig?.Memory, o.HostConfig?.CpuQuota, o.HostConfig?.CpuPeriod, o.HostConfig?.CpusetCpus, o.HostConfig?.ShmSize], [1e9, 150000, 100000, '0-1', 64e6]);
  const plain = containerOptions(plan([node('x')]), node('x'), 'img');
  assert.equal(plain.Healthcheck, undefined);
  assert.equal(plain.HostConfig?.Memory, undefined);
  assert.equal(plain.HostConfig?.Dns, undefined);
});
