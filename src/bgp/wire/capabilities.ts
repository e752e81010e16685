import { CAP, NOTIF } from './constants.js';
import { wireError } from './errors.js';

/** Capabilities advertised in OPEN (RFC 5492); decode(encode(x)) deep-equals x. */
export interface Capabilities {
  multiprotocol: Array<{ afi: number; safi: number }>;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  fourOctetAsn?: number;
  gracefulRestart?: {
    restarting: boolean;
    notification: boolean;
    restartTime: number;
    families: Array<{ afi: number; safi: number; forwardingPreserved: boolean }>;
  };
  extendedNextHop: Array<{ afi: number; safi: number; nextHopAfi: number }>;
  extendedMessage: boolean;
  unknown: Array<{ code: number; value: Buffer }>;
}

export function emptyCapabilities(): Capabilities {
  return { multiprotocol: [], routeRefresh: false, enhancedRouteRefresh: false, extendedNextHop: [], extendedMessage: false, unknown: [] };
}

const tlv = (code: number, value: Buffer): Buffer => {
  if (value.length > 255) throw new RangeError(`capability ${code} too long (${value.length})`);
  return Buffer.concat([Buffer.from([code, value.length]), value]);
};

/** Encodes each capability as one TLV, in a fixed order. */
export function encodeCapabilities(c: Capabilities): Buffer[] {
  const out: Buffer[] = [];
  for (const m of c.multiprotocol) {
    const v = Buffer.alloc(4);
    v.writeUInt16BE(m.afi, 0);
    v[3] = m.safi;
    out.push(tlv(CAP.MULTIPROTOCOL, v));
  }
  if (c.routeRefresh) out.push(tlv(CAP.ROUTE_REFRESH, Buffer.alloc(0)));
  if (c.extendedNextHop.length > 0) {
    const v = Buffer.alloc(6 * c.extendedNextHop.length);
    c.extendedNextHop.forEach((e, i) => {
      v.writeUInt16BE(e.afi, i * 6);
      v.writeUInt16BE(e.safi, i * 6 + 2);
      v.writeUInt16BE(e.nextHopAfi, i * 6 + 4);
    });
    out.push(tlv(CAP.EXTENDED_NEXT_HOP, v));
  }
  if (c.extendedMessage) out.push(tlv(CAP.EXTENDED_MESSAGE, Buffer.alloc(0)));
  if (c.gracefulRestart) {
    const g = c.gracefulRestart;
    const v = Buffer.alloc(2 + 4 * g.families.length);
    v.writeUInt16BE((g.restarting ? 0x8000 : 0) | (g.notification ? 0x4000 : 0) | (g.restartTime & 0x0fff), 0);
    g.families.forEach((f, i) => {
      v.writeUInt16BE(f.afi, 2 + i * 4);
      v[4 + i * 4] = f.safi;
      v[5 + i * 4] = f.forwardingPreserved ? 0x80 : 0;
    });
    out.push(tlv(CAP.GRACEFUL_RESTART, v));
  }
  if (c.fourOctetAsn !== undefined) {
    const v = Buffer.alloc(4);
    v.writeUInt32BE(c.fourOctetAsn >>> 0);
    out.push(tlv(CAP.FOUR_OCTET_AS, v));
  }
  if (c.enhancedRouteRefresh) out.push(tlv(CAP.ENHANCED_ROUTE_REFRESH, Buffer.alloc(0)));
  for (const u of c.unknown) out.push(tlv(u.code, u.value));
  return out;
}

const bad = (msg: string) => wireError(`OPEN capability: ${msg}`, NOTIF.OPEN_MESSAGE_ERROR, 0);

/** Decodes the capability TLVs of one Capabilities optional parameter into `c`. */
export function decodeCapabilitiesInto(c: Capabilities, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    if (off + 2 > buf.length) throw bad('truncated capability header');
    const code = buf[off]!;
    const len = buf[off + 1]!;
    off += 2;
    if (off + len > buf.length) throw bad(`capability ${code} length ${len} overruns the parameter`);
    const v = buf.subarray(off, off + len);
    off += len;
    decodeOne(c, code, v);
  }
}

function decodeOne(c: Capabilities, code: number, v: Buffer): void {
  switch (code) {
    case CAP.MULTIPROTOCOL:
      if (v.length !== 4) throw bad(`multiprotocol length ${v.length}`);
      c.multiprotocol.push({ afi: v.readUInt16BE(0), safi: v[3]! });
      return;
    case CAP.ROUTE_REFRESH:
      c.routeRefresh = true;
      return;
    case CAP.ENHANCED_ROUTE_REFRESH:
      c.enhancedRouteRefresh = true;
      return;
    case CAP.EXTENDED_MESSAGE:
      c.extendedMessage = true;
      return;
    case CAP.FOUR_OCTET_AS:
      if (v.length !== 4) throw bad(`4-octet AS length ${v.length}`);
      c.fourOctetAsn = v.readUInt32BE(0);
      return;
    case CAP.EXTENDED_NEXT_HOP:
      if (v.length % 6 !== 0) throw bad(`extended next hop length ${v.length}`);
      for (let i = 0; i < v.length; i += 6) {
        c.extendedNextHop.push({ afi: v.readUInt16BE(i), safi: v.readUInt16BE(i + 2), nextHopAfi: v.readUInt16BE(i + 4) });
      }
      return;
    case CAP.GRACEFUL_RESTART: {
      if (v.length < 2 || (v.length - 2) % 4 !== 0) throw bad(`graceful restart length ${v.length}`);
      const w = v.readUInt16BE(0);
      const families: Array<{ afi: number; safi: number; forwardingPreserved: boolean }> = [];
      for (let i = 2; i < v.length; i += 4) {
        families.push({ afi: v.readUInt16BE(i), safi: v[i + 2]!, forwardingPreserved: (v[i + 3]! & 0x80) !== 0 });
      }
      c.gracefulRestart = { restarting: (w & 0x8000) !== 0, notification: (w & 0x4000) !== 0, restartTime: w & 0x0fff, families };
      return;
    }
    default:
      c.unknown.push({ code, value: Buffer.from(v) });
  }
}
