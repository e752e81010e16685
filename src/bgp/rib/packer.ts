import { ATTR, FLAG, HEADER_LEN, MSG, afiSafiOf, type Family } from '../wire/constants.js';
import { AttrWalk } from '../wire/attrs/walk.js';
import { writeHeader } from '../wire/framer.js';
import { nlriSize, writeNlri, type PrefixKey } from './prefix-key.js';

/**
 * Where packed UPDATEs go. With `chunkBytes` 0 every message is its own Buffer; otherwise messages are written
 * back to back into Buffers of about `chunkBytes` (each holding whole messages only), so a full table is a few
 * hundred large Buffers instead of one small Buffer (and JS object) per message.
 */
export class MessageSink {
  readonly out: Buffer[] = [];
  private cur: Buffer | undefined;
  private used = 0;
  constructor(private readonly chunkBytes = 0) {}
  /** Room for one message of `len` octets: the buffer and the offset to write it at. */
  alloc(len: number): { buf: Buffer; off: number } {
    if (this.chunkBytes <= 0) {
      const buf = Buffer.allocUnsafe(len);
      this.out.push(buf);
      return { buf, off: 0 };
    }
    if (!this.cur || this.used + len > this.cur.length) {
      this.flush();
      this.cur = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, len));
    }
    const off = this.used;
    this.used += len;
    return { buf: this.cur, off };
  }
  push(msg: Buffer): void {
    if (this.chunkBytes <= 0) {
      this.out.push(msg);
      return;
    }
    const { buf, off } = this.alloc(msg.length);
    msg.copy(buf, off);
  }
  /** The Buffers written so far (the last one trimmed to what was used). */
  finish(): Buffer[] {
    this.flush();
    return this.out;
  }
  private flush(): void {
    if (this.cur && this.used > 0) this.out.push(this.cur.subarray(0, this.used));
    this.cur = undefined;
    this.used = 0;
  }
}

/**
 * Packs NLRI sharing one attribute set into as few UPDATE messages as fit `maxMessageSize`.
 * `attrs` are the exported attribute bytes; for MP families their first attribute is an MP_REACH_NLRI
 * without NLRI, which is rewritten (extended length) with the prefixes appended.
 */
export function packAnnouncements(family: Family, attrs: Buffer, keys: ArrayLike<PrefixKey>, from: number, to: number, maxMessageSize: number, out: MessageSink): void {
  let mpHeader: Buffer | undefined;
  let rest = attrs;
  if (family !== 'ipv4-unicast' || attrs[1] === ATTR.MP_REACH_NLRI) {
    if (attrs[1] !== ATTR.MP_REACH_NLRI) throw new Error('internal: MP family without MP_REACH_NLRI');
    const w = new AttrWalk(attrs, 0, attrs.length);
    if (!w.step()) throw new Error('internal: MP_REACH_NLRI does not parse');
    mpHeader = attrs.subarray(w.value, w.end);
    rest = attrs.subarray(w.end);
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
    const { buf: msg, off: at } = out.alloc(fixed + size);
    writeHeader(msg, at, fixed + size, MSG.UPDATE);
    let o = at + HEADER_LEN;
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
    i = j;
  }
}

/** Packs withdrawals: the IPv4 withdrawn routes field, or MP_UNREACH_NLRI for other families. */
export function packWithdrawals(family: Family, keys: PrefixKey[], maxMessageSize: number, out: MessageSink): void {
  const mp = family !== 'ipv4-unicast';
  const fixed = HEADER_LEN + 4 + (mp ? 4 + 3 : 0);
  const room = maxMessageSize - fixed;
  let i = 0;
  while (i < keys.length) {
    let size = 0;
    let j = i;
    while (j < keys.length && size + nlriSize(family, keys[j]!) <= room) size += nlriSize(family, keys[j++]!);
    const { buf: msg, off: at } = out.alloc(fixed + size);
    writeHeader(msg, at, fixed + size, MSG.UPDATE);
    let o = at + HEADER_LEN;
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
    i = j;
  }
}
