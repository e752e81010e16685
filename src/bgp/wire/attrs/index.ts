import { ATTR, FLAG, NOTIF, UPDATE_ERR } from '../constants.js';
import { BgpWireError, wireError, type WireErrorAction } from '../errors.js';
import { flagsConflict, type AttrCodec } from './codec.js';
import { AttrWalk, WALK } from './walk.js';
import { origin } from './origin.js';
import { asPath } from './as-path.js';
import { nextHop } from './next-hop.js';
import { med } from './med.js';
import { localPref } from './local-pref.js';
import { atomicAggregate } from './atomic-aggregate.js';
import { aggregator } from './aggregator.js';
import { communities } from './communities.js';
import { originatorId } from './originator-id.js';
import { clusterList } from './cluster-list.js';
import { mpReach } from './mp-reach.js';
import { mpUnreach } from './mp-unreach.js';
import { as4Path } from './as4-path.js';
import { as4Aggregator } from './as4-aggregator.js';
import { largeCommunities } from './large-communities.js';
import { AttrMalformed, type AttrContext, type PathAttributes } from './types.js';

export * from './types.js';
export { AttrWalk, WALK, type WalkError } from './walk.js';
export { ScanOut, flagsConflict, type ScanContext } from './codec.js';

type AnyCodec = AttrCodec<keyof PathAttributes>;
const ALL = [origin, asPath, nextHop, med, localPref, atomicAggregate, aggregator, communities, originatorId, clusterList, mpReach, mpUnreach, as4Path, as4Aggregator, largeCommunities] as unknown as AnyCodec[];

/** Attribute codecs by type code. */
export const CODECS: ReadonlyArray<AnyCodec | undefined> = (() => {
  const a: Array<AnyCodec | undefined> = new Array(256).fill(undefined);
  for (const c of ALL) a[c.type] = c;
  return a;
})();

export interface DecodedAttributes {
  attrs: PathAttributes;
  /** RFC 7606 treat-as-withdraw: the UPDATE's NLRI must be handled as withdrawn. */
  treatAsWithdraw: boolean;
  /** Every recoverable problem (treat-as-withdraw, attribute-discard), with the NOTIFICATION RFC 4271 would have sent. */
  errors: BgpWireError[];
}

const ATTR_LIST = UPDATE_ERR.MALFORMED_ATTRIBUTE_LIST;

/**
 * Decodes the path attributes in buf[start, end) following RFC 7606. Throws BgpWireError for errors whose
 * action is session-reset (unknown well-known attribute, malformed or repeated MP_REACH/MP_UNREACH).
 */
