import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentConfig } from './config.js';
import { TopologyError } from '../errors.js';

const cfg = (neighbor: string) => `asn: 65000\nrouterId: 10.0.0.1\nneighbors:\n  - ${neighbor}\n`;

test('bfd: true gives FRR bfdd defaults (300/300/3), single hop, local address as source', () => {
  const c = parseAgentConfig(cfg('{ address: 10.0.0.2, asn: 65001, localAddress: 10.0.0.1, bfd: true }'), 'a.yaml');
  assert.deepEqual(c.bfd, [{ peer: '10.0.0.2', local: '10.0.0.1', minTxMs: 300, minRxMs: 300, multiplier: 3 }]);
  // BFD is not part of the BGP session configuration: changing it never resets BGP.
  assert.equal('bfd' in c.speaker.neighbors[0]!, false);
});

test('bfd settings: intervals, multiplier, passive; multihop follows eBGP multihopTtl unless set', () => {
  const c = parseAgentConfig(cfg('{ address: 10.9.0.2, asn: 65001, multihopTtl: 3, bfd: { transmitInterval: 100, receiveInterval: 150, detectMultiplier: 5, passiveMode: true, minimumTtl: 250 } }'), 'a.yaml');
  assert.deepEqual(c.bfd, [{ peer: '10.9.0.2', minTxMs: 100, minRxMs: 150, multiplier: 5, multihop: true, minTtl: 250, passive: true }]);
  const d = parseAgentConfig(cfg('{ address: 10.9.0.2, asn: 65001, multihopTtl: 3, bfd: { multihop: false } }'), 'a.yaml');
  assert.equal(d.bfd[0]!.multihop, undefined);
});

test('no bfd, bfd: false and bfd.enabled false give no BFD session', () => {
  for (const n of ['{ address: 10.0.0.2, asn: 65001 }', '{ address: 10.0.0.2, asn: 65001, bfd: false }', '{ address: 10.0.0.2, asn: 65001, bfd: { enabled: false } }']) {
    assert.deepEqual(parseAgentConfig(cfg(n), 'a.yaml').bfd, [], n);
  }
});

test('bad bfd settings are refused with the field and its position', () => {
  for (const [n, msg] of [
    ['{ address: 10.0.0.2, asn: 65001, bfd: { transmitInterval: 5 } }', /neighbors\[0\]\.bfd\.transmitInterval: must be >= 10/],
    ['{ address: 10.0.0.2, asn: 65001, bfd: { detectMultiplier: 0 } }', /neighbors\[0\]\.bfd\.detectMultiplier: must be >= 1/],
    ['{ address: 10.0.0.2, asn: 65001, bfd: { echo: true } }', /neighbors\[0\]\.bfd: unknown key "echo"/],
    ['{ address: 10.0.0.2, asn: 65001, bfd: fast }', /neighbors\[0\]\.bfd: must be boolean/],
  ] as const) {
    assert.throws(() => parseAgentConfig(cfg(n), 'a.yaml'), (e: unknown) => {
      assert.ok(e instanceof TopologyError);
      assert.match(`${e.message}\n${e.detail ?? ''}`, msg);
      assert.match(`${e.message}\n${e.detail ?? ''}`, /a\.yaml:4:/);
      return true;
    }, n);
  }
});
