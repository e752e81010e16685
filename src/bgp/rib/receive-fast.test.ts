/**
 * The byte-level fast path must accept only what the full decoder accepts without any error, and must
 * fill the best-path columns exactly as the full path does. Differential test over valid and mutated sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internPlainV4 } from './receive-fast.js';
import { RibCore } from './core.js';
import { PeerState } from './peer-state.js';
import { PathInfo } from './path-info.js';
import { decodeAttributes, encodeAttributes } from '../wire/attrs/index.js';
import type { PathAttributes } from '../wire/attrs/types.js';
import type { PeerInfo } from './types.js';

const mk = (ibgp: boolean): PeerInfo => ({ name: 'x', address: '10.0.0.1', localAddress: '10.0.0.100', asn: ibgp ? 65000 : 65001, localAsn: 65000, routerId: '10.0.0.1', ibgp, fourOctetAs: true, families: ['ipv4-unicast'] });

const valid: PathAttributes[] = [
  { origin: 0, asPath: [{ type: 2, asns: [65001, 7] }], nextHop: '10.0.0.1' },
  { origin: 2, asPath: [{ type: 2, asns: [65001] }, { type: 1, asns: [3, 4] }], nextHop: '10.0.0.9', med: 7, communities: [5], largeCommunities: [[1, 2, 3]], atomicAggregate: true, aggregator: { asn: 9, address: '1.1.1.1' } },
  { origin: 1, asPath: [], nextHop: '10.0.0.1', localPref: 300, originatorId: '3.3.3.3', clusterList: ['1.2.3.4', '5.6.7.8'] },
];

function rnd(seed: number) {
  let a = seed;
  return () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

test('fast path ⊆ full path, same best-path columns', () => {
  const r = rnd(42);
  let accepted = 0;
  let total = 0;
  for (const ibgp of [false, true]) {
    const core = new RibCore({ localAsn: 65000, routerId: '10.255.0.1' });
    const p = new PeerState(1, mk(ibgp));
    core.addPeerState(p);
    const ref = new PathInfo();
    ref.grow(4096);
    for (let it = 0; it < 3000; it++) {
      const base = encodeAttributes(valid[it % valid.length]!, { fourOctetAs: true });
      const b = Buffer.from(base);
      if (it >= valid.length * 2) for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) b[Math.floor(r() * b.length)] = [0, 1, 2, 4, 0x40, 0x80, 0xc0, 0xff, Math.floor(r() * 256)][Math.floor(r() * 9)]!;
      total++;
      const id = internPlainV4(core, p, b, 0, b.length);
      if (id < 0) continue;
      accepted++;
      const d = decodeAttributes(b, 0, b.length, p.ctx);
      assert.deepEqual(d.errors.map((e) => e.message), [], `fast path accepted ${b.toString('hex')}`);
      assert.ok(d.attrs.origin !== undefined && d.attrs.asPath && d.attrs.nextHop);
      assert.ok(!d.attrs.asPath.some((s) => s.asns.includes(65000)));
      if (!ibgp) assert.equal(d.attrs.asPath[0]?.asns[0], 65001);
      ref.set(id, d.attrs);
      for (const col of ['localPref', 'med', 'flags', 'origin', 'asPathLen', 'neighborAs', 'originatorId', 'clusterLen'] as const) {
        assert.equal(core.info[col][id], ref[col][id], `${col} of ${b.toString('hex')}`);
      }
      assert.equal(core.info.nextHopName(core.info.nextHop[id]!), d.attrs.nextHop);
    }
  }
  assert.ok(accepted > 100 && accepted < total, `accepted ${accepted} of ${total}`);
});