export function decodeAttributes(buf: Buffer, start: number, end: number, ctx: AttrContext): DecodedAttributes {
  const attrs: PathAttributes = {};
  const errors: BgpWireError[] = [];
  let treatAsWithdraw = false;
  const seen = new Uint8Array(256);
  const recover = (msg: string, subcode: number, data: Buffer, action: WireErrorAction) => {
    const err = wireError(msg, NOTIF.UPDATE_MESSAGE_ERROR, subcode, Buffer.from(data), action);
    if (action === 'session-reset' || action === 'afisafi-disable') throw err;
    errors.push(err);
    if (action === 'treat-as-withdraw') treatAsWithdraw = true;
  };
  const w = new AttrWalk(buf, start, end);
  while (w.step()) {
    const { flags, type } = w;
    const value = buf.subarray(w.value, w.end);
    // The whole attribute is NOTIFICATION data; made only when there is an error.
    const whole = () => buf.subarray(w.at, w.end);
    const codec = CODECS[type];
    if (seen[type]) {
      // RFC 7606 §3(g): repeated MP attributes reset the session; any other repeat is discarded.
      if (type === ATTR.MP_REACH_NLRI || type === ATTR.MP_UNREACH_NLRI) recover(`attribute ${type} repeated`, ATTR_LIST, whole(), 'session-reset');
      else recover(`attribute ${type} repeated`, ATTR_LIST, whole(), 'attribute-discard');
      continue;
    }
    seen[type] = 1;
    if (!codec) {
      if ((flags & FLAG.OPTIONAL) === 0) {
        recover(`unrecognized well-known attribute ${type}`, UPDATE_ERR.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, whole(), 'session-reset');
      }
      if (flags & FLAG.TRANSITIVE) {
        (attrs.unknown ??= []).push({ flags: (flags & 0xe0) | FLAG.PARTIAL, type, value: Buffer.from(value) });
      }
      continue;
    }
    if (flagsConflict(codec, flags)) {
      recover(`attribute ${type} has flags 0x${flags.toString(16)}`, UPDATE_ERR.ATTRIBUTE_FLAGS_ERROR, whole(), codec.onError);
      continue;
    }
    if (codec.ibgpOnly && !ctx.ibgp) {
      // RFC 7606 §7.5 (LOCAL_PREF) and RFC 4456: meaningless from an external peer; discard.
      recover(`attribute ${type} from an external peer discarded`, UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR, whole(), 'attribute-discard');
      continue;
    }
    try {
      (attrs as Record<string, unknown>)[codec.key] = codec.decode(value, ctx);
    } catch (e) {
      if (!(e instanceof AttrMalformed)) throw e;
      recover(e.message, e.subcode, whole(), e.action ?? codec.onError);
    }
  }
  if (w.error === WALK.HEADER_TRUNCATED) {
    recover(`attribute header truncated at offset ${w.at}`, ATTR_LIST, buf.subarray(w.at, end), 'treat-as-withdraw');
  } else if (w.error === WALK.OVERRUN) {
    // RFC 7606 §4: the total attribute length still locates the NLRI; MP attributes cannot be recovered.
    const mp = w.type === ATTR.MP_REACH_NLRI || w.type === ATTR.MP_UNREACH_NLRI;
    recover(`attribute ${w.type} length ${w.len} overruns the attributes`, UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, buf.subarray(w.at, end), mp ? 'session-reset' : 'treat-as-withdraw');
  }
  return { attrs, treatAsWithdraw, errors };
}

function tlv(flags: number, type: number, value: Buffer): Buffer {
  const ext = value.length > 255;
  const b = Buffer.allocUnsafe((ext ? 4 : 3) + value.length);
  b[0] = ext ? flags | FLAG.EXTENDED_LENGTH : flags & ~FLAG.EXTENDED_LENGTH;
  b[1] = type;
  if (ext) b.writeUInt16BE(value.length, 2);
  else b[2] = value.length;
  value.copy(b, ext ? 4 : 3);
  return b;
}

const ENCODE_ORDER = [...ALL].sort((x, y) => rank(x.type) - rank(y.type));
function rank(t: number): number {
  return t === ATTR.MP_REACH_NLRI ? -2 : t === ATTR.MP_UNREACH_NLRI ? -1 : t;
}

/** Encodes attributes; MP_REACH/MP_UNREACH first (RFC 7606 §5.1), then by type code. Does not modify `a`. */
export function encodeAttributes(a: PathAttributes, ctx: AttrContext): Buffer {
  const types: number[] = [];
  const flags: number[] = [];
  const values: Buffer[] = [];
  let total = 0;
  for (const c of ENCODE_ORDER) {
    const v = a[c.key];
    if (v === undefined) continue;
    const b = c.encode(v as never, ctx);
    types.push(c.type);
    flags.push(c.flags);
    values.push(b);
    total += b.length + (b.length > 255 ? 4 : 3);
  }
  if (a.unknown?.length) {
    for (const u of a.unknown) {
      // Insert in type order among the known attributes.
      let i = types.length;
      while (i > 0 && rank(types[i - 1]!) > u.type) i--;
      types.splice(i, 0, u.type);
      flags.splice(i, 0, u.flags);
      values.splice(i, 0, u.value);
      total += u.value.length + (u.value.length > 255 ? 4 : 3);
    }
  }
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const ext = v.length > 255;
    out[o] = ext ? flags[i]! | FLAG.EXTENDED_LENGTH : flags[i]! & ~FLAG.EXTENDED_LENGTH;
    out[o + 1] = types[i]!;
    if (ext) {
      out.writeUInt16BE(v.length, o + 2);
      o += 4;
    } else {
      out[o + 2] = v.length;
      o += 3;
    }
    v.copy(out, o);
    o += v.length;
  }
  return out;
}
