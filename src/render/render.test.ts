import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, planLab, type LabPlan } from '../topology/index.js';
import { TopologyError } from '../errors.js';
import { applyRouting } from './index.js';

/** A plan from YAML text with the routing intent applied (positions from the text). */
function routed(text: string): LabPlan {
  const spec = parseTopology(text, { file: 'intent.yaml', env: {} });
  const plan = planLab(spec, { labDir: '/tmp/kl-render-test' });
  return applyRouting(plan, () => undefined);
}

const CLOS = `
name: clos
routing:
  asns: { spine: 65000, leaf: "65010+" }
  loopbacks: 10.10.0.0/24
  links: 10.20.0.0/24
topology:
  nodes:
    s1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: spine } }
    s2: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: spine } }
    l1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, originate: [192.0.2.0/24] } }
    l2: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, daemon: bird } }
    l3: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, daemon: gobgp, communities: ["65000:7"] } }
    h1: { kind: linux, image: alpine }
  links:
    - endpoints: [s1:e1, l1:e1]
    - endpoints: [s1:e2, l2:e1]
    - endpoints: [s1:e3, l3:e1]
    - endpoints: [s2:e1, l1:e2]
    - endpoints: [s2:e2, l2:e2]
    - endpoints: [s2:e3, l3:e2]
    - endpoints: [l1:e3, h1:eth1]
`;

