import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportEbgpV4Bytes } from './export-fast.js';
import { encodeExport, exportAttributes, type ExportSource } from './export.js';
import { decodeAttributes, encodeAttributes } from '../wire/attrs/index.js';
import type { PathAttributes } from '../wire/attrs/types.js';
import type { PeerInfo } from './types.js';

const dst: PeerInfo = { name: 'd', address: '10.0.0.2', localAddress: '10.0.0.100', asn: 65002, localAsn: 65000, routerId: '2.2.2.2', ibgp: false, fourOctetAs: true, families: ['ipv4-unicast'] };
const src: ExportSource = { local: false, ibgp: true, routeReflectorClient: false, routerId: '1.1.1.1' };
const C = { fourOctetAs: true, ibgp: true };

const cases: PathAttributes[] = [
  { origin: 0, asPath: [{ type: 2, asns: [65001, 4200000000] }], nextHop: '10.0.0.1', med: 7, localPref: 300, communities: [1, 2], largeCommunities: [[1, 2, 3]], atomicAggregate: true, aggregator: { asn: 65001, address: '1.1.1.1' } },
  { origin: 2, asPath: [], nextHop: '10.0.0.1', originatorId: '3.3.3.3', clusterList: ['4.4.4.4'] },
  { origin: 1, asPath: [{ type: 1, asns: [5, 6] }, { type: 2, asns: [7] }], nextHop: '10.0.0.1', unknown: [{ flags: 0xe0, type: 99, value: Buffer.from([1]) }] },
  { origin: 0, asPath: [{ type: 2, asns: Array.from({ length: 255 }, (_, i) => i + 1) }], nextHop: '10.0.0.1' },
];

test('byte-level eBGP export equals the general export', () => {
  for (const a of cases) {
    const canon = encodeAttributes(a, C);
    const fast = exportEbgpV4Bytes(canon, src, dst);
    assert.ok(fast instanceof Buffer);
    const slow = encodeExport(exportAttributes(a, src, dst, 'ipv4-unicast', '9.9.9.9')!, dst);
    // Same path; the fast path may split a full first segment differently, so compare it flattened.
    const norm = (b: Buffer) => {
      const d = decodeAttributes(b, 0, b.length, C);
      return { ...d, attrs: { ...d.attrs, asPath: d.attrs.asPath?.flatMap((x) => x.asns.map((n) => `${x.type}:${n}`)) } };
    };
    assert.deepEqual(norm(fast), norm(slow));
  }
});

test('byte-level export filters NO_EXPORT and defers confederation paths', () => {
  assert.equal(exportEbgpV4Bytes(encodeAttributes({ origin: 0, asPath: [], nextHop: '10.0.0.1', communities: [0xffffff01] }, C), src, dst), 'filtered');
  assert.equal(exportEbgpV4Bytes(encodeAttributes({ origin: 0, asPath: [{ type: 3, asns: [1] }], nextHop: '10.0.0.1' }, C), src, dst), null);
});
