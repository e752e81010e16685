import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAs4, splitAs4 } from './as4.js';
import type { PathAttributes } from './attrs/index.js';

test('RFC 6793 merge: leading 2-octet ASes + AS4_PATH', () => {
  const a: PathAttributes = {
    asPath: [{ type: 2, asns: [65010, 23456, 23456, 65001] }],
    as4Path: [{ type: 2, asns: [4200000001, 4200000002, 65001] }],
    aggregator: { asn: 23456, address: '10.0.0.1' },
    as4Aggregator: { asn: 4200000002, address: '10.0.0.1' },
  };
  const frozen = structuredClone(a);
  assert.deepEqual(mergeAs4(a, false), { asPath: [{ type: 2, asns: [65010, 4200000001, 4200000002, 65001] }], aggregator: { asn: 4200000002, address: '10.0.0.1' } });
  assert.deepEqual(a, frozen);
});

test('RFC 6793 merge: AS4_PATH longer than AS_PATH is ignored; AGGREGATOR not AS_TRANS ignores both', () => {
  assert.deepEqual(mergeAs4({ asPath: [{ type: 2, asns: [1] }], as4Path: [{ type: 2, asns: [5, 6] }] }, false), { asPath: [{ type: 2, asns: [1] }] });
  const r = mergeAs4({ asPath: [{ type: 2, asns: [1, 23456] }], as4Path: [{ type: 2, asns: [70000] }], aggregator: { asn: 1, address: '1.1.1.1' }, as4Aggregator: { asn: 70000, address: '1.1.1.1' } }, false);
  assert.deepEqual(r.asPath, [{ type: 2, asns: [1, 23456] }]);
  assert.deepEqual(mergeAs4({ asPath: [{ type: 2, asns: [1] }], as4Path: [{ type: 2, asns: [5] }] }, true), { asPath: [{ type: 2, asns: [1] }] });
});

test('split for a 2-octet peer and merge back', () => {
  const a: PathAttributes = { asPath: [{ type: 3, asns: [64512] }, { type: 2, asns: [4200000001, 65001] }], aggregator: { asn: 4200000001, address: '10.0.0.1' } };
  const s = splitAs4(a);
  assert.deepEqual(s.asPath, [{ type: 3, asns: [64512] }, { type: 2, asns: [23456, 65001] }]);
  assert.deepEqual(s.as4Path, [{ type: 2, asns: [4200000001, 65001] }]);
  assert.deepEqual(mergeAs4(s, false), a);
});
