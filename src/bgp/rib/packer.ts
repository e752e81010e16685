import { ATTR, FLAG, HEADER_LEN, MSG, afiSafiOf, type Family } from '../wire/constants.js';
import { writeHeader } from '../wire/framer.js';
import { nlriSize, writeNlri, type PrefixKey } from './prefix-key.js';

/**
 * Packs NLRI sharing one attribute set into as few UPDATE messages as fit `maxMessageSize`.
 * `attrs` are the exported attribute bytes; for MP families their first attribute is an MP_REACH_NLRI
 * without NLRI, which is rewritten (extended length) with the prefixes appended.
 */
export function packAnnouncements(family: Family, attrs: Buffer, keys: ArrayLike<PrefixKey>, from: number, to: number, maxMessageSize: number, out: Buffer[]): void {
  let mpHeader: Buffer | undefined;
  let rest = attrs;
  if (family !== 'ipv4-unicast' || attrs[1] === ATTR.MP_REACH_NLRI) {
    if (attrs[1] !== ATTR.MP_REACH_NLRI) throw new Error('internal: MP family without MP_REACH_NLRI');
    const ext = (attrs[0]! & FLAG.EXTENDED_LENGTH) !== 0;
    const hl = ext ? 4 : 3;
    const len = ext ? attrs.readUInt16BE(2) : attrs[2]!;
    mpHeader = attrs.subarray(hl, hl + len);
    rest = attrs.subarray(hl + len);
  }
  const fixed = HEADER_LEN + 4 + rest.length + (mpHeader ? 4 + mpHeader.length : 0);
  const room = maxMessageSize - fixed;
  if (room <= 17) throw new RangeError(`attributes of ${attrs.length} octets leave no room for NLRI`);
  let i = from;
  while (i < to) {
    let size = 0;
    let j = i;
    while (j < to) {
      const s = nlriSize(family, keys[j]!);
      if (size + s > room) break;
      size += s;
      j++;
    }
    const msg = Buffer.allocUnsafe(fixed + size);
    writeHeader(msg, 0, msg.length, MSG.UPDATE);
    let o = HEADER_LEN;
    msg.writeUInt16BE(0, o);
    const attrLen = rest.length + (mpHeader ? 4 + mpHeader.length + size : 0);
    msg.writeUInt16BE(attrLen, o + 2);
    o += 4;
    if (mpHeader) {
      msg[o] = FLAG.OPTIONAL | FLAG.EXTENDED_LENGTH;
      msg[o + 1] = ATTR.MP_REACH_NLRI;
      msg.writeUInt16BE(mpHeader.length + size, o + 2);
      mpHeader.copy(msg, o + 4);
      o += 4 + mpHeader.length;
      for (let k = i; k < j; k++) o += writeNlri(family, keys[k]!, msg, o);
      rest.copy(msg, o);
      o += rest.length;
    } else {
      rest.copy(msg, o);
      o += rest.length;
      for (let k = i; k < j; k++) o += writeNlri(family, keys[k]!, msg, o);
    }
    out.push(msg);
    i = j;
  }
}

/** Packs withdrawals: the IPv4 withdrawn routes field, or MP_UNREACH_NLRI for other families. */
export function packWithdrawals(family: Family, keys: PrefixKey[], maxMessageSize: number, out: Buffer[]): void {
  const mp = family !== 'ipv4-unicast';
  const fixed = HEADER_LEN + 4 + (mp ? 4 + 3 : 0);
  const room = maxMessageSize - fixed;
  let i = 0;
  while (i < keys.length) {
    let size = 0;
    let j = i;
    while (j < keys.length && size + nlriSize(family, keys[j]!) <= room) size += nlriSize(family, keys[j++]!);
    const msg = Buffer.allocUnsafe(fixed + size);
    writeHeader(msg, 0, msg.length, MSG.UPDATE);
    let o = HEADER_LEN;
    if (mp) {
      const { afi, safi } = afiSafiOf(family);
      msg.writeUInt16BE(0, o);
      msg.writeUInt16BE(7 + size, o + 2);
      msg[o + 4] = FLAG.OPTIONAL | FLAG.EXTENDED_LENGTH;
      msg[o + 5] = ATTR.MP_UNREACH_NLRI;
      msg.writeUInt16BE(3 + size, o + 6);
      msg.writeUInt16BE(afi, o + 8);
      msg[o + 10] = safi;
      o += 11;
      for (let k = i; k < j; k++) o += writeNlri(family, keys[k]!, msg, o);
    } else {
      msg.writeUInt16BE(size, o);
      o += 2;
      for (let k = i; k < j; k++) o += writeNlri(family, keys[k]!, msg, o);
      msg.writeUInt16BE(0, o);
    }
    out.push(msg);
    i = j;
  }
}
