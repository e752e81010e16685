import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TopologyError, formatIssue } from '../errors.js';
import { loadPlan, loadTopology, parseTopology } from './index.js';
import { parseBytes, parseEnvFile } from './parse-values.js';
import { planLab } from './plan.js';
import { dependencyEdges, linkEndWaits } from './plan-graph.js';
import { stageOf, type NodeSpec, type TopologySpec } from './types.js';

const node = (t: TopologySpec, name: string): NodeSpec => t.nodes.find((n) => n.name === name)!;
const parse = (text: string): TopologySpec => parseTopology(text, { file: 'topo.yaml', env: {} });

function problems(text: string, plan = false): string[] {
  try {
    const t = parse(text);
    if (plan) planLab(t);
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map(formatIssue);
    throw e;
  }
  assert.fail('expected the topology to be rejected');
}

const head = 'name: x\ntopology:\n';
const two = `${head}  nodes:\n    a: {kind: linux, image: i}\n    b:\n      kind: linux\n      image: i\n`;

describe('healthcheck', () => {
  it('maps containerlab\'s keys (seconds) and inherits the most specific whole object', () => {
    const t = parse(`${head}  defaults:\n    healthcheck: {test: [CMD, "true"], interval: 9}\n  kinds:\n    linux:\n      healthcheck: {test: [CMD-SHELL, "cat /etc/os-release"], start-period: 3, interval: 1, timeout: 2, retries: 5}\n  nodes:\n    a: {kind: linux, image: i}\n    b: {kind: linux, image: i, healthcheck: {test: [NONE]}}\n    c: {kind: bridge}\n`);
    assert.deepEqual(node(t, 'a').healthcheck, { test: ['CMD-SHELL', 'cat /etc/os-release'], intervalS: 1, timeoutS: 2, retries: 5, startPeriodS: 3 });
    assert.deepEqual(node(t, 'b').healthcheck, { test: ['NONE'] });
    assert.deepEqual(node(t, 'c').healthcheck, { test: ['CMD', 'true'], intervalS: 9 });
  });
  it('refuses a test Docker cannot run, and non-integer seconds, with their positions', () => {
    assert.deepEqual(problems(`${two}      healthcheck: {test: [SHELL, "x"]}\n`), [
      'topo.yaml:8:28 topology.nodes.b.healthcheck.test[0]: healthcheck test starts with "SHELL": use CMD (argv follows), CMD-SHELL (one shell command follows) or NONE',
    ]);
    assert.match(problems(`${two}      healthcheck: {test: [CMD-SHELL]}\n`)[0]!, /^topo.yaml:8:\d+ .*needs a non-empty command/);
    assert.match(problems(`${two}      healthcheck:\n        interval: 1.5\n`)[0]!, /^topo.yaml:9:\d+ topology.nodes.b.healthcheck.interval: /);
    assert.match(problems(`${two}      healthcheck:\n        retries: -1\n`)[0]!, /^topo.yaml:9:\d+ topology.nodes.b.healthcheck.retries/);
  });
});

