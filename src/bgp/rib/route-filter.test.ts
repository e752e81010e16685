import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rib } from './rib.js';
import type { PeerInfo } from './types.js';
import { compileRouteFilter, type RouteFilterRule } from './route-filter.js';
import { keyOf } from './prefix-key.js';
import { encodeUpdate, decodeUpdate, type Update } from '../wire/update.js';
import { MessageFramer } from '../wire/framer.js';
import type { PathAttributes } from '../wire/attrs/types.js';

const body = (u: Partial<Update> & { attributes?: PathAttributes }) =>
  encodeUpdate({ withdrawn: [], nlri: [], attributes: {}, ...u }, { fourOctetAs: true }, 65535).subarray(19);
const peer = (n: number, asn: number, extra: Partial<PeerInfo> = {}): PeerInfo => ({
  name: `p${n}`, address: `10.0.0.${n}`, localAddress: '10.0.0.100', asn, localAsn: 64512, routerId: `1.1.1.${n}`,
  ibgp: asn === 64512, fourOctetAs: true, families: ['ipv4-unicast', 'ipv6-unicast'], ...extra,
});
const announced = (msgs: Buffer[]): string[] => {
  const f = new MessageFramer({ maxMessageSize: 65535 });
  return msgs.flatMap((m) => f.push(m)).flatMap((m) => { const u = decodeUpdate(m.body, { fourOctetAs: true, ibgp: true }); return [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])]; }).sort();
};
const verdict = (rules: RouteFilterRule[], prefix: string, learned = false, ifname?: string) => {
  const { family, key } = keyOf(prefix);
  return compileRouteFilter(rules)!({ family, key, learned, ifname });
};
const V4 = 'ipv4-unicast' as const;
const V6 = 'ipv6-unicast' as const;

test('prefix operators as BIRD: = != ~ !~ and a length range', () => {
  const r = (match: 'equal' | 'not-equal' | 'in' | 'not-in', cidr = '10.1.0.0/16', extra = {}): RouteFilterRule[] => [{ family: V4, prefix: { cidr, match, ...extra }, action: 'reject' }];
  assert.equal(verdict(r('equal'), '10.1.0.0/16'), 'reject');
  assert.equal(verdict(r('equal'), '10.1.2.0/24'), undefined);
  assert.equal(verdict(r('not-equal'), '10.1.2.0/24'), 'reject');
  assert.equal(verdict(r('not-equal'), '10.1.0.0/16'), undefined);
  assert.equal(verdict(r('in'), '10.1.2.0/24'), 'reject');
  assert.equal(verdict(r('in'), '10.1.0.0/16'), 'reject');
  assert.equal(verdict(r('in'), '10.0.0.0/8'), undefined);
  assert.equal(verdict(r('in'), '10.2.0.0/24'), undefined);
  assert.equal(verdict(r('not-in'), '10.2.0.0/24'), 'reject');
  assert.equal(verdict(r('not-in'), '10.1.9.0/24'), undefined);
  // 10.1.0.0/16{16,24}: a /25 inside is not in it, so not-in matches it.
  assert.equal(verdict(r('in', '10.1.0.0/16', { maxLen: 24 }), '10.1.2.0/25'), undefined);
  assert.equal(verdict(r('in', '10.1.0.0/16', { minLen: 30 }), '10.1.2.4/30'), 'reject');
  assert.equal(verdict(r('in', '10.1.0.0/16', { minLen: 30 }), '10.1.2.0/24'), undefined);
  assert.equal(verdict(r('not-in', '10.1.0.0/16', { maxLen: 24 }), '10.1.2.0/25'), 'reject');
  // Host bits in the rule's CIDR are ignored, as BIRD masks them.
  assert.equal(verdict(r('in', '10.1.0.1/16'), '10.1.2.0/24'), 'reject');
});

test('first matching rule decides; family, learned and interface narrow a rule; no match = no verdict', () => {
  const rules: RouteFilterRule[] = [
    { family: V4, learned: true, action: 'accept' },
    { family: V4, ifname: '*.calico', action: 'reject' },
    { family: V6, prefix: { cidr: 'fd00::/48', match: 'in' }, action: 'reject' },
    { family: V4, prefix: { cidr: '10.0.0.0/8', match: 'in' }, action: 'reject' },
  ];
  assert.equal(verdict(rules, '10.1.0.0/16', true), 'accept');
  assert.equal(verdict(rules, '10.1.0.0/16', false), 'reject');
  assert.equal(verdict(rules, '192.168.0.0/24', false, 'vxlan.calico'), 'reject');
  assert.equal(verdict(rules, '192.168.0.0/24', false, 'eth0'), undefined);
  assert.equal(verdict(rules, '192.168.0.0/24', false), undefined);
  assert.equal(verdict(rules, 'fd00:0:0:1::/64'), 'reject');
  assert.equal(verdict(rules, 'fd01::/64'), undefined);
  assert.equal(compileRouteFilter([]), undefined);
  assert.throws(() => compileRouteFilter([{ family: V4, prefix: { cidr: 'fd00::/8', match: 'in' }, action: 'reject' }]), /not an IPv4 CIDR/);
});

test('import rules: a rejected prefix is not stored', () => {
  const rib = new Rib({ localAsn: 64512, routerId: '10.0.0.100' });
  const p = rib.addPeer(peer(1, 65001, { importRules: [{ family: V4, prefix: { cidr: '44.0.0.0/16', match: 'not-in' }, action: 'reject' }] }));
  rib.peerUp(p);
  rib.applyUpdate(p, body({ nlri: ['44.0.1.0/24', '55.0.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '10.0.0.1' } }));
  assert.deepEqual([...rib.routes({ family: V4, table: 'loc' })].map((r) => r.prefix), ['44.0.1.0/24']);
});

test('export rules: reject holds back our own route, accept lifts exportPolicy originated for a learned one', () => {
  const rib = new Rib({ localAsn: 64512, routerId: '10.0.0.100' });
  const from = rib.addPeer(peer(1, 65001));
  const to = rib.addPeer(peer(2, 65002, {
    exportPolicy: 'originated',
    exportRules: [
      { family: V4, prefix: { cidr: '77.0.0.0/16', match: 'in' }, learned: true, action: 'accept' },
      { family: V4, prefix: { cidr: '10.48.1.0/24', match: 'equal' }, action: 'reject' },
    ],
  }));
  rib.peerUp(from);
  rib.peerUp(to);
  rib.originate('10.48.1.0/24');
  rib.originate('10.48.2.0/24');
  rib.applyUpdate(from, body({ nlri: ['77.0.1.0/24', '88.0.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '10.0.0.1' } }));
  assert.deepEqual(announced(rib.takeUpdates(to, { maxMessageSize: 4096 })), ['10.48.2.0/24', '77.0.1.0/24']);
});
