/**
 * containerlab's node keys on real Docker, with our own small topologies of kindlab/base nodes,
 * deployed and destroyed through the CLI as a user would:
 * - healthcheck reaching healthy, and a node whose create stage waits for another's healthy;
 * - stages: on-enter/on-exit commands (on the host and in containers) whose markers prove the
 *   order across two nodes;
 * - dns in /etc/resolv.conf, a network alias, a memory limit, env-files in the environment;
 * - a node certificate verifying against the lab CA (openssl verify);
 * - kind host: a link whose end lands in the host netns, and an exec line run on the host;
 * - entrypoint, user, cpu/cpu-set, ports and cgroup-parent as Docker sees them; mgmt ipv4-range;
 *   settings (the CA key size); a kinds: entry no node uses; a bridge in another container's netns;
 * - destroy leaves nothing.
 * Run under `flock /tmp/kindlab-docker.lock`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';
import { uniqueLabName, uniqueSubnet, writeLabFile } from './plan-helpers.js';

const IMAGE = 'kindlab/base';

async function inspect(container: string, format: string): Promise<string> {
  return (await execa('docker', ['inspect', container, '--format', format])).stdout.trim();
}

async function inContainer(container: string, ...argv: string[]): Promise<string> {
  return (await execa('docker', ['exec', container, ...argv])).stdout;
}

describe('containerlab node keys on real Docker', () => {
  const name = uniqueLabName('kl-clab');
  const hostIf = `kl${process.pid.toString(36).slice(-4)}${Date.now().toString(36).slice(-4)}`;
  let dir = '';
  let file = '';
  let order = '';
  const c = (node: string) => `clab-${name}-${node}`;
  const cgroup = `kl-clab-cg-${process.pid}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindlab-clab-'));
    file = join(dir, 'topo.clab.yml');
    order = join(dir, 'order.log');
    await writeFile(join(dir, 'vars.env'), '# from env-files\nFROM_FILE=yes\nexport GREETING="hello lab"\nOVERRIDDEN=file\n');
    const mark = (what: string) => `sh -c "echo ${what} >> ${order}"`;
    await writeFile(file, [
      `name: ${name}`,
      // containerlab's ipv4-range: dynamic management addresses come from the upper half only
      `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)}, ipv4-range: ${uniqueSubnet(name).replace(/0\/24$/, '128/25')} }`,
      // top-level settings: the lab CA's key size
      'settings: { certificate-authority: { key-size: 3072 } }',
      'topology:',
      // a kinds: entry for a kind no node uses (a vendor NOS) is ignored, as in containerlab
      '  kinds: { srl: { image: ghcr.io/nokia/srlinux } }',
      '  defaults:',
      `    image: ${IMAGE}`,
      '    kind: linux',
      '  nodes:',
      '    web:',
      // healthy only once the file exists, a moment after start
      '      cmd: sh -c "sleep 2; touch /tmp/ready; exec sleep infinity"',
      '      healthcheck:',
      '        test: [CMD-SHELL, "test -f /tmp/ready"]',
      '        interval: 1',
      '        retries: 30',
      '      memory: 256MiB',
      '      aliases: [web.lab.example]',
      '      certificate: { issue: true, sans: [web.example.test] }',
      '      stages:',
      '        create-links:',
      '          exec:',
      `            - { command: '${mark('web-create-links-exit')}', phase: on-exit, target: host }`,
      '        healthy:',
      '          exec:',
      `            - { command: '${mark('web-healthy-exit')}', phase: on-exit, target: host }`,
      '        configure:',
      // the map form: commands in the container
      `          exec: { on-enter: ["sh -c 'date > /tmp/configured'"] }`,
      '    client:',
      '      env-files: [vars.env]',
      '      env: { OVERRIDDEN: env }',
      '      dns: { servers: [192.0.2.53], search: [lab.example], options: ["ndots:2"] }',
      '      stages:',
      '        create:',
      '          wait-for: [{ node: web, stage: healthy }]',
      '          exec:',
      `            - { command: '${mark('client-create-enter')}', phase: on-enter, target: host }`,
      '        configure:',
      '          wait-for: [{ node: web, stage: create-links }]',
      '          exec:',
      `            - { command: '${mark('client-configure-enter')}', phase: on-enter, target: host }`,
      '            - { command: "sh -c \'ip -o link show eth1 > /tmp/configure-saw-eth1\'", phase: on-enter }',
      // containerlab's privileged nodes may write net.* sysctls from exec lines; ours too (issue 11)
      '            - { command: "sysctl net.ipv4.conf.all.rp_filter=2", phase: on-enter }',
      // entrypoint, user, cpu limits, ports and cgroup-parent as containerlab hands them to Docker
    '    opts:',
      `      entrypoint: sh -c "id -un > /tmp/whoami; exec sleep infinity"`,
      '      user: nobody',
      '      cpu: 0.5',
      '      cpu-set: "0"',
      `      ports: ["127.0.0.1:${20000 + (process.pid % 10000)}:8080", "9090/udp"]`,
      `      cgroup-parent: ${cgroup}`,
      // a bridge living in another container's network namespace (containerlab's kind: bridge + network-mode)
    '    swhost: {}',
      '    sw: { kind: bridge, network-mode: "container:swhost" }',
      '    h:',
      '      kind: host',
      `      exec: ["ip link show dev ${hostIf}"]`,
      '  links:',
      '    - endpoints: ["web:eth1", "client:eth1"]',
      `    - endpoints: ["client:eth2", "h:${hostIf}"]`,
      '    - endpoints: ["web:eth3", "sw:p1"]',
      '      ipv4: [192.168.210.1/24, ""]',
      '    - endpoints: ["client:eth3", "sw:p2"]',
      '      ipv4: [192.168.210.2/24, ""]',
    ].join('\n') + '\n');
  });
  after(async () => {
    await forceDestroy(name);
    await execa('ip', ['link', 'del', hostIf], { reject: false });
    // Docker leaves the parent cgroup it made for cgroup-parent
    await execa('sh', ['-c', `rmdir /sys/fs/cgroup/*/${cgroup} /sys/fs/cgroup/${cgroup} 2>/dev/null; true`], { reject: false });
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys', async () => {
    const r = await lab(['deploy', '-t', file]);
    assert.equal(r.exitCode, 0, `deploy failed:\n${r.stdout}\n${r.stderr}`);
  });

  it('the healthcheck reaches healthy, and the node waiting for it was created after', async () => {
    assert.equal(await inspect(c('web'), '{{.State.Health.Status}}'), 'healthy');
    assert.equal(await inspect(c('web'), '{{json .Config.Healthcheck.Test}}'), '["CMD-SHELL","test -f /tmp/ready"]');
    const log = (await readFile(order, 'utf8')).trim().split('\n');
    // client's create stage is entered only once web's healthy stage is done
    assert.ok(log.indexOf('web-healthy-exit') >= 0 && log.indexOf('web-healthy-exit') < log.indexOf('client-create-enter'), log.join(', '));
  });

  it('stages run in order across the two nodes', async () => {
    const log = (await readFile(order, 'utf8')).trim().split('\n');
    assert.deepEqual([...log].sort(), ['client-configure-enter', 'client-create-enter', 'web-create-links-exit', 'web-healthy-exit']);
    // client configures only after web's links are done
    assert.ok(log.indexOf('web-create-links-exit') < log.indexOf('client-configure-enter'), log.join(', '));
    // a container command at configure on-enter sees the link made in create-links
    assert.match(await inContainer(c('client'), 'cat', '/tmp/configure-saw-eth1'), /eth1/);
    assert.notEqual((await inContainer(c('web'), 'cat', '/tmp/configured')).trim(), '');
  });

  it('dns options are in /etc/resolv.conf and the servers in the container config; the alias resolves', async () => {
    const resolv = await inContainer(c('client'), 'cat', '/etc/resolv.conf');
    assert.match(resolv, /^search lab\.example$/m);
    assert.match(resolv, /^options .*ndots:2/m);
    assert.equal(await inspect(c('client'), '{{json .HostConfig.Dns}}'), '["192.0.2.53"]');
    assert.match(await inContainer(c('client'), 'getent', 'hosts', 'web.lab.example'), /^\d+\.\d+\.\d+\.\d+\s+web\.lab\.example/);
  });

  it('an exec line wrote a net.* sysctl of the node\'s netns; the host\'s is untouched and non-net sysctls stay locked', async () => {
    assert.equal((await inContainer(c('client'), 'cat', '/proc/sys/net/ipv4/conf/all/rp_filter')).trim(), '2');
    assert.notEqual((await readFile('/proc/sys/net/ipv4/conf/all/rp_filter', 'utf8')).trim(), '2');
    const locked = await execa('docker', ['exec', c('client'), 'sysctl', '-w', 'vm.swappiness=7'], { reject: false });
    assert.notEqual(locked.exitCode, 0, 'vm.swappiness must stay read-only in a node');
    assert.notEqual((await readFile('/proc/sys/vm/swappiness', 'utf8')).trim(), '7');
  });

  it('entrypoint, user, cpu limits, ports and cgroup-parent reach Docker; the entrypoint ran as the user', async () => {
    assert.equal(await inspect(c('opts'), '{{json .Config.Entrypoint}}'), '["sh","-c","id -un > /tmp/whoami; exec sleep infinity"]');
    assert.equal(await inspect(c('opts'), '{{.Config.User}}'), 'nobody');
    assert.equal((await inContainer(c('opts'), 'cat', '/tmp/whoami')).trim(), 'nobody');
    assert.deepEqual(
      [await inspect(c('opts'), '{{.HostConfig.CpuQuota}}'), await inspect(c('opts'), '{{.HostConfig.CpuPeriod}}'), await inspect(c('opts'), '{{.HostConfig.CpusetCpus}}')],
      ['50000', '100000', '0'],
    );
    assert.equal(await inspect(c('opts'), '{{.HostConfig.CgroupParent}}'), cgroup);
    const bindings = JSON.parse(await inspect(c('opts'), '{{json .HostConfig.PortBindings}}')) as Record<string, Array<{ HostIp: string; HostPort: string }>>;
    assert.deepEqual(Object.keys(bindings).sort(), ['8080/tcp', '9090/udp']);
    assert.deepEqual(bindings['8080/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(20000 + (process.pid % 10000)) }]);
  });

  it('mgmt ipv4-range: a node without mgmt-ipv4 gets an address from the range; settings set the lab CA\'s key size', async () => {
    const ip = await inspect(c('client'), '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
    assert.ok(Number(ip.split('.')[3]) >= 128, `client's management address ${ip} is outside ipv4-range`);
    const ca = join(dir, `lab-${name}`, '.tls', 'ca', 'ca.pem');
    const text = (await execa('openssl', ['x509', '-in', ca, '-noout', '-text'])).stdout;
    assert.match(text, /Public-Key: \(3072 bit\)/);
  });

  it('a bridge in another container\'s netns: its ports are there and it switches web to client', async () => {
    assert.match(await inContainer(c('swhost'), 'ip', '-o', 'link', 'show', 'master', 'br0'), /p1@[\s\S]*p2@/);
    await until('web → client over the bridge', async () => {
      const r = await execa('docker', ['exec', c('web'), 'ping', '-c', '1', '-W', '2', '192.168.210.2'], { reject: false });
      return r.exitCode === 0 ? true : undefined;
    }, 20_000, 500);
  });

  it('the memory limit is set', async () => {
    assert.equal(await inspect(c('web'), '{{.HostConfig.Memory}}'), String(256 * 1024 * 1024));
  });

  it('env-files variables are in the container environment; env wins', async () => {
    const env = (await inContainer(c('client'), 'env')).split('\n');
    assert.ok(env.includes('FROM_FILE=yes'), env.join(', '));
    assert.ok(env.includes('GREETING=hello lab'), env.join(', '));
    assert.ok(env.includes('OVERRIDDEN=env'), env.join(', '));
  });

  it('the node certificate and key are in the lab directory and verify against the lab CA', async () => {
    const tls = join(dir, `lab-${name}`, '.tls');
    const ca = join(tls, 'ca', 'ca.pem');
    const cert = join(tls, 'web', 'web.pem');
    assert.ok(existsSync(join(tls, 'web', 'web.key')));
    const v = await execa('openssl', ['verify', '-CAfile', ca, cert], { reject: false });
    assert.equal(v.exitCode, 0, v.stderr);
    assert.match(v.stdout, /: OK$/);
    const text = (await execa('openssl', ['x509', '-in', cert, '-noout', '-text'])).stdout;
    assert.match(text, new RegExp(`DNS:web\\.${name}\\.io`));
    assert.match(text, /DNS:web\.example\.test/);
    assert.match(text, /IP Address:\d+\.\d+\.\d+\.\d+/);
    // the key matches the certificate
    const pub = async (args: string[]) => (await execa('openssl', args)).stdout;
    assert.equal(await pub(['x509', '-in', cert, '-noout', '-pubkey']), await pub(['pkey', '-in', join(tls, 'web', 'web.key'), '-pubout']));
    assert.equal(existsSync(join(tls, 'client')), false);
  });

  it('a link to the host kind ends in the host netns; nothing else of the host is touched', async () => {
    const l = await execa('ip', ['-o', 'link', 'show', 'dev', hostIf], { reject: false });
    assert.equal(l.exitCode, 0, `host end ${hostIf} missing: ${l.stderr}`);
    assert.match(await inContainer(c('client'), 'ip', '-o', 'link', 'show', 'eth2'), /eth2/);
    assert.equal(await execa('docker', ['ps', '-a', '--filter', `name=^h$`, '--format', '{{.Names}}']).then((r) => r.stdout.trim()), '');
  });

  it('destroy leaves nothing: containers, network, links (the host end too), lab directory', async () => {
    const r = await lab(['destroy', '-t', file, '--cleanup']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await leftovers(name), NOTHING);
    assert.equal((await execa('ip', ['link', 'show', 'dev', hostIf], { reject: false })).exitCode !== 0, true);
    assert.equal(existsSync(join(dir, `lab-${name}`)), false);
  });
});

