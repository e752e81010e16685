/**
 * Property test: random and hostile Calico objects never throw out of the dialect, never yield a NaN/empty
 * address, ASN or port, and a well-formed BGPPeer next to them still becomes a peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import type { KubeObject } from '../../cluster/client/types.js';
import { computeCalico } from './calico.js';
import { viewFromObjects } from './view.js';
import { routeFilterVerdict } from '../../bgp/index.js';
import { rng } from '../../../test/lib/rng.js';


const HOSTILE: unknown[] = [
  undefined, null, '', ' ', 0, -1, 1, 2, 255, 256, 65001, 1.5, NaN, Infinity, 4294967296, 65536, '65001', true, {}, [], [''], [{}], [{ cidr: '' }], [{ cidr: null }],
  [{ cidr: '10.0.0.0/33' }], [{ cidr: 'fd00::/64' }], [{ cidr: '10.96.0.0/12' }], '10.0.0.1', '10.0.0.1:0', '10.0.0.1:99999', '[fd00::1]:1790', '[fd00::1]',
  ':179', '<CHANGE ME>', 'fd00::1', '1.2.3.4:abc', 'rack == "a"', 'rack === x', 'all()', 'has(', '!has(rr)', '1m', 'abc', '-5s',
  [{ action: 'Reject', matchOperator: 'In', cidr: '10.48.0.0/16' }], [{ action: 'Accept', source: 'RemotePeers', interface: '*.calico' }], [{ action: 'Reject', matchOperator: 'In', cidr: 'fd00::/8' }],
  [{ action: 'Accept', matchOperator: 'NotIn', cidr: '10.0.0.0/8', prefixLength: { min: 40, max: -1 } }], [{ action: 'Accept', cidr: 'x/y', matchOperator: 'In' }], [{ action: 'accept' }], [null, 1, 'x'],
  [{ action: 'Reject', matchOperator: 'In', cidr: '10.48.0.0/16', prefixLength: { min: 20, max: 24 } }], [{ action: 'Reject', interface: 7 }], ['x0', 'x1', 'x2'],
  { secretKeyRef: { name: 'x', key: 'y' } }, { secretKeyRef: null }, ['f1'], [null], 'Self', 'Keep', 'None', 'UseNodeIP', '224.0.0.1', 'garbage/99',
];
const FIELDS = {
  BGPPeer: ['peerIP', 'asNumber', 'node', 'nodeSelector', 'peerSelector', 'password', 'keepOriginalNextHop', 'nextHopMode', 'maxRestartTime', 'keepaliveTime', 'localASNumber', 'ttlSecurity', 'sourceAddress', 'reachableBy', 'filters'],
  BGPFilter: ['exportV4', 'importV4', 'exportV6', 'importV6'],
  BGPConfiguration: ['asNumber', 'nodeToNodeMeshEnabled', 'serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs', 'listenPort', 'nodeMeshPassword', 'nodeMeshMaxRestartTime', 'communities', 'prefixAdvertisements'],
};

function randomObjects(r: () => number): KubeObject[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const spec = (fields: string[]) => Object.fromEntries(fields.filter(() => r() < 0.5).map((f) => [f, pick(HOSTILE)]));
  const nodes: KubeObject[] = ['n1', 'n2', 'n3'].map((name, i) => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { rack: pick(['a', 'b']), ...(r() < 0.3 ? { rr: 'y' } : {}) }, annotations: Object.fromEntries([
      ['projectcalico.org/ASNumber', pick(HOSTILE)], ['projectcalico.org/IPv4Address', pick(HOSTILE)], ['projectcalico.org/IPv6Address', pick(HOSTILE)],
      ['projectcalico.org/RouteReflectorClusterID', pick(HOSTILE)],
    ].filter(([, val]) => typeof val === 'string' && r() < 0.5)) },
    spec: { podCIDR: pick([`10.48.${i}.0/24`, '', 'bogus']), ...(r() < 0.3 ? { bgp: { ipv6Address: pick(HOSTILE), routeReflectorClusterID: pick(HOSTILE) } } : {}) },
    status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${11 + i}` }] },
  } as unknown as KubeObject));
  const objs: KubeObject[] = [...nodes];
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) {
    const kind = pick(['BGPPeer', 'BGPConfiguration', 'BGPFilter'] as const);
    objs.push({ apiVersion: pick(['projectcalico.org/v3', 'crd.projectcalico.org/v1']), kind, metadata: { name: pick(['default', 'node.n1', `x${k}`]) }, spec: r() < 0.1 ? pick(HOSTILE) : spec(FIELDS[kind]) } as unknown as KubeObject);
  }
  objs.push({ apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'zz-good' }, spec: { peerIP: '192.0.2.1:1790', asNumber: 65099 } } as unknown as KubeObject);
  return objs;
}

test('calico fuzz: 3000 random/hostile configurations never throw, never yield NaN/empty peers, and the good peer stays', () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const objs = randomObjects(rng(seed));
    for (const nodeName of ['n1', 'n2']) {
      let i;
      try {
        i = computeCalico(viewFromObjects(objs), nodeName);
      } catch (e) {
        assert.fail(`seed ${seed} node ${nodeName}: threw ${(e as Error).stack}`);
      }
      for (const p of i.peers) {
        assert.ok(isIP(p.address) !== 0, `seed ${seed}: peer address ${JSON.stringify(p.address)}`);
        assert.ok(Number.isInteger(p.asn) && p.asn > 0 && p.asn <= 4294967295, `seed ${seed}: peer ${p.address} asn ${p.asn}`);
        assert.ok(Number.isInteger(p.port) && p.port > 0 && p.port < 65536, `seed ${seed}: peer ${p.address} port ${p.port}`);
        for (const rules of [p.importRules ?? [], p.exportRules ?? []]) assert.doesNotThrow(() => routeFilterVerdict(rules, '10.48.1.0/24', { learned: true }), `seed ${seed}: rules of ${p.address}`);
        assert.ok(Number.isFinite(p.holdTime) && Number.isFinite(p.keepalive) && Number.isFinite(p.gracefulRestart.restartTime), `seed ${seed}: timers of ${p.address}`);
      }
      assert.ok(Number.isInteger(i.localAsn) && i.localAsn > 0, `seed ${seed}: local asn ${i.localAsn}`);
      for (const a of i.advertise) assert.match(a.prefix, /^[0-9a-f.:]+\/\d+$/, `seed ${seed}`);
      assert.ok(i.peers.some((p) => p.address === '192.0.2.1' && p.port === 1790 && p.asn === 65099), `seed ${seed} node ${nodeName}: good peer kept; problems ${JSON.stringify(i.problems)}`);
    }
  }
});
