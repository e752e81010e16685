import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rib } from './rib.js';
import type { PeerInfo } from './types.js';
import { decodeUpdate } from '../wire/update.js';
import { MessageFramer } from '../wire/framer.js';

const peer = (name: string, asn: number, extra: Partial<PeerInfo> = {}): PeerInfo => ({
  name, address: `10.0.0.${name.replace(/\D/g, '')}`, localAddress: '10.0.0.100', asn, localAsn: 65000, routerId: '1.1.1.1',
  ibgp: asn === 65000, fourOctetAs: true, families: ['ipv4-unicast'], ...extra,
});
const decodeAll = (msgs: Buffer[], four = true) => {
  const f = new MessageFramer({ maxMessageSize: 65535 });
  return msgs.flatMap((m) => f.push(m)).map((m) => decodeUpdate(m.body, { fourOctetAs: four, ibgp: true }));
};

test('originate asPathPrepend: eBGP peers get [our AS, ...prepend], iBGP peers the empty path; Loc-RIB shows the prepend', () => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.255.0.1' });
  const e = rib.addPeer(peer('p1', 65100));
  const i = rib.addPeer(peer('p2', 65000));
  const old = rib.addPeer(peer('p3', 65200, { fourOctetAs: false }));
  for (const p of [e, i, old]) rib.peerUp(p);
  rib.originate('10.1.0.0/24', { asPathPrepend: [65000, 65000, 65000], communities: ['65000:1'] });
  rib.originate('10.2.0.0/24');

  const ebgp = decodeAll(rib.takeUpdates(e, { maxMessageSize: 4096 }));
  const path = (ups: ReturnType<typeof decodeAll>, prefix: string) => ups.find((u) => u.nlri.includes(prefix))!.attributes.asPath;
  assert.deepEqual(path(ebgp, '10.1.0.0/24'), [{ type: 2, asns: [65000, 65000, 65000, 65000] }]);
  assert.deepEqual(path(ebgp, '10.2.0.0/24'), [{ type: 2, asns: [65000] }], 'no prepend: unchanged');

  const ibgp = decodeAll(rib.takeUpdates(i, { maxMessageSize: 4096 }));
  assert.deepEqual(path(ibgp, '10.1.0.0/24'), [], 'an iBGP peer of our AS would drop our own AS as a loop');

  // A different AS (and a 2-octet peer, where a 4-octet prepend goes through AS4_PATH).
  rib.originate('10.1.0.0/24', { asPathPrepend: [4200000001, 4200000001] });
  const two = decodeAll(rib.takeUpdates(old, { maxMessageSize: 4096 }), false).find((u) => u.nlri.includes('10.1.0.0/24'))!;
  assert.deepEqual(two.attributes.asPath, [{ type: 2, asns: [65000, 23456, 23456] }]);
  assert.deepEqual(two.attributes.as4Path, [{ type: 2, asns: [65000, 4200000001, 4200000001] }]);
  // The change is an implicit replace towards the eBGP peer.
  assert.deepEqual(path(decodeAll(rib.takeUpdates(e, { maxMessageSize: 4096 })), '10.1.0.0/24'), [{ type: 2, asns: [65000, 4200000001, 4200000001] }]);

  const loc = [...rib.routes({ family: 'ipv4-unicast', table: 'loc' })].find((r) => r.prefix === '10.1.0.0/24')!;
  assert.deepEqual(loc.asPath, [4200000001, 4200000001]);
  assert.throws(() => rib.originate('10.3.0.0/24', { asPathPrepend: [0] }), /not an AS number/);
});