describe('a node waited for that turns unhealthy', () => {
  const name = uniqueLabName('kl-unh');
  let dir = '';
  after(async () => {
    await forceDestroy(name);
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the deploy naming the node and the probe output, and leaves nothing', async () => {
    const written = await writeLabFile(name, [
      'topology:',
      '  defaults: { kind: linux, image: kindlab/base }',
      '  nodes:',
      '    sick:',
      '      healthcheck: { test: [CMD-SHELL, "echo probe-says-no; exit 1"], interval: 1, retries: 1 }',
      '    waiter:',
      '      stages:',
      '        create:',
      '          wait-for: [{ node: sick, stage: healthy }]',
    ], 'topo.clab.yml');
    dir = written.dir;
    const file = written.file;
    const r = await lab(['deploy', '-t', file]);
    assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /sick: Docker reports the container unhealthy/);
    assert.match(r.stderr, /probe-says-no/);
    assert.deepEqual(await leftovers(name), NOTHING);
  });
});

describe('the exit stage', () => {
  const name = uniqueLabName('kl-exit');
  let dir = '';
  after(async () => {
    await forceDestroy(name);
    await rm(dir, { recursive: true, force: true });
  });

  it('a node waiting for another\'s exit is created once that container has stopped', async () => {
    const written = await writeLabFile(name, [
      'topology:',
      '  defaults: { kind: linux, image: kindlab/base }',
      '  nodes:',
      '    job:',
      '      cmd: sh -c "sleep 1; exit 0"',
      '    after:',
      '      stages:',
      '        create:',
      '          wait-for: [{ node: job, stage: exit }]',
    ], 'topo.clab.yml');
    dir = written.dir;
    const file = written.file;
    const r = await lab(['deploy', '-t', file]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const finished = Date.parse(await inspect(`clab-${name}-job`, '{{.State.FinishedAt}}'));
    const started = Date.parse(await inspect(`clab-${name}-after`, '{{.Created}}'));
    assert.equal(await inspect(`clab-${name}-job`, '{{.State.Status}}'), 'exited');
    assert.ok(started >= finished, `after created ${new Date(started).toISOString()}, job finished ${new Date(finished).toISOString()}`);
    const d = await lab(['destroy', '-t', file, '--cleanup']);
    assert.equal(d.exitCode, 0, d.stderr);
    assert.deepEqual(await leftovers(name), NOTHING);
  });
});
