import type { AttrContext } from '../wire/attrs/types.js';
import { ipv4ToNumber, ipv6ToBytes, isIpv4 } from '../wire/ip.js';
import type { Family } from '../wire/constants.js';
import type { PeerFacts } from './best-path.js';
import type { ExportSource } from './export.js';
import { NUM_TABLE_MAX_VALUE } from './num-table.js';
import { Column, RowIndex } from './row-index.js';
import type { PeerInfo } from './types.js';
import { compileRouteFilter, type RouteFilter } from './route-filter.js';

/**
 * Adj-RIB-In values: attribute set id, with this bit when the route is stale (graceful restart). The top bit a
 * NumTable value has, so set ids stay below 2^24 (16.7M distinct attribute sets).
 */
export const STALE = (NUM_TABLE_MAX_VALUE + 1) / 2;
export const SET_MASK = STALE - 1;

export type Table = Column;
export type Rows = Record<Family, RowIndex>;

export function newRows(): Rows {
  return { 'ipv4-unicast': new RowIndex(true), 'ipv6-unicast': new RowIndex(false) };
}

export function newTables(rows: Rows): Record<Family, Table> {
  return { 'ipv4-unicast': new Column(rows['ipv4-unicast']), 'ipv6-unicast': new Column(rows['ipv6-unicast']) };
}

function addressKey(a: string): string {
  if (isIpv4(a)) return '0' + ipv4ToNumber(a).toString(16).padStart(32, '0');
  try {
    return '1' + ipv6ToBytes(a).toString('hex');
  } catch {
    return '2' + a;
  }
}

/** Everything the RIB keeps about one peer (index 0 is the local pseudo-peer for originated routes). */
export class PeerState {
  /** Over the RIB's shared rows once added to a RibCore (attach); its own rows until then. */
  adjIn: Record<Family, Table>;
  adjOut: Record<Family, Table>;
  /** Position in each family's change log up to which Adj-RIB-Out is current; -1 = not tracking. */
  readonly cursor: Record<Family, number> = { 'ipv4-unicast': -1, 'ipv6-unicast': -1 };
  up = false;
  needFull = true;
  rejected = 0;
  /** Raw attribute bytes (as received) → packed canonical set ids; holds a reference on each. */
  readonly rawCache = new Map<string, number>();
  /**
   * Plain IPv4 attribute lists (no MP attributes) accepted by the fast path, by their FNV-1a hash → set id; the
   * set's bytes are the list as received, so a hit is confirmed by comparing bytes. Each entry holds a reference.
   */
  readonly rawIds = new Map<number, number>();
  readonly ctx: AttrContext;
  readonly facts: PeerFacts;
  readonly source: ExportSource;
  readonly importFilter: RouteFilter | undefined;
  readonly exportFilter: RouteFilter | undefined;

  constructor(
    readonly index: number,
    readonly info: PeerInfo,
    rows: Rows = newRows(),
  ) {
    this.adjIn = newTables(rows);
    this.adjOut = newTables(rows);
    this.ctx = { fourOctetAs: info.fourOctetAs, ibgp: info.ibgp };
    const local = index === 0;
    this.facts = { ibgp: info.ibgp, local, routerId: ipv4ToNumber(info.routerId), addressKey: addressKey(info.address) };
    this.source = { local, ibgp: info.ibgp, routeReflectorClient: !!info.routeReflectorClient, routerId: info.routerId };
    this.importFilter = compileRouteFilter(info.importRules ?? []);
    this.exportFilter = compileRouteFilter(info.exportRules ?? []);
  }

  /** Moves the (empty) tables onto the RIB's shared rows. */
  attach(rows: Rows): void {
    if (this.adjIn['ipv4-unicast'].rows === rows['ipv4-unicast']) return;
    if (this.adjInCount() > 0) throw new Error('internal: attaching a peer that holds routes');
    this.adjIn = newTables(rows);
    this.adjOut = newTables(rows);
  }

  hasFamily(f: Family): boolean {
    return this.index === 0 || this.info.families.includes(f);
  }

  adjInCount(): number {
    return this.adjIn['ipv4-unicast'].size + this.adjIn['ipv6-unicast'].size;
  }
}