test('a Clos from intent: ASNs by role, loopbacks and /31s from pools, eBGP per link, host addressed', () => {
  const p = routed(CLOS);
  const r = p.routing!;
  assert.deepEqual(r.routers.map((x) => [x.node, x.asn, x.routerId, x.daemon]), [
    ['s1', 65000, '10.10.0.0', 'frr'], ['s2', 65000, '10.10.0.1', 'frr'], ['l1', 65010, '10.10.0.2', 'frr'], ['l2', 65011, '10.10.0.3', 'bird'], ['l3', 65012, '10.10.0.4', 'gobgp'],
  ]);
  assert.deepEqual(r.addresses.slice(0, 2), [{ node: 's1', iface: 'e1', cidr: '10.20.0.0/31' }, { node: 'l1', iface: 'e1', cidr: '10.20.0.1/31' }]);
  assert.equal(r.sessions.filter((s) => s.kind === 'fabric').length, 12);
  const l1 = p.nodes.find((n) => n.name === 'l1')!;
  assert.deepEqual(l1.exec.slice(0, 2), ['ip addr add 10.10.0.2/32 dev lo', 'ip addr add 10.20.0.1/31 dev e1']);
  assert.ok(l1.exec.includes('ip route add blackhole 192.0.2.0/24'));
  const frr = l1.files!.find((f) => f.path === '/etc/frr/frr.conf')!.content;
  assert.match(frr, /^router bgp 65010\n bgp router-id 10\.10\.0\.2$/m);
  assert.match(frr, /^ neighbor 10\.20\.0\.0 remote-as 65000$/m);
  assert.match(frr, /^ neighbor 10\.20\.0\.6 remote-as 65000$/m);
  assert.match(frr, /^  network 192\.0\.2\.0\/24$/m);
  assert.match(frr, /^  maximum-paths 64$/m);
  const bird = p.nodes.find((n) => n.name === 'l2')!.files![0]!;
  assert.equal(bird.path, '/etc/bird/bird.conf');
  assert.match(bird.content, /protocol bgp fabric_s1_e1 \{\n  description "fabric s1";\n  local 10\.20\.0\.3 as 65011;\n  neighbor 10\.20\.0\.2 as 65000;/);
  const gobgp = p.nodes.find((n) => n.name === 'l3')!;
  assert.match(gobgp.files![0]!.content, /\[global\.config\]\n  as = 65012\n  router-id = "10\.10\.0\.4"/);
  assert.ok(gobgp.exec.includes('gobgp global rib add 10.10.0.4/32 community 65000:7'));
  assert.deepEqual(p.nodes.find((n) => n.name === 'h1')!.exec, ['ip addr add 10.0.1.2/24 dev eth1', 'ip route replace default via 10.0.1.1']);
});

test('derived checks: every session, every loopback, ECMP width 2 between leaves on FRR', () => {
  const checks = routed(CLOS).routing!.checks as Array<Record<string, Record<string, unknown>>>;
  assert.equal(checks.filter((c) => c['bgp']).length, 12);
  const l1ToL2 = checks.find((c) => c['route']?.['node'] === 'l1' && c['route']?.['prefix'] === '10.10.0.3/32');
  assert.equal(l1ToL2?.['route']?.['ecmp'], 2);
  assert.ok(checks.some((c) => c['route']?.['node'] === 's1' && c['route']?.['prefix'] === '192.0.2.0/24'));
  // BIRD and GoBGP routers get no ECMP expectation (their route views do not show the width the same way)
  assert.equal(checks.find((c) => c['route']?.['node'] === 'l2' && c['route']?.['prefix'] === '10.10.0.2/32')?.['route']?.['ecmp'], undefined);
});

test('plain exec wins over the rendered config, and says so', () => {
  const p = routed(CLOS.replace('l1: { kind: linux, image: frrouting/frr:v8.4.0, bgp:', 'l1: { kind: linux, image: frrouting/frr:v8.4.0, exec: ["echo mine"], bgp:'));
  assert.deepEqual(p.nodes.find((n) => n.name === 'l1')!.exec, ['echo mine']);
  assert.ok(p.routing!.notes.some((n) => /l1: its own exec/.test(n)));
});

function refused(text: string, re: RegExp): void {
  assert.throws(() => routed(text), (e: unknown) => {
    assert.ok(e instanceof TopologyError, String(e));
    assert.match(e.message + (e.detail ?? ''), re);
    return true;
  });
}

test('bad intent fails before anything is created, naming the key', () => {
  refused(CLOS.replace('spine: 65000', 'spine: 4294967296'), /routing\.asns\.spine: ASN 4294967296 is out of range/);
  refused(CLOS.replace('loopbacks: 10.10.0.0/24', 'loopbacks: 10.10.0.0/30'), /loopback pool 10\.10\.0\.0\/30 is exhausted at router l3/);
  refused(CLOS.replace('links: 10.20.0.0/24', 'links: 10.20.0.0/30'), /link pool is exhausted/);
  refused(CLOS.replaceAll('bgp: { role: spine } }', 'bgp: { role: spine, loopback: 10.10.0.9 } }'), /loopback 10\.10\.0\.9 of s2 is already s1's/);
  refused(CLOS + '    - endpoints: [h1:eth2, h1:eth3]\n'.replace('h1:eth2, h1:eth3', 'x:eth2, h1:eth3'), /node "x" is not defined/);
  refused(CLOS.replace('    h1: { kind: linux, image: alpine }', '    h1: { kind: linux, image: alpine }\n    lonely: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { asn: 65100 } }'), /router lonely has no BGP peer/);
  refused(CLOS.replace('links: 10.20.0.0/24', 'links: unnumbered'), /unnumbered, which only FRR routers can peer over \(l2 runs bird\)/);
  refused(CLOS.replace('{ role: spine } }\n    s2', '{ role: spine, colour: red } }\n    s2'), /unknown key "colour"/);
});

test('spines sharing an ASN do not expect each other\'s loopback (eBGP loop prevention)', () => {
  const checks = routed(CLOS).routing!.checks as Array<Record<string, Record<string, unknown>>>;
  assert.equal(checks.some((c) => c['route']?.['node'] === 's1' && c['route']?.['prefix'] === '10.10.0.1/32'), false);
  assert.ok(checks.some((c) => c['route']?.['node'] === 's1' && c['route']?.['prefix'] === '10.10.0.2/32'));
});

test('OSPF (routing.ospf): FRR and BIRD routers run it on their fabric links to FRR/BIRD, with an adjacency check per end', () => {
  const p = routed(CLOS.replace('  links: 10.20.0.0/24\n', '  links: 10.20.0.0/24\n  ospf: { area: 0 }\n'));
  const file = (node: string, path: string) => p.nodes.find((n) => n.name === node)!.files!.find((f) => f.path === path)!.content;
  const s1 = file('s1', '/etc/frr/frr.conf');
  assert.match(s1, /^interface e1\n ip ospf area 0\n ip ospf network point-to-point\nexit$/m);
  assert.match(s1, /^interface e2\n ip ospf area 0/m);
  assert.doesNotMatch(s1, /^interface e3$/m, 'e3 goes to the GoBGP leaf: no OSPF there');
  assert.match(s1, /^router ospf\n ospf router-id 10\.10\.0\.0$/m);
  const bird = file('l2', '/etc/bird/bird.conf');
  assert.match(bird, /protocol ospf v2 kl_ospf \{\n  ipv4 \{ import all; export none; \};\n  area 0 \{\n    interface "e1" \{ type ptp; \};\n    interface "e2" \{ type ptp; \};\n  \};\n\}/);
  assert.match(bird, /RTS_STATIC, RTS_OSPF \]/);
  assert.doesNotMatch(file('l3', '/etc/gobgp/gobgpd.toml'), /ospf/i);
  const ospf = p.routing!.checks.filter((c) => 'exec' in c).map((c) => (c['exec'] as { name: string; regex: string }));
  // s1–l1, s1–l2, s2–l1, s2–l2: both ends each
  assert.equal(ospf.length, 8);
  const l2s1 = ospf.find((c) => c.name.startsWith('l2 OSPF neighbor s1'))!;
  assert.equal(l2s1.regex, '^10\\.10\\.0\\.0\\s+\\d+\\s+Full');
  assert.ok(new RegExp(l2s1.regex, 'm').test('Router ID   \tPri\t     State     \tDTime\tInterface  Router IP\n10.10.0.0\t  1\t     Full/PtP  \t 32.692\te1         10.20.0.0'));
  assert.ok(new RegExp(l2s1.regex, 'm').test('Neighbor ID     Pri State           Up Time         Dead Time Address\n10.10.0.0         1 Full/-          1m02s             39.271s 10.20.0.2'));
  assert.throws(() => routed(CLOS.replace('  links: 10.20.0.0/24\n', '  links: unnumbered\n  ospf: true\n')), /routing\.ospf.*numbered links only/s);
  assert.throws(() => routed(CLOS.replace('  links: 10.20.0.0/24\n', '  links: 10.20.0.0/24\n  ospf: { area: -1 }\n')), /area -1 must be a number/);
});
