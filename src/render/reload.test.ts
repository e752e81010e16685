import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressingDelta, frrConfigDiff, parseFrrConfig, planReload } from './reload.js';
import type { RenderedRouter } from './types.js';

const BEFORE = `frr defaults datacenter
hostname l1
!
router bgp 65010
 bgp router-id 10.0.0.1
 neighbor 10.1.0.0 remote-as 65000
 neighbor 10.1.0.0 description fabric s1
 neighbor 10.1.0.2 remote-as 65000
 neighbor 10.1.0.2 description fabric s2
 !
 address-family ipv4 unicast
  redistribute connected
  neighbor 10.1.0.0 activate
  neighbor 10.1.0.2 activate
 exit-address-family
!
line vty
!
`;

test('the FRR config is parsed into contexts by indentation; comments and exit lines are dropped', () => {
  const t = parseFrrConfig(BEFORE);
  assert.deepEqual(t.map((n) => n.line), ['frr defaults datacenter', 'hostname l1', 'router bgp 65010', 'line vty']);
  const bgp = t[2]!;
  assert.equal(bgp.children.at(-1)!.line, 'address-family ipv4 unicast');
  assert.deepEqual(bgp.children.at(-1)!.children.map((c) => c.line), ['redistribute connected', 'neighbor 10.1.0.0 activate', 'neighbor 10.1.0.2 activate']);
});

test('an unchanged config gives no script', () => {
  assert.equal(frrConfigDiff(BEFORE, BEFORE), '');
});

test('a new network and a route-map: added in their contexts, nothing removed', () => {
  const after = BEFORE.replace('  redistribute connected\n', '  redistribute connected\n  network 192.0.2.0/24\n')
    .replace('router bgp', 'route-map KL-OUT permit 10\n set community 65000:1 additive\n!\nrouter bgp')
    .replace('  neighbor 10.1.0.2 activate\n', '  neighbor 10.1.0.2 activate\n  neighbor 10.1.0.2 route-map KL-OUT out\n');
  assert.equal(frrConfigDiff(BEFORE, after), [
    'route-map KL-OUT permit 10', ' set community 65000:1 additive', 'exit',
    'router bgp 65010', ' address-family ipv4 unicast', '  network 192.0.2.0/24', '  neighbor 10.1.0.2 route-map KL-OUT out', ' exit-address-family', 'exit', '',
  ].join('\n'));
});

test('a removed neighbor: its definition goes, not its other lines (they go with it); negated "no" lines come back', () => {
  const after = BEFORE.replace(/ neighbor 10\.1\.0\.2 .*\n/g, '').replace(/  neighbor 10\.1\.0\.2 activate\n/, '').replace('  redistribute connected\n', '');
  assert.equal(frrConfigDiff(BEFORE, after), ['router bgp 65010', ' address-family ipv4 unicast', '  no redistribute connected', ' exit-address-family', ' no neighbor 10.1.0.2 remote-as 65000', 'exit', ''].join('\n'));
  assert.equal(frrConfigDiff('router bgp 1\n no bgp default ipv4-unicast\n', 'router bgp 1\n'), 'router bgp 1\n bgp default ipv4-unicast\nexit\n');
});

test("a neighbor's changed ASN: removed, then every line of it written again", () => {
  const after = BEFORE.replace('neighbor 10.1.0.2 remote-as 65000', 'neighbor 10.1.0.2 remote-as 65001');
  assert.equal(frrConfigDiff(BEFORE, after), [
    'router bgp 65010', ' no neighbor 10.1.0.2 remote-as 65000', 'exit',
    'router bgp 65010', ' neighbor 10.1.0.2 remote-as 65001', ' neighbor 10.1.0.2 description fabric s2', ' address-family ipv4 unicast', '  neighbor 10.1.0.2 activate', ' exit-address-family', 'exit', '',
  ].join('\n'));
});

