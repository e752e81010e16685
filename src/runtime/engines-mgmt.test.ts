import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mgmtVni, mgmtVxlanName } from '../topology/index.js';
import { mgmtVxlanCommands, mgmtVxlanMark } from './engines-mgmt.js';

describe('mgmt VXLAN commands (engines-mgmt)', () => {
  const e = { underlay: '10.250.0.1', dev: 'ul-a' };
  it('two hosts: one device with local and remote, marked, on the bridge', () => {
    const c = mgmtVxlanCommands('lab1', e, ['10.250.0.2'], 'br-123', 1450);
    assert.deepEqual(c[0], ['link', 'add', mgmtVxlanName('lab1'), 'mtu', '1450', 'type', 'vxlan', 'id', String(mgmtVni('lab1')), 'local', '10.250.0.1', 'remote', '10.250.0.2', 'dstport', '4789', 'dev', 'ul-a']);
    assert.deepEqual(c.slice(1), [
      ['link', 'set', 'dev', mgmtVxlanName('lab1'), 'alias', mgmtVxlanMark('lab1')],
      ['link', 'set', 'dev', mgmtVxlanName('lab1'), 'master', 'br-123', 'up'],
    ]);
  });
  it('more hosts: no remote, one flood entry per peer', () => {
    const c = mgmtVxlanCommands('lab1', e, ['10.250.0.2', '10.250.0.3'], 'br-123', 1450);
    assert.ok(!c[0]!.includes('remote'));
    assert.deepEqual(c.filter((x) => x[0] === '-').map((x) => x.slice(1).join(' ')), [
      `bridge fdb append 00:00:00:00:00:00 dev ${mgmtVxlanName('lab1')} dst 10.250.0.2`,
      `bridge fdb append 00:00:00:00:00:00 dev ${mgmtVxlanName('lab1')} dst 10.250.0.3`,
    ]);
  });
});
