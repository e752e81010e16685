import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrsOf, normalizeCidr } from './common.js';

test('normalizeCidr: an empty or missing entry is no CIDR, never a TypeError', () => {
  assert.equal(normalizeCidr(undefined), undefined);
  assert.equal(normalizeCidr(null), undefined);
  assert.equal(normalizeCidr(''), undefined);
  assert.equal(normalizeCidr('  '), undefined);
  assert.equal(normalizeCidr('10.1.2.3/16'), '10.1.0.0/16');
});

test('cidrsOf: empty entries are refused with the field named', () => {
  const problems: string[] = [];
  const got = cidrsOf(['10.96.0.0/12', undefined, '', 'nope'], (i) => `BGPConfiguration spec.serviceExternalIPs[${i}].cidr`, problems);
  assert.deepEqual(got, ['10.96.0.0/12']);
  assert.deepEqual(problems, [
    'BGPConfiguration spec.serviceExternalIPs[1].cidr: empty CIDR',
    'BGPConfiguration spec.serviceExternalIPs[2].cidr: empty CIDR',
    'BGPConfiguration spec.serviceExternalIPs[3].cidr: "nope" is not a CIDR',
  ]);
});