describe('stages', () => {
  it('accepts both exec forms, defaults the wait-for stage to create, appends across layers', () => {
    const t = parse(`${head}  defaults:\n    stages:\n      create-links:\n        exec: {on-enter: ["echo d"]}\n  groups:\n    g:\n      stages:\n        create:\n          wait-for: [{node: b, stage: healthy}]\n  nodes:\n    a:\n      kind: linux\n      image: i\n      group: g\n      stages:\n        create:\n          wait-for: [{node: b, stage: healthy}, {node: c}]\n        create-links:\n          exec:\n            - {command: "touch /x", phase: on-exit}\n            - {command: "echo host", phase: on-enter, target: host}\n    b: {kind: linux, image: i, healthcheck: {test: [CMD, "true"]}}\n    c: {kind: linux, image: i}\n`);
    const a = node(t, 'a');
    assert.deepEqual(stageOf(a, 'create').waitFor.map((w) => `${w.node}/${w.stage}@${w.pos.line}`), ['b/healthy@11', 'c/create@19']);
    assert.deepEqual(stageOf(a, 'create-links').onEnter.map((e) => `${e.command}|${e.target}`), ['echo d|container', 'echo host|host']);
    assert.deepEqual(stageOf(a, 'create-links').onExit.map((e) => e.command), ['touch /x']);
    assert.deepEqual(stageOf(node(t, 'c'), 'create-links').onEnter.map((e) => e.command), ['echo d']);
  });
  it('refuses unknown nodes, stages and phases and self-waits; healthy of a node without a healthcheck key is accepted', () => {
    assert.deepEqual(problems(`${two}      stages:\n        create:\n          wait-for: [{node: zz}]\n`), ['topo.yaml:10:29 topology.nodes.b.stages.create.wait-for[0].node: wait-for: node "zz" is not defined (nodes: a, b)']);
    assert.match(problems(`${two}      stages:\n        create:\n          wait-for: [{node: a, stage: ready}]\n`)[0]!, /^topo.yaml:10:\d+ .*stage is one of: create, create-links, configure, healthy, exit/);
    assert.match(problems(`${two}      stages:\n        boot: {}\n`)[0]!, /^topo.yaml:9:9 .*boot/);
    assert.match(problems(`${two}      stages:\n        exit:\n          exec: [{command: x, phase: later}]\n`)[0]!, /^topo.yaml:10:38 topology.nodes.b.stages.exit.exec\[0\].phase: must be one of: on-enter, on-exit/);
    assert.deepEqual(problems(`${two}      stages:\n        configure:\n          wait-for: [{node: b}]\n`), ['topo.yaml:10:29 topology.nodes.b.stages.configure.wait-for[0].node: node "b" cannot wait for itself']);
    // the image may declare the healthcheck: accepted here, checked on the container at deploy
    parse(`${two}      stages:\n        create:\n          wait-for: [{node: a, stage: healthy}]\n`);
  });
  it('refuses waits that can never all be met, naming each wait on the cycle', () => {
    const got = problems(`${head}  nodes:\n    a:\n      kind: linux\n      image: i\n      stages:\n        create:\n          wait-for: [{node: b, stage: configure}]\n    b:\n      kind: linux\n      image: i\n      stages:\n        create:\n          wait-for: [{node: a, stage: create-links}]\n`, true);
    assert.deepEqual(got, [
      'topo.yaml:9:29 topology.nodes.a.stages.create.wait-for[0]: stage dependency cycle (a create waits for b configure → b create waits for a create-links): these waits can never all be met',
      'topo.yaml:15:29 topology.nodes.b.stages.create.wait-for[0]: stage dependency cycle (a create waits for b configure → b create waits for a create-links): these waits can never all be met',
    ]);
  });
  it('a link end waits for its peer in create-links unless the peer only gets there after this node\'s stage', () => {
    const t = parse(`${head}  nodes:\n    a:\n      kind: linux\n      image: i\n      stages:\n        create:\n          wait-for: [{node: b, stage: configure}]\n    b: {kind: linux, image: i}\n    c: {kind: linux, image: i}\n  links:\n    - endpoints: ["a:eth1", "b:eth1"]\n    - endpoints: ["b:eth2", "c:eth1"]\n`);
    planLab(t); // no cycle: b's link to a is made when a arrives
    assert.deepEqual([...linkEndWaits(t.nodes, t.links, dependencyEdges(t.nodes))].sort(), ['0:a', '1:b', '1:c']);
  });
});

describe('dns, aliases, cgroup-parent', () => {
  it('converts and inherits (dns whole object, aliases most specific)', () => {
    const t = parse(`${head}  defaults:\n    dns: {servers: [9.9.9.9]}\n    cgroup-parent: labs.slice\n  groups:\n    g:\n      dns: {servers: [8.8.8.8, "2001:db8::53"], search: [my.domain], options: [rotate, "ndots:2"]}\n  nodes:\n    a: {kind: linux, image: i, group: g, aliases: [a.lab.example]}\n    b: {kind: linux, image: i, cgroup-parent: other.slice}\n`);
    assert.deepEqual(node(t, 'a').dns, { servers: ['8.8.8.8', '2001:db8::53'], search: ['my.domain'], options: ['rotate', 'ndots:2'] });
    assert.deepEqual(node(t, 'b').dns, { servers: ['9.9.9.9'], search: [], options: [] });
    assert.deepEqual(node(t, 'a').aliases, ['a.lab.example']);
    assert.equal(node(t, 'a').cgroupParent, 'labs.slice');
    assert.equal(node(t, 'b').cgroupParent, 'other.slice');
  });
  it('refuses bad servers, domains, options and aliases at their position', () => {
    assert.deepEqual(problems(`${two}      dns: {servers: [dns.google], search: ["bad domain"], options: ["a b"]}\n      aliases: ["-x"]\n`), [
      'topo.yaml:8:23 topology.nodes.b.dns.servers[0]: DNS server "dns.google" is not an IP address',
      'topo.yaml:8:45 topology.nodes.b.dns.search[0]: DNS search domain "bad domain" is not a domain name',
      'topo.yaml:8:70 topology.nodes.b.dns.options[0]: DNS option "a b" must be one word such as ndots:2 or rotate',
      'topo.yaml:9:17 topology.nodes.b.aliases[0]: alias "-x" is not a host name (letters, digits, \'-\', \'_\', \'.\')',
    ]);
    assert.match(problems(`${two}      cgroup-parent: ""\n`)[0]!, /^topo.yaml:8:\d+ topology.nodes.b.cgroup-parent/);
  });
});

