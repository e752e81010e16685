import { SEG, type PathAttributes } from '../wire/attrs/types.js';
import { asPathLength } from '../wire/attrs/as-path.js';
import { ipv4ToNumber } from '../wire/ip.js';

export const HAS_LOCAL_PREF = 1;
export const HAS_MED = 2;
export const HAS_ORIGINATOR_ID = 4;

/**
 * What best-path selection needs of each interned attribute set, as columns indexed by set id:
 * numbers only, so comparing paths touches no objects.
 */
export class PathInfo {
  localPref = new Uint32Array(1024);
  med = new Uint32Array(1024);
  /** HAS_LOCAL_PREF | HAS_MED | HAS_ORIGINATOR_ID bits. */
  flags = new Uint8Array(1024);
  origin = new Uint8Array(1024);
  asPathLen = new Uint16Array(1024);
  neighborAs = new Uint32Array(1024);
  originatorId = new Uint32Array(1024);
  clusterLen = new Uint16Array(1024);
  nextHop = new Int32Array(1024); // next hop id, -1 = none
  private nhIds = new Map<string, number>();
  private nhNames: string[] = [];

  grow(cap: number): void {
    const g = <T extends Uint32Array | Uint8Array | Uint16Array | Int32Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.localPref = g(this.localPref, Uint32Array);
    this.med = g(this.med, Uint32Array);
    this.flags = g(this.flags, Uint8Array);
    this.origin = g(this.origin, Uint8Array);
    this.asPathLen = g(this.asPathLen, Uint16Array);
    this.neighborAs = g(this.neighborAs, Uint32Array);
    this.originatorId = g(this.originatorId, Uint32Array);
    this.clusterLen = g(this.clusterLen, Uint16Array);
    this.nextHop = g(this.nextHop, Int32Array);
  }

  set(id: number, a: PathAttributes): void {
    this.localPref[id] = a.localPref ?? 100;
    this.med[id] = a.med ?? 0;
    this.flags[id] = (a.localPref !== undefined ? HAS_LOCAL_PREF : 0) | (a.med !== undefined ? HAS_MED : 0) | (a.originatorId ? HAS_ORIGINATOR_ID : 0);
    this.origin[id] = a.origin ?? 2;
    this.asPathLen[id] = Math.min(asPathLength(a.asPath), 0xffff);
    const first = a.asPath?.find((s) => s.type === SEG.AS_SEQUENCE || s.type === SEG.AS_SET);
    this.neighborAs[id] = first && first.type === SEG.AS_SEQUENCE ? first.asns[0]! : 0;
    this.originatorId[id] = a.originatorId ? ipv4ToNumber(a.originatorId) : 0;
    this.clusterLen[id] = a.clusterList?.length ?? 0;
    const nh = a.mpReach?.nextHop ?? a.nextHop;
    this.nextHop[id] = nh === undefined ? -1 : this.nextHopId(nh);
  }

  nextHopId(nh: string): number {
    let id = this.nhIds.get(nh);
    if (id === undefined) {
      id = this.nhNames.length;
      this.nhNames.push(nh);
      this.nhIds.set(nh, id);
    }
    return id;
  }

  nextHopName(id: number): string {
    return id < 0 ? '' : this.nhNames[id]!;
  }
}
