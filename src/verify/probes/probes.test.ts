/** Parsers on real (and documented) outputs in test/fixtures/verify/probes/. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseCurl, parsePing, parseTraceroute, CURL_STATUS_MARK } from './reach.js';
import { parseAgentRib, parseBirdRoute, parseFrrRoute, parseGobgpRib, parseKernelRoute } from './routes.js';
import { parseAgentNeighbors, parseBirdProtocols, parseFrrSummary, parseGobgpNeighbors } from './sessions.js';

const fx = (f: string) => readFileSync(new URL(`../../../test/fixtures/verify/probes/${f}`, import.meta.url), 'utf8');

describe('sessions', () => {
  test('FRR: unnumbered sessions by interface, numbered by address, states and prefix counts', () => {
    const r0 = parseFrrSummary(fx('frr-summary-router0.json'));
    assert.deepEqual(r0.map((s) => [s.peer, s.state, s.established, s.remoteAs]), [['net0', 'Established', true, 65010], ['net1', 'Established', true, 65011]]);
    const t0 = parseFrrSummary(fx('frr-summary-tor0.json'));
    assert.deepEqual(t0.map((s) => [s.peer, s.established]), [['net0', true], ['10.0.1.2', false], ['10.0.2.2', false]]);
    assert.equal(t0[0]!.prefixes, 6);
    assert.equal(t0[1]!.state, 'Active');
    assert.deepEqual(parseFrrSummary('{}'), []);
  });
  test('BIRD: BGP protocols only, neighbor address and imported routes', () => {
    assert.deepEqual(parseBirdProtocols(fx('bird-protocols-down.txt')), [{ peer: '127.0.0.3', label: 'tor0', state: 'Down', established: false, remoteAs: 65002 }]);
    const up = parseBirdProtocols(fx('bird-protocols-up.txt'));
    assert.deepEqual(up.map((s) => [s.label, s.peer, s.state, s.prefixes]), [['spine1', '10.0.0.1', 'Established', 5], ['spine2', '10.0.0.5', 'Active', undefined]]);
  });
  test('GoBGP: numeric session_state', () => {
    assert.deepEqual(parseGobgpNeighbors(fx('gobgp-neighbors-active.json')), [{ peer: '127.0.0.2', state: 'active', established: false, remoteAs: 65002 }]);
  });
  test('agent: the neighbor --json contract', () => {
    const s = parseAgentNeighbors(fx('agent-neighbors.json'));
    assert.deepEqual(s.map((x) => [x.peer, x.established, x.prefixes]), [['10.0.1.1', true, 2], ['10.0.1.9', false, 0]]);
  });
});

describe('routes', () => {
  test('FRR: selected entry, next hop over an unnumbered interface; blackhole', () => {
    const r = parseFrrRoute(fx('frr-route-router0.json'), '10.0.3.0/24');
    assert.equal(r?.protocol, 'bgp');
    assert.equal(r?.nexthops.length, 1);
    assert.equal(r?.nexthops[0]!.iface, 'net1');
    assert.match(r?.nexthops[0]!.address ?? '', /^fe80::/);
    assert.deepEqual(parseFrrRoute(fx('frr-route-blackhole.json'), '10.0.0.0/8')?.nexthops, [{ iface: 'blackhole' }]);
    assert.equal(parseFrrRoute('{}', '10.0.3.0/24'), undefined);
  });
  test('kernel: via inet6 host, and multipath', () => {
    const r = parseKernelRoute(fx('kernel-route-tor0.json'), '10.0.3.0/24');
    assert.deepEqual(r, { prefix: '10.0.3.0/24', protocol: 'bgp', nexthops: [{ address: 'fe80::a8c1:abff:fee6:a4af', iface: 'net0' }] });
    const e = parseKernelRoute(fx('kernel-route-ecmp.json'), '10.1.0.0/24');
    assert.deepEqual(e?.nexthops, [{ address: '10.0.0.1', iface: 'eth1' }, { address: 'fe80::1', iface: 'eth2' }]);
    assert.equal(parseKernelRoute('[]', '10.1.0.0/24'), undefined);
  });
  test('BIRD: the preferred route and its via lines', () => {
    const r = parseBirdRoute(fx('bird-route-ecmp.txt'), '10.1.0.0/24');
    assert.deepEqual(r, { prefix: '10.1.0.0/24', protocol: 'spine1', nexthops: [{ address: '10.0.0.1', iface: 'eth1' }, { address: '10.0.0.5', iface: 'eth2' }] });
    assert.equal(parseBirdRoute('BIRD 2.0.12 ready.\nNetwork not found\n', '10.1.0.0/24'), undefined);
  });
  test('GoBGP and agent RIBs', () => {
    assert.deepEqual(parseGobgpRib(fx('gobgp-rib.json'), '10.9.0.0/24')?.nexthops, [{ address: '0.0.0.0' }]);
    assert.equal(parseGobgpRib(fx('gobgp-rib.json'), '10.9.1.0/24'), undefined);
    assert.deepEqual(parseAgentRib(fx('agent-rib.json'), '10.1.1.0/24')?.nexthops, [{ address: '10.0.1.1' }]);
  });
});

describe('reachability', () => {
  test('ping summary', () => {
    assert.deepEqual(parsePing(fx('ping-ok.txt')), { sent: 3, received: 3, lossPct: 0 });
    assert.deepEqual(parsePing('3 packets transmitted, 1 received, +2 errors, 66.6667% packet loss, time 2003ms'), { sent: 3, received: 1, lossPct: 66.6667 });
    assert.equal(parsePing('ping: connect: Network is unreachable'), undefined);
  });
  test('traceroute hops, unanswered as *', () => {
    assert.deepEqual(parseTraceroute(fx('traceroute-ok.txt')), ['10.0.1.1', '10.0.0.0', '10.0.0.2', '10.0.3.2']);
    assert.deepEqual(parseTraceroute(fx('traceroute-broken.txt')), ['10.0.1.1', '*', '*', '10.0.0.2']);
  });
  test('curl body and status', () => {
    assert.deepEqual(parseCurl(`hello${CURL_STATUS_MARK}200`), { status: 200, body: 'hello' });
    assert.equal(parseCurl('curl: (7) Failed to connect'), undefined);
  });
});
