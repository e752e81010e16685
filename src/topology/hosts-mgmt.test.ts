import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KindlabError } from '../errors.js';
import { extraEngineGateways, mgmtPerEngine, mgmtVni, mgmtVxlanName } from './hosts-mgmt.js';
import { assignMgmtIPv4 } from './plan.js';
import { parseTopology } from './index.js';

describe('management network over several engines (hosts-mgmt)', () => {
  it('gives each engine its own gateway and a disjoint slice of the subnet', () => {
    assert.deepEqual(mgmtPerEngine({ ipv4Subnet: '172.31.9.0/24', ipv4Gateway: '172.31.9.1' }, ['a', 'b']), [
      { host: 'a', gateway: '172.31.9.1', ipRange: '172.31.9.0/25' },
      { host: 'b', gateway: '172.31.9.254', ipRange: '172.31.9.128/25' },
    ]);
    const three = mgmtPerEngine({ ipv4Subnet: '10.9.0.0/16', ipv4Range: '10.9.4.0/22' }, ['a', 'b', 'c']);
    assert.deepEqual(three.map((e) => [e.gateway, e.ipRange]), [['10.9.0.1', '10.9.4.0/24'], ['10.9.255.254', '10.9.5.0/24'], ['10.9.255.253', '10.9.6.0/24']]);
    assert.deepEqual(extraEngineGateways('10.9.0.0/16', 1), []);
  });

  it('refuses a subnet too small to split, naming the field and the hosts', () => {
    assert.throws(() => mgmtPerEngine({ ipv4Subnet: '10.0.0.0/29' }, ['a', 'b', 'c']), (e: unknown) => e instanceof KindlabError && /mgmt\.ipv4-subnet 10\.0\.0\.0\/29 is too small to give each of the 3 hosts \(a, b, c\)/.test(e.message));
  });

  it('node addresses never take another engine\'s gateway', () => {
    const nodes = Array.from({ length: 6 }, (_, i) => `    n${i}: {}`).join('\n');
    const t = parseTopology(`name: mh
hosts:
  a: { engine: unix:///run/a.sock, underlay: 10.250.0.1 }
  b: { engine: unix:///run/b.sock, underlay: 10.250.0.2 }
mgmt: { ipv4-subnet: 172.31.9.248/29 }
topology:
  defaults: { kind: linux, image: kindlab/base }
  nodes:
${nodes.split('\n').slice(0, 4).join('\n')}
`, { file: 'topo.yaml', env: {} });
    const got = [...assignMgmtIPv4(t).values()];
    // .249 is a's gateway, .254 b's: the four nodes get .250-.253
    assert.deepEqual(got, ['172.31.9.250', '172.31.9.251', '172.31.9.252', '172.31.9.253']);
  });

  it('names the VXLAN device within 15 characters and keeps the VNI stable', () => {
    assert.ok(mgmtVxlanName('a-very-long-lab-name-indeed').length <= 15);
    assert.equal(mgmtVni('x'), mgmtVni('x'));
    assert.notEqual(mgmtVni('x'), mgmtVni('y'));
  });
});
