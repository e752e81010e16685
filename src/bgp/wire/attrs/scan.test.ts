/**
 * Each codec's scan hook must say "fine" exactly when its decoder returns without throwing (4-octet AS), and
 * the attribute walker must stop where the decoder reports truncation or overrun.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttrWalk, CODECS, ScanOut, WALK, decodeAttributes, encodeAttributes } from './index.js';
import { ATTR } from '../constants.js';
import { ipv4ToNumber } from '../ip.js';

function rnd(seed: number) {
  let a = seed;
  return () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const SAMPLES: Record<number, Buffer> = {
  [ATTR.ORIGIN]: Buffer.from([1]),
  [ATTR.AS_PATH]: Buffer.from('0202000000010000fde8010100000007', 'hex'),
  [ATTR.NEXT_HOP]: Buffer.from([10, 0, 0, 1]),
  [ATTR.MULTI_EXIT_DISC]: Buffer.from([0, 0, 0, 5]),
  [ATTR.LOCAL_PREF]: Buffer.from([0, 0, 1, 0]),
  [ATTR.ATOMIC_AGGREGATE]: Buffer.alloc(0),
  [ATTR.AGGREGATOR]: Buffer.from([0, 0, 0, 9, 1, 1, 1, 1]),
  [ATTR.COMMUNITIES]: Buffer.from([0, 1, 0, 2, 0xff, 0xff, 0xff, 0x01]),
  [ATTR.ORIGINATOR_ID]: Buffer.from([3, 3, 3, 3]),
  [ATTR.CLUSTER_LIST]: Buffer.from([1, 2, 3, 4, 10, 255, 0, 1]),
  [ATTR.LARGE_COMMUNITY]: Buffer.alloc(12, 1),
};

test('every scan hook accepts exactly what its decoder accepts', () => {
  const r = rnd(7);
  const scanned = CODECS.filter((c) => c?.scan);
  assert.deepEqual(scanned.map((c) => c!.type).sort((a, b) => a - b), Object.keys(SAMPLES).map(Number).sort((a, b) => a - b));
  const ctx = { localAsn: 65000, clusterId: ipv4ToNumber('10.255.0.1') };
  let yes = 0;
  let no = 0;
  for (const c of scanned) {
    const base = SAMPLES[c!.type]!;
    for (let it = 0; it < 2000; it++) {
      let v = Buffer.from(base);
      if (it > 0) {
        const op = Math.floor(r() * 4);
        if (op === 0 && v.length) v[Math.floor(r() * v.length)] = [0, 1, 2, 3, 4, 5, 0xff, Math.floor(r() * 256)][Math.floor(r() * 8)]!;
        else if (op === 1) v = v.subarray(0, Math.floor(r() * (v.length + 1)));
        else if (op === 2) v = Buffer.concat([v, Buffer.from([Math.floor(r() * 256)])]);
        else v = Buffer.from(Array.from({ length: Math.floor(r() * 14) }, () => Math.floor(r() * 6)));
      }
      // Embed at an offset so hooks that ignore `v` would be caught.
      const b = Buffer.concat([Buffer.from([0xee, 0xee]), v, Buffer.from([0xee])]);
      let decodes = true;
      try {
        c!.decode(v, { fourOctetAs: true, ibgp: true });
      } catch {
        decodes = false;
      }
      const scans = c!.scan!(b, 2, 2 + v.length, ctx, new ScanOut());
      assert.equal(scans, decodes, `${c!.key} ${v.toString('hex')}: scan ${scans}, decode ${decodes}`);
      if (scans) yes++;
      else no++;
    }
  }
  assert.ok(yes > 500 && no > 500, `${yes} accepted, ${no} refused`);
});

test('scan hooks fill the facts best path and the loop checks read', () => {
  const out = new ScanOut();
  const ctx = { localAsn: 65000, clusterId: ipv4ToNumber('10.255.0.1') };
  const asPath = SAMPLES[ATTR.AS_PATH]!; // SEQUENCE [1, 65000], SET [7]
  assert.ok(CODECS[ATTR.AS_PATH]!.scan!(asPath, 0, asPath.length, ctx, out));
  assert.equal(out.asPathLen, 3);
  assert.equal(out.firstSegType, 2);
  assert.equal(out.neighborAs, 1);
  assert.equal(out.asLoop, true);
  const cl = SAMPLES[ATTR.CLUSTER_LIST]!;
  assert.ok(CODECS[ATTR.CLUSTER_LIST]!.scan!(cl, 0, cl.length, ctx, out));
  assert.equal(out.clusterLen, 2);
  assert.equal(out.clusterLoop, true);
  out.reset();
  assert.equal(out.asLoop, false);
  assert.equal(out.asPathLen, -1);
});

test('the walker stops where the decoder reports a truncated header or an overrun', () => {
  const good = encodeAttributes({ origin: 0, asPath: [{ type: 2, asns: [1] }], nextHop: '10.0.0.1', communities: Array.from({ length: 70 }, (_, i) => i) }, { fourOctetAs: true });
  const types: number[] = [];
  const w = new AttrWalk(good, 0, good.length);
  while (w.step()) types.push(w.type);
  assert.deepEqual(types, [ATTR.ORIGIN, ATTR.AS_PATH, ATTR.NEXT_HOP, ATTR.COMMUNITIES]);
  assert.equal(w.error, WALK.OK);
  for (let cut = 1; cut < good.length; cut++) {
    const b = good.subarray(0, cut);
    const t = new AttrWalk(b, 0, b.length);
    while (t.step());
    const d = decodeAttributes(b, 0, b.length, { fourOctetAs: true });
    const msg = d.errors.map((e) => e.message).find((m) => /truncated|overruns/.test(m));
    if (t.error === WALK.OK) assert.equal(msg, undefined, `cut ${cut}`);
    else if (t.error === WALK.HEADER_TRUNCATED) assert.equal(msg, `attribute header truncated at offset ${t.at}`, `cut ${cut}`);
    else assert.equal(msg, `attribute ${t.type} length ${t.len} overruns the attributes`, `cut ${cut}`);
  }
});
