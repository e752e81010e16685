/** ipFamilyPolicy / ipFamilies settled as kube-apiserver does, with its error texts (field: Invalid value: …). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalid } from '../store/errors.js';
import { settleIPFamilies, type IPFamilyFields, type Settled } from './ip-families.js';

const DUAL = ['IPv4', 'IPv6'] as const;
const settle = (clusterFamilies: ReadonlyArray<'IPv4' | 'IPv6'>, spec: IPFamilyFields, extra: { old?: IPFamilyFields; hasSelector?: boolean } = {}): Settled =>
  settleIPFamilies({ clusterFamilies: [...clusterFamilies], spec, hasSelector: extra.hasSelector ?? true, ...(extra.old ? { old: extra.old } : {}) });
const ok = (s: Settled) => {
  assert.ok(s.ok, JSON.stringify(s));
  return [s.policy, s.families, s.requested];
};
/** The message kubectl prints for the causes. */
const text = (s: Settled) => {
  assert.ok(!s.ok, JSON.stringify(s));
  return invalid('Service', 'web', s.causes).message;
};

test('dual-stack cluster: SingleStack by default (first cluster family), PreferDualStack and RequireDualStack add the other family', () => {
  assert.deepEqual(ok(settle(DUAL, {})), ['SingleStack', ['IPv4'], [undefined]]);
  assert.deepEqual(ok(settle(['IPv6', 'IPv4'], {})), ['SingleStack', ['IPv6'], [undefined]], 'an IPv6-primary cluster');
  assert.deepEqual(ok(settle(DUAL, { ipFamilyPolicy: 'PreferDualStack' })), ['PreferDualStack', ['IPv4', 'IPv6'], [undefined, undefined]]);
  assert.deepEqual(ok(settle(DUAL, { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'] })), ['RequireDualStack', ['IPv6', 'IPv4'], [undefined, undefined]]);
  assert.deepEqual(ok(settle(DUAL, { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] })), ['SingleStack', ['IPv6'], [undefined]]);
  // requested addresses give their families, in order
  assert.deepEqual(ok(settle(DUAL, { clusterIP: 'fd00:10:96::20', clusterIPs: ['fd00:10:96::20', '10.96.0.20'], ipFamilyPolicy: 'RequireDualStack' })), ['RequireDualStack', ['IPv6', 'IPv4'], ['fd00:10:96::20', '10.96.0.20']]);
  assert.deepEqual(ok(settle(DUAL, { clusterIP: '10.96.0.20', ipFamilyPolicy: 'PreferDualStack' })), ['PreferDualStack', ['IPv4', 'IPv6'], ['10.96.0.20', undefined]], 'an old client sets clusterIP alone');
  assert.equal(text(settle(DUAL, { ipFamilies: ['IPv4', 'IPv6'] })), `Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified`);
});

test('single-stack cluster: RequireDualStack and an unconfigured family are refused with kube-apiserver\'s texts; PreferDualStack stays single', () => {
  assert.equal(text(settle(['IPv4'], { ipFamilyPolicy: 'RequireDualStack' })), 'Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
  assert.equal(text(settle(['IPv4'], { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] })), 'Service "web" is invalid: [spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services, spec.ipFamilies[1]: Invalid value: "IPv6": not configured on this cluster]');
  assert.equal(text(settle(['IPv4'], { clusterIP: 'fd00:10:96::5' })), 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"fd00:10:96::5"}: IPv6 is not configured on this cluster');
  assert.deepEqual(ok(settle(['IPv4'], { ipFamilyPolicy: 'PreferDualStack' })), ['PreferDualStack', ['IPv4'], [undefined]]);
  assert.deepEqual(ok(settle(['IPv6'], {})), ['SingleStack', ['IPv6'], [undefined]], 'an IPv6-only cluster');
});

test('field checks come first: clusterIPs against clusterIP and ipFamilies, duplicates, unsupported values', () => {
  assert.match(text(settle(DUAL, { clusterIPs: ['10.96.0.5'] })), /spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.0\.5"\}: must be empty when `clusterIP` is not specified/);
  assert.match(text(settle(DUAL, { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] })), /spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.0\.6"\}: first value must match `clusterIP`/);
  assert.match(text(settle(DUAL, { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', '10.96.0.6'], ipFamilyPolicy: 'PreferDualStack' })), /may specify no more than one IP for each IP family/);
  assert.match(text(settle(DUAL, { clusterIP: '10.96.0.5', ipFamilies: ['IPv6'] })), /spec\.clusterIPs\[0\]: Invalid value: "10\.96\.0\.5": expected an IPv6 value as indicated by `ipFamilies\[0\]`/);
  assert.match(text(settle(DUAL, { ipFamilies: ['IPv4', 'IPv4'], ipFamilyPolicy: 'PreferDualStack' })), /spec\.ipFamilies\[1\]: Duplicate value: "IPv4"/);
  assert.match(text(settle(DUAL, { ipFamilies: ['IPv5'] })), /spec\.ipFamilies\[0\]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"/);
  assert.match(text(settle(DUAL, { ipFamilyPolicy: 'DualStack' })), /spec\.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"/);
  assert.match(text(settle(DUAL, { clusterIP: '10.96.0.300' })), /spec\.clusterIPs\[0\]: Invalid value: "10\.96\.0\.300": must be a valid IP address/);
});

test('headless: no addresses; without a selector both families by default, even on a single-stack cluster', () => {
  assert.deepEqual(ok(settle(['IPv4'], { clusterIP: 'None' }, { hasSelector: false })), ['RequireDualStack', ['IPv4', 'IPv6'], []]);
  assert.deepEqual(ok(settle(DUAL, { clusterIP: 'None' })), ['SingleStack', ['IPv4'], []]);
  assert.deepEqual(ok(settle(DUAL, { clusterIP: 'None', ipFamilyPolicy: 'PreferDualStack' })), ['PreferDualStack', ['IPv4', 'IPv6'], []]);
  assert.match(text(settle(['IPv4'], { clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack' })), /not configured for dual-stack services/);
});

test('update: the stored policy is kept; SingleStack releases the secondary address, any other policy may not drop it', () => {
  const old = { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00:10:96::a'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' };
  assert.deepEqual(ok(settle(DUAL, { ...old, ipFamilyPolicy: undefined }, { old })), ['PreferDualStack', ['IPv4', 'IPv6'], ['10.96.0.10', 'fd00:10:96::a']]);
  assert.deepEqual(ok(settle(DUAL, { ...old, ipFamilyPolicy: 'SingleStack' }, { old })), ['SingleStack', ['IPv4'], ['10.96.0.10']]);
  assert.match(text(settle(DUAL, { ...old, clusterIPs: ['10.96.0.10'] }, { old })), /spec\.ipFamilyPolicy: Invalid value: "PreferDualStack": must be 'SingleStack' to release the secondary cluster IP/);
  // upgrade: a SingleStack Service asked to PreferDualStack gets the second family (its address allocated)
  const single = { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' };
  assert.deepEqual(ok(settle(DUAL, { ...single, ipFamilyPolicy: 'PreferDualStack' }, { old: single })), ['PreferDualStack', ['IPv4', 'IPv6'], ['10.96.0.11', undefined]]);
});
