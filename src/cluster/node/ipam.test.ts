import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { allocate, gatewayOf, HostLocalIpam, nextFree, release, type IpamState } from './ipam.js';

test('gateway is the first address; allocation skips network, gateway and broadcast', () => {
  assert.equal(gatewayOf('10.244.1.0/24'), '10.244.1.1');
  assert.equal(nextFree('10.244.1.0/24', new Set()), '10.244.1.2');
  assert.equal(nextFree('10.244.1.0/30', new Set()), '10.244.1.2');
  assert.equal(nextFree('10.244.1.0/30', new Set(['10.244.1.2'])), undefined);
  assert.equal(nextFree('10.244.1.0/24', new Set(), '10.244.1.254'), '10.244.1.2', 'wraps after the last usable address');
});

test('round-robin after the last allocation, idempotent per uid, released addresses reused last', () => {
  let s: IpamState = { cidr: '10.1.2.0/29', entries: [] };
  const ips: string[] = [];
  for (const uid of ['a', 'b', 'c']) {
    const r = allocate(s, `default/${uid}`, uid);
    s = r.state;
    ips.push(r.ip);
  }
  assert.deepEqual(ips, ['10.1.2.2', '10.1.2.3', '10.1.2.4']);
  assert.equal(allocate(s, 'default/b', 'b').ip, '10.1.2.3');
  s = release(s, 'a');
  const d = allocate(s, 'default/d', 'd');
  assert.equal(d.ip, '10.1.2.5', 'continues after .4 rather than reusing .2 at once');
  s = allocate(d.state, 'default/e', 'e').state;
  const f = allocate(s, 'default/f', 'f');
  assert.equal(f.ip, '10.1.2.2', 'wraps to the released address');
  assert.throws(() => allocate(f.state, 'default/g', 'g'), /exhausted/);
});

test('HostLocalIpam persists across instances; a different CIDR starts fresh', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-ipam-'));
  const file = path.join(dir, 'ipam.json');
  const a = new HostLocalIpam(file, '10.244.3.0/24');
  assert.equal(a.allocate('default/p1', 'u1'), '10.244.3.2');
  assert.equal(a.allocate('default/p2', 'u2'), '10.244.3.3');
  const b = new HostLocalIpam(file, '10.244.3.0/24');
  assert.deepEqual(b.entries().map((e) => e.ip), ['10.244.3.2', '10.244.3.3']);
  assert.equal(b.allocate('default/p1', 'u1'), '10.244.3.2');
  b.release('u1');
  assert.deepEqual(new HostLocalIpam(file, '10.244.3.0/24').entries().map((e) => e.uid), ['u2']);
  assert.deepEqual(new HostLocalIpam(file, '10.244.9.0/24').entries(), []);
  fs.rmSync(dir, { recursive: true });
});

test('IPv6 pod CIDR: gateway ::1, addresses from ::2 round-robin, HostLocalIpam on a /64', () => {
  assert.equal(gatewayOf('fd00:10:244:1::/64'), 'fd00:10:244:1::1');
  assert.equal(nextFree('fd00:10:244:1::/64', new Set()), 'fd00:10:244:1::2');
  assert.equal(nextFree('fd00:10:244:1::/64', new Set(['fd00:10:244:1::3']), 'fd00:10:244:1::2'), 'fd00:10:244:1::4');
  assert.equal(nextFree('fd00:10:244:1::/126', new Set(['fd00:10:244:1::2', 'fd00:10:244:1::3'])), undefined);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kindlab-ipam6-')), 'ipam.json');
  const ipam = new HostLocalIpam(file, 'fd00:10:244:2::/64');
  assert.equal(ipam.allocate('default/a', 'u1'), 'fd00:10:244:2::2');
  assert.equal(ipam.allocate('default/b', 'u2'), 'fd00:10:244:2::3');
  assert.equal(ipam.prefix, 64);
  assert.equal(ipam.gateway, 'fd00:10:244:2::1');
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
