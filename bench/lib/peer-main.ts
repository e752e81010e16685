/**
 * Child process for the BGP benchmarks, started with `ip netns exec NS node --import tsx bench/lib/peer-main.ts`.
 *   blaster --host H --local L --asn A --prefixes N --sets S   pre-builds the UPDATE stream (src/bgp/wire/blaster.ts),
 *           connects, and writes it as fast as TCP allows, then End-of-RIB.
 *   monitor --host H --local L --asn A --expect N               counts the /24s the daemon re-advertises.
 * Reports JSON lines on stdout: {event, t, ...} with t in wall-clock ms (see nowMs). Runs until killed.
 */
import { parseArgs } from 'node:util';
import { buildUpdateBytes } from '../../src/bgp/wire/blaster.js';
import { AFI, SAFI, encodeEndOfRib } from '../../src/bgp/wire/index.js';
import { connectPeer, nowMs, PrefixCounter } from './raw-peer.js';

const { positionals, values: v } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string' },
    local: { type: 'string' },
    asn: { type: 'string' },
    prefixes: { type: 'string', default: '1000000' },
    sets: { type: 'string', default: '1000' },
    expect: { type: 'string', default: '1000000' },
    first: { type: 'string', default: '1.0.0.0' },
  },
});
const report = (event: string, extra: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, t: nowMs(), ...extra })}\n`);
const asn = Number(v.asn);
const common = { host: v.host!, localAddress: v.local, asn, routerId: v.local!, onDown: (why: string) => report('down', { reason: why }) };

async function blaster(): Promise<void> {
  const prefixes = Number(v.prefixes);
  const bytes = buildUpdateBytes({ prefixes, attrSets: Math.min(Number(v.sets), prefixes), asn, nextHop: v.local!, firstPrefix: v.first });
  report('built', { bytes: bytes.length });
  const peer = await connectPeer(common);
  if (peer.peerOpen.capabilities.fourOctetAsn === undefined) throw new Error('peer does not do 4-octet AS; the stream is built for it');
  report('established', { t: peer.establishedAt });
  await peer.write(bytes);
  await peer.write(encodeEndOfRib(AFI.IPV4, SAFI.UNICAST));
  report('sent', { bytes: bytes.length });
}

async function monitor(): Promise<void> {
  const expect = Number(v.expect);
  const c = new PrefixCounter();
  let done = false;
  const peer = await connectPeer({
    ...common,
    onUpdate: (body) => {
      c.add(body);
      if (!done && c.count >= expect) {
        done = true;
        report('complete', { count: c.count, updates: c.updates });
      }
    },
  });
  report('established', { t: peer.establishedAt });
  setInterval(() => report('progress', { count: c.count, other: c.other, updates: c.updates }), 1000);
}

const mode = positionals[0];
(mode === 'blaster' ? blaster() : mode === 'monitor' ? monitor() : Promise.reject(new Error(`mode ${mode}?`))).catch((e: Error) => {
  report('error', { reason: e.message });
  process.exit(1);
});