describe('resources: memory, cpu, cpu-set, shm-size', () => {
  it('parses sizes as containerlab (go-humanize: G = 10^9, GiB = 2^30) and inherits', () => {
    const t = parse(`${head}  kinds:\n    linux: {memory: 1G, cpu: 1.5}\n  nodes:\n    a: {kind: linux, image: i}\n    b: {kind: linux, image: i, memory: 256MiB, cpu-set: "0-1,3", shm-size: 64MB}\n`);
    assert.deepEqual(node(t, 'a').resources, { memoryBytes: 1e9, cpus: 1.5 });
    assert.deepEqual(node(t, 'b').resources, { memoryBytes: 256 * 2 ** 20, cpus: 1.5, cpuSet: '0-1,3', shmBytes: 64e6 });
    assert.equal(parseBytes('2 gib'), 2 ** 31);
    assert.equal(parseBytes('512'), 512);
    assert.equal(parseBytes('1.5x'), undefined);
  });
  it('refuses sizes, too little memory, tiny cpu and bad cpu lists at their position', () => {
    assert.match(problems(`${two}      memory: lots\n`)[0]!, /^topo.yaml:8:15 topology.nodes.b.memory: a size such as 512MB, 1GB or 2GiB \(got "lots"\)/);
    assert.deepEqual(problems(`${two}      memory: 1MB\n`), ['topo.yaml:8:15 topology.nodes.b.memory: memory "1MB" is too small (Docker needs at least 6MB)']);
    assert.deepEqual(problems(`${two}      cpu: 0.001\n`), ['topo.yaml:8:12 topology.nodes.b.cpu: cpu 0.001 is below 0.01 (a CFS quota under 1 ms)']);
    assert.match(problems(`${two}      cpu-set: "all"\n`)[0]!, /^topo.yaml:8:16 topology.nodes.b.cpu-set: cpu-set is a list of CPUs/);
  });
});

describe('certificate and settings.certificate-authority', () => {
  it('issues when asked, merging fields across layers; a CA exists only when needed', () => {
    const t = parse(`${head}  defaults:\n    certificate: {key-size: 4096}\n  kinds:\n    linux:\n      certificate: {issue: true, validity-duration: 48h}\n  nodes:\n    a: {kind: linux, image: i, certificate: {sans: [a.example, 10.0.0.1]}}\n    b: {kind: linux, image: i, certificate: {issue: false}}\n`);
    assert.deepEqual(node(t, 'a').certificate, { keySize: 4096, validityMs: 48 * 3600_000, sans: ['a.example', '10.0.0.1'] });
    assert.equal(node(t, 'b').certificate, undefined);
    assert.deepEqual(t.ca, { keySize: 2048, validityMs: 365 * 24 * 3600_000 });
    assert.equal(parse(two).ca, undefined);
  });
  it('takes the generated CA\'s key size and validity, or an external cert and key', () => {
    const t = parse(`name: x\nsettings:\n  certificate-authority: {key-size: 3072, validity-duration: 1000h}\n${two.slice(8)}`);
    assert.deepEqual(t.ca, { keySize: 3072, validityMs: 1000 * 3600_000 });
    const e = parseTopology(`name: x\nsettings:\n  certificate-authority: {cert: ca/ca.pem, key: /abs/ca.key}\n${two.slice(8)}`, { file: 'topo.yaml', dir: '/labs', env: {} });
    assert.equal(e.ca?.certFile, '/labs/ca/ca.pem');
    assert.equal(e.ca?.keyFile, '/abs/ca.key');
  });
  it('refuses what containerlab refuses, with positions', () => {
    const tail = two.slice(8);
    assert.deepEqual(problems(`name: x\nsettings:\n  certificate-authority: {cert: c.pem, key-size: 2048}\n${tail}`), [
      'topo.yaml:3:3 settings.certificate-authority: an external CA needs both cert and key',
      'topo.yaml:3:40 settings.certificate-authority.key-size: key-size applies to the CA kindlab generates; it cannot be set with an external CA (cert/key)',
    ]);
    assert.match(problems(`name: x\nsettings:\n  certificate-authority: {validity-duration: soon}\n${tail}`)[0]!, /^topo.yaml:3:46 settings.certificate-authority.validity-duration: validity-duration "soon" is not a positive duration/);
    assert.match(problems(`name: x\nsettings:\n  other: 1\n${tail}`)[0]!, /^topo.yaml:3:3 settings.other/);
    assert.deepEqual(problems(`${two}      certificate: {issue: true, validity-duration: "-1h", sans: ["a b"]}\n`), [
      'topo.yaml:8:53 topology.nodes.b.certificate.validity-duration: certificate validity-duration "-1h" is not a positive duration such as 720h',
      'topo.yaml:8:67 topology.nodes.b.certificate.sans[0]: SAN "a b" is neither an IP address nor a DNS name',
    ]);
  });
});

