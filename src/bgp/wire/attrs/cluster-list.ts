import { ATTR, FLAG, UPDATE_ERR } from '../constants.js';
import { ipv4ToNumber, numberToIpv4 } from '../ip.js';
import { u32, type AttrCodec } from './codec.js';
import { AttrMalformed } from './types.js';

/** CLUSTER_LIST (RFC 4456); malformed → treat-as-withdraw (RFC 7606 §7.10). */
export const clusterList: AttrCodec<'clusterList'> = {
  type: ATTR.CLUSTER_LIST,
  key: 'clusterList',
  flags: FLAG.OPTIONAL,
  onError: 'treat-as-withdraw',
  lengthSubcode: UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR,
  ibgpOnly: true,
  decode(v) {
    if (v.length === 0 || v.length % 4 !== 0) throw new AttrMalformed(UPDATE_ERR.ATTRIBUTE_LENGTH_ERROR, `CLUSTER_LIST length ${v.length}`);
    const out: string[] = [];
    for (let i = 0; i < v.length; i += 4) out.push(numberToIpv4(v.readUInt32BE(i)));
    return out;
  },
  scan(b, v, end, ctx, out) {
    if (end === v || (end - v) % 4 !== 0) return false;
    for (let k = v; k < end; k += 4) if (b.readUInt32BE(k) === ctx.clusterId) out.clusterLoop = true;
    out.clusterLen = (end - v) / 4;
    return true;
  },
  encode(x) {
    return Buffer.concat(x.map((c) => u32(ipv4ToNumber(c))));
  },
};
