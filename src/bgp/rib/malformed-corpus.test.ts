/**
 * Replays every hostile message in test/fixtures/bgp/malformed/ through the framer, the decoders and the
 * RIB, and checks the outcome each file declares (NOTIFICATION code/subcode/data, treat-as-withdraw,
 * attribute discard, reject, ignore). A route 10.1.0.0/24 is announced first, so a withdraw is visible.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageFramer } from '../wire/framer.js';
import { BgpWireError } from '../wire/errors.js';
import { decodeOpen } from '../wire/open.js';
import { decodeNotification } from '../wire/notification.js';
import { decodeRouteRefresh } from '../wire/route-refresh.js';
import { encodeUpdate } from '../wire/update.js';
import { Rib } from './rib.js';

interface Fixture {
  description: string;
  session: { fourOctetAs: boolean; ibgp: boolean; peerAs: number; localAs: number };
  hex: string;
  expect: { action: string; notification?: { code: number; subcode: number; data?: string } };
}
interface Outcome { action: string; notification?: { code: number; subcode: number; data: Buffer } }

const dir = join(import.meta.dirname, '../../../test/fixtures/bgp/malformed');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function replay(fx: Fixture, rib: Rib, peer: number): Outcome {
  let msgs;
  try {
    msgs = new MessageFramer().push(Buffer.from(fx.hex, 'hex'));
  } catch (e) {
    if (!(e instanceof BgpWireError)) throw e;
    return { action: e.action, notification: e.notification };
  }
  assert.ok(msgs.length > 0, 'fixture holds a complete message');
  let last: Outcome = { action: 'ok' };
  for (const m of msgs) {
    try {
      if (m.type === 1) decodeOpen(m.body);
      else if (m.type === 3) decodeNotification(m.body);
      else if (m.type === 5) {
        if (decodeRouteRefresh(m.body).subtype > 2) last = { action: 'ignore' };
      } else if (m.type === 2) {
        const r = rib.applyUpdate(peer, m.body);
        if (r.action !== 'ok') last = { action: r.action, notification: r.notification };
        else if (r.endOfRib) last = { action: 'end-of-rib' };
        else if (r.errors.some((e) => e.startsWith('attribute-discard'))) last = { action: 'attribute-discard' };
        else if (r.errors.some((e) => e.startsWith('rejected'))) last = { action: 'reject' };
      }
    } catch (e) {
      if (!(e instanceof BgpWireError)) throw e;
      return { action: e.action, notification: e.notification };
    }
  }
  return last;
}

test(`malformed corpus has at least 45 fixtures (${files.length})`, () => assert.ok(files.length >= 45));

for (const f of files) {
  const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture;
  test(`${f}: ${fx.description} → ${fx.expect.action}`, () => {
    const s = fx.session;
    const rib = new Rib({ localAsn: s.localAs, routerId: '10.255.0.1' });
    const peer = rib.addPeer({ name: 'hostile', address: '10.0.0.1', localAddress: '10.0.0.100', asn: s.peerAs, localAsn: s.localAs, routerId: '10.0.0.1',
      ibgp: s.ibgp, fourOctetAs: s.fourOctetAs, families: ['ipv4-unicast', 'ipv6-unicast'] });
    rib.peerUp(peer);
    const seed = encodeUpdate({ withdrawn: [], nlri: ['10.1.0.0/24'], attributes: { origin: 0, asPath: [{ type: 2, asns: [s.peerAs] }], nextHop: '10.0.0.1' } }, { fourOctetAs: s.fourOctetAs });
    assert.equal(rib.applyUpdate(peer, seed.subarray(19)).action, 'ok');
    const got = replay(fx, rib, peer);
    assert.equal(got.action, fx.expect.action, JSON.stringify(got));
    const n = fx.expect.notification;
    if (n) {
      assert.ok(got.notification, 'a NOTIFICATION is specified');
      assert.deepEqual([got.notification.code, got.notification.subcode], [n.code, n.subcode]);
      if (n.data !== undefined) assert.equal(got.notification.data.toString('hex'), n.data);
    }
    const present = [...rib.routes({ family: 'ipv4-unicast', table: 'loc' })].some((r) => r.prefix === '10.1.0.0/24');
    const v4Nlri = fx.hex.endsWith('180a0100');
    if (['treat-as-withdraw', 'reject'].includes(fx.expect.action) && v4Nlri) assert.equal(present, false, 'the route is withdrawn');
    if (['attribute-discard', 'ok'].includes(fx.expect.action) && v4Nlri) assert.equal(present, true, 'the route stays');
  });
}