describe('env-files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindlab-envfiles-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('reads dotenv files relative to the topology, appended across layers; env wins', async () => {
    writeFileSync(join(dir, 'common.env'), '# shared\nexport A=from-common\nB="two words"\nC=3 # comment\n');
    writeFileSync(join(dir, 'b.env'), "B='override'\nD=4\n");
    writeFileSync(join(dir, 'topo.yaml'), `${head}  defaults:\n    env-files: [common.env]\n  nodes:\n    a: {kind: linux, image: i, env: {C: env}}\n    b: {kind: linux, image: i, env-files: [./b.env]}\n`);
    const t = await loadTopology(join(dir, 'topo.yaml'), { env: {} });
    assert.deepEqual(node(t, 'a').env, { A: 'from-common', B: 'two words', C: 'env' });
    assert.deepEqual(node(t, 'b').env, { A: 'from-common', B: 'override', C: '3', D: '4' });
    assert.deepEqual(node(t, 'b').envFiles, [join(dir, 'common.env'), join(dir, 'b.env')]);
  });
  it('a missing file or a bad line is refused at the entry that names it', async () => {
    writeFileSync(join(dir, 'bad.env'), 'A=1\nthis is not a variable\n');
    writeFileSync(join(dir, 'topo2.yaml'), `${head}  nodes:\n    a:\n      kind: linux\n      image: i\n      env-files: [bad.env, nope.env]\n`);
    await assert.rejects(loadPlan(join(dir, 'topo2.yaml'), { env: {} }), (e: unknown) => {
      assert.ok(e instanceof TopologyError);
      assert.deepEqual(e.issues.map(formatIssue), [
        `${join(dir, 'topo2.yaml')}:7:19 topology.nodes.a.env-files[0]: env-file ${join(dir, 'bad.env')}: line 2: expected KEY=VALUE, got "this is not a variable"`,
        `${join(dir, 'topo2.yaml')}:7:28 topology.nodes.a.env-files[1]: env-file ${join(dir, 'nope.env')} does not exist`,
      ]);
      return true;
    });
    assert.deepEqual(parseEnvFile('K="a\\nb"\nexport L = x\n'), { K: 'a\nb', L: 'x' });
  });
});

describe('kind host', () => {
  it('is the host: no image, no management address, not a container of ours', () => {
    const t = parse(`${head}  nodes:\n    h: {kind: host, exec: ["ip link show"]}\n    a: {kind: linux, image: i}\n  links:\n    - endpoints: ["a:eth1", "h:veth-a"]\n`);
    assert.equal(node(t, 'h').image, '');
    assert.equal(planLab(t).nodes.find((n) => n.name === 'h')!.containerName, 'h');
    assert.equal(planLab(t).nodes.find((n) => n.name === 'h')!.mgmtIPv4, undefined);
  });
  it('refuses another network-mode for it, and waits on its later stages', () => {
    assert.deepEqual(problems(`${head}  nodes:\n    h: {kind: host, network-mode: none}\n`), ['topo.yaml:4:35 topology.nodes.h.network-mode: a node of kind host is the host itself: its network-mode cannot be "none"']);
    assert.deepEqual(problems(`${head}  nodes:\n    h: {kind: host}\n    a:\n      kind: linux\n      image: i\n      stages:\n        create:\n          wait-for: [{node: h, stage: configure}]\n`), [
      'topo.yaml:10:29 topology.nodes.a.stages.create.wait-for[0].node: wait-for: node "h" is of kind host, whose only stage is create',
    ]);
  });
});

describe('stage commands that cannot run', () => {
  it('a create on-enter command in the container is refused: the container does not exist yet', () => {
    assert.deepEqual(problems(`${two}      stages:\n        create:\n          exec: {on-enter: ["touch /x"]}\n`), [
      'topo.yaml:10:29 topology.nodes.b.stages.create.exec.on-enter[0]: a create on-enter command runs before the container exists: use phase on-exit, or target: host',
    ]);
    parse(`${two}      stages:\n        create:\n          exec: [{command: "true", phase: on-enter, target: host}]\n`);
  });
});
