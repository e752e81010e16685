/**
 * `lab deploy --reconfigure`'s FRR path against a real FRR (bgpd, zebra) in a kindlab/base
 * container: applying frrConfigDiff(A, B) with `vtysh -f` to a router running A leaves the same
 * running-config as FRR started on B, for added options, removed ones, a neighbor's new ASN and
 * the router's own new ASN. Run under `flock /tmp/kindlab-docker.lock`.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { applyRouting, frrConfigDiff } from '../../src/render/index.js';
import { parseTopology, planLab } from '../../src/topology/index.js';

const NAME = `kl-reload-${process.pid}`;

function frrConf(routing: string, leafBgp: string): { conf: string; daemons: string } {
  const text = `
name: reload
routing:
${routing}
topology:
  nodes:
    s1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: spine } }
    s2: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: spine } }
    l1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, ${leafBgp} } }
  links:
    - endpoints: [s1:e1, l1:e1]
    - endpoints: [s2:e1, l1:e2]
`;
  const p = applyRouting(planLab(parseTopology(text, { file: 'reload.yaml', env: {} }), { labDir: '/tmp/kl-reload' }), () => undefined);
  const files = p.nodes.find((n) => n.name === 'l1')!.files!;
  return { conf: files.find((f) => f.path === '/etc/frr/frr.conf')!.content, daemons: files.find((f) => f.path === '/etc/frr/daemons')!.content };
}

const PLAIN = frrConf('  asns: { spine: 65000, leaf: "65010+" }', 'originate: [192.0.2.0/24]');
const RICH = frrConf('  asns: { spine: 65000, leaf: "65010+" }\n  password: s3cret', 'originate: [198.51.100.0/24, 192.0.2.0/24], default-originate: true, prefix-in: [10.0.0.0/8], prefix-out: [10.10.0.0/16], communities: ["65000:1"]');
const SPINE_ASN = frrConf('  asns: { spine: 65001, leaf: "65010+" }', 'originate: [192.0.2.0/24]');
const OWN_ASN = frrConf('  asns: { spine: 65000, leaf: "65020+" }\n  multipath: false', 'originate: [192.0.2.0/24]');

const dx = (name: string, args: string[], input?: string) => execa('docker', ['exec', ...(input !== undefined ? ['-i'] : []), name, ...args], { reject: false, ...(input !== undefined ? { input } : {}) });

async function put(name: string, path: string, content: string) {
  const r = await dx(name, ['sh', '-c', `cat > ${path}`], content);
  assert.equal(r.exitCode, 0, r.stderr);
}

/** show running-config without the lines that differ between two containers running one config. */
async function running(name: string): Promise<string> {
  const r = await dx(name, ['vtysh', '-c', 'show running-config']);
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => !/^(Building configuration|Current configuration|frr version|hostname|!$)/.test(l) && l.trim()).join('\n');
}

const containers: string[] = [];
after(async () => {
  if (containers.length) await execa('docker', ['rm', '-f', ...containers], { reject: false });
});

/** A new container running FRR on `conf` (restarting FRR in place is slow: a fresh container is quicker). */
async function frrOn(name: string, conf: string): Promise<void> {
  containers.push(name);
  await execa('docker', ['run', '-d', '--name', name, '--label', 'kindlab.test=render-reload', '--init', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--cap-add', 'SYS_ADMIN', '--entrypoint', 'sleep', 'kindlab/base:latest', 'infinity']);
  await put(name, '/etc/frr/daemons', PLAIN.daemons);
  await put(name, '/etc/frr/vtysh.conf', 'service integrated-vtysh-config\n');
  await put(name, '/etc/frr/frr.conf', conf);
  // the daemons keep docker exec's output open unless it is redirected
  const r = await dx(name, ['sh', '-c', '/usr/lib/frr/frrinit.sh start > /tmp/frrinit.log 2>&1 < /dev/null || { cat /tmp/frrinit.log; exit 1; }']);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  // bgpd has read the file once its router shows
  for (let i = 0; i < 100 && !/router bgp/.test(await running(name)); i++) await new Promise((res) => setTimeout(res, 200));
}

const VARIANTS = [
  ['every option added', PLAIN, RICH],
  ['every option removed', RICH, PLAIN],
  ["the neighbors' ASN changed", PLAIN, SPINE_ASN],
  ["the router's own ASN changed, multipath off", PLAIN, OWN_ASN],
] as const;

VARIANTS.forEach(([name, a, b], i) => {
  test(`vtysh -f of the computed diff gives the running-config of a fresh start: ${name}`, async () => {
    const fresh = `${NAME}-${i}-b`;
    const reloaded = `${NAME}-${i}-a`;
    await Promise.all([frrOn(fresh, b.conf), frrOn(reloaded, a.conf)]);
    const want = await running(fresh);
    assert.match(want, /router bgp/);
    assert.notEqual(await running(reloaded), want, 'the two configs differ when loaded');
    const script = frrConfigDiff(a.conf, b.conf);
    await put(reloaded, '/tmp/reload.conf', script);
    const r = await dx(reloaded, ['vtysh', '-f', '/tmp/reload.conf']);
    assert.equal(r.exitCode, 0, `${script}\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /%|Unknown command/, script);
    assert.equal(await running(reloaded), want, script);
  });
});
