import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { decodePrefixes, encodePrefixes } from '../prefix.js';
import { BgpWireError } from '../errors.js';
import type { AttrCodec } from './codec.js';
import { isUnicastFamily } from './mp-reach.js';
import { AttrMalformed } from './types.js';

const OPT = UPDATE_ERR.OPTIONAL_ATTRIBUTE_ERROR;

/** MP_UNREACH_NLRI (RFC 4760). Malformed → session reset (RFC 7606 §5.3, §7.12). */
export const mpUnreach: AttrCodec<'mpUnreach'> = {
  type: ATTR.MP_UNREACH_NLRI,
  key: 'mpUnreach',
  flags: FLAG.OPTIONAL,
  onError: 'session-reset',
  lengthSubcode: OPT,
  decode(v) {
    if (v.length < 3) throw new AttrMalformed(OPT, `MP_UNREACH_NLRI length ${v.length}`);
    const afi = v.readUInt16BE(0);
    const safi = v[2]!;
    let withdrawn: string[] = [];
    if (isUnicastFamily(afi, safi)) {
      try {
        withdrawn = decodePrefixes(v, 3, v.length, afi, OPT);
      } catch (e) {
        throw new AttrMalformed(OPT, e instanceof BgpWireError ? `MP_UNREACH_NLRI: ${e.message}` : String(e));
      }
    }
    return { afi, safi, withdrawn };
  },
  encode(x) {
    const h = Buffer.alloc(3);
    h.writeUInt16BE(x.afi, 0);
    h[2] = x.safi;
    return Buffer.concat([h, encodePrefixes(x.withdrawn, x.afi)]);
  },
};
