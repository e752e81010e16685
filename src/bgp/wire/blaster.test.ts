import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUpdateStream } from './blaster.js';
import { MessageFramer } from './framer.js';
import { decodeUpdate } from './update.js';

test('blaster: N prefixes in K attribute sets, messages ≤ max size, consecutive prefixes share a set', () => {
  const msgs = buildUpdateStream({ prefixes: 5000, attrSets: 7, asn: 65001, nextHop: '10.0.0.1' });
  const f = new MessageFramer();
  const ups = msgs.flatMap((m) => f.push(m)).map((m) => decodeUpdate(m.body, { fourOctetAs: true }));
  assert.ok(msgs.every((m) => m.length <= 4096));
  const all = ups.flatMap((u) => u.nlri);
  assert.equal(all.length, 5000);
  assert.equal(new Set(all).size, 5000);
  assert.equal(all[0], '1.0.0.0/24');
  assert.equal(new Set(ups.map((u) => u.attributes.med)).size, 7);
  assert.ok(ups.every((u) => u.errors.length === 0 && u.attributes.asPath![0]!.asns[0] === 65001));
});
