import { FLAG } from '../constants.js';
import type { WireErrorAction } from '../errors.js';
import type { AttrContext, PathAttributes } from './types.js';

/** What a scan hook is told about the session (4-octet AS is implied: scans exist for that encoding only). */
export interface ScanContext {
  /** Our AS: its presence in AS_PATH is reported (asLoop), not judged here. */
  localAsn: number;
  /** Our cluster id as a number: its presence in CLUSTER_LIST is reported (clusterLoop). */
  clusterId: number;
}

/** Numbers a scan hook leaves behind for the RIB's best-path columns and loop checks; reset per attribute list. */
export class ScanOut {
  origin = -1;
  /** Path length for best path (AS_SET counts 1, confederation segments 0), capped at 0xffff; -1 = no AS_PATH. */
  asPathLen = -1;
  /** Type of the first AS_SEQUENCE/AS_SET segment (0 = none) and, for a sequence, its first AS. */
  firstSegType = 0;
  neighborAs = 0;
  asLoop = false;
  nextHop = -1;
  med = -1;
  localPref = -1;
  originatorId = -1;
  clusterLen = 0;
  clusterLoop = false;

  reset(): this {
    this.origin = this.asPathLen = this.nextHop = this.med = this.localPref = this.originatorId = -1;
    this.firstSegType = this.neighborAs = this.clusterLen = 0;
    this.asLoop = this.clusterLoop = false;
    return this;
  }
}

/** One path attribute type: its code, expected flags, RFC 7606 action when malformed, and value codec. */
export interface AttrCodec<K extends keyof PathAttributes> {
  type: number;
  key: K;
  /** Expected Optional|Transitive bits. */
  flags: number;
  /** What RFC 7606 prescribes when this attribute is malformed (including a flags conflict). */
  onError: WireErrorAction;
  /** Subcode RFC 4271 would use for a bad length. */
  lengthSubcode: number;
  /** Meaningful only from an internal peer; from an external one it is discarded (RFC 7606 §7.5, RFC 4456). */
  ibgpOnly?: true;
  decode(v: Buffer, ctx: AttrContext): NonNullable<PathAttributes[K]>;
  encode(x: NonNullable<PathAttributes[K]>, ctx: AttrContext): Buffer;
  /**
   * Byte-level check of a 4-octet-AS value in b[v, end) without building objects: true exactly when `decode`
   * would return a value without throwing; fills what it reads into `out`. Absent = no fast path for this type.
   */
  scan?(b: Buffer, v: number, end: number, ctx: ScanContext, out: ScanOut): boolean;
}

/** RFC 4271 §6.3 flag check: the Optional/Transitive bits must match; Partial only on optional transitive. */
export function flagsConflict(codec: { flags: number }, flags: number): boolean {
  const wantPartialZero = (codec.flags & FLAG.OPTIONAL) === 0 || (codec.flags & FLAG.TRANSITIVE) === 0;
  return (flags & 0xc0) !== codec.flags || (wantPartialZero && (flags & FLAG.PARTIAL) !== 0);
}

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