test("the router's own ASN changed: no router bgp, then the whole block", () => {
  const after = BEFORE.replace('router bgp 65010', 'router bgp 65011');
  const s = frrConfigDiff(BEFORE, after).split('\n');
  assert.equal(s[0], 'no router bgp 65010');
  assert.equal(s[1], 'router bgp 65011');
  assert.ok(s.includes('  neighbor 10.1.0.2 activate'));
  assert.equal(s.filter((l) => l === 'exit').length, 1);
});

test('addressing lines: the gone ones deleted, the new ones added, daemon lines left out', () => {
  assert.deepEqual(addressingDelta(['ip addr add 10.0.0.1/32 dev lo', 'ip route add blackhole 192.0.2.0/24', '/usr/lib/frr/frrinit.sh start'], ['ip addr add 10.0.0.1/32 dev lo', 'ip route add blackhole 198.51.100.0/24', '/usr/lib/frr/frrinit.sh start']),
    ['ip route del blackhole 192.0.2.0/24', 'ip route add blackhole 198.51.100.0/24']);
});

const router = (daemon: RenderedRouter['daemon'], files: Array<[string, string]>, exec: string[]): RenderedRouter => ({ node: 'r', daemon, asn: 1, routerId: '10.0.0.1', exec, files: files.map(([path, content]) => ({ path, content })) });

test('reload plans: nothing for an unchanged router; vtysh -f for FRR; birdc configure for BIRD; a gobgpd restart', () => {
  const frr = router('frr', [['/etc/frr/frr.conf', BEFORE], ['/etc/frr/daemons', 'd']], ['/usr/lib/frr/frrinit.sh start']);
  assert.deepEqual(planReload(frr, (p) => (p === '/etc/frr/frr.conf' ? BEFORE : 'd'), frr.exec).steps, []);
  const p = planReload(frr, (p) => (p === '/etc/frr/frr.conf' ? BEFORE.replace(' neighbor 10.1.0.2 description fabric s2\n', '') : 'd'), frr.exec);
  assert.deepEqual(p.files.map((f) => f.path), ['/etc/frr/frr.conf']);
  assert.deepEqual(p.steps.map((s) => s.what), ['vtysh -f (3 lines)', 'clear bgp * soft']);
  assert.match(p.steps[0]!.argv[2]!, /^router bgp 65010\n neighbor 10\.1\.0\.2 description fabric s2\nexit\n/m);
  const restart = planReload(frr, (p) => (p === '/etc/frr/frr.conf' ? BEFORE : 'other'), frr.exec);
  assert.equal(restart.recreate, 'the FRR daemons it runs changed (bfdd)');
  const bird = planReload(router('bird', [['/etc/bird/bird.conf', 'new']], []), () => 'old', []);
  assert.deepEqual(bird.steps.map((s) => s.argv), [['birdc', 'configure']]);
  assert.ok(bird.steps[0]!.needs!.test('Reconfigured'));
  const gobgp = planReload(router('gobgp', [['/etc/gobgp/gobgpd.toml', 'new']], ['ip addr add 10.0.0.3/32 dev lo', 'gobgp global rib add 10.0.0.3/32']), () => 'old', ['ip addr add 10.0.0.3/32 dev lo']);
  assert.deepEqual(gobgp.steps.map((s) => s.what), ['stop gobgpd', 'gobgp global rib add 10.0.0.3/32']);
  // a new announcement is an exec line only: gobgpd restarts with it although its config is the same
  const announce = router('gobgp', [['/etc/gobgp/gobgpd.toml', 'same']], ['ip addr add 10.0.0.3/32 dev lo', 'gobgp global rib add 10.0.0.3/32', 'gobgp global rib add 192.0.2.0/24']);
  assert.deepEqual(planReload(announce, () => 'same', announce.exec.slice(0, 2)).steps.map((s) => s.what), ['stop gobgpd', 'gobgp global rib add 10.0.0.3/32', 'gobgp global rib add 192.0.2.0/24']);
  assert.deepEqual(planReload(announce, () => 'same', announce.exec).steps, []);
});
