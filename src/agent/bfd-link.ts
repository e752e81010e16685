/**
 * Ties BFD to the BGP sessions, as FRR's `neighbor X bfd` does: when the BFD session of a neighbor goes from Up to
 * Down, its BGP session is torn down at once (the speaker's FSM event BfdDown, Cease 6/10). A remote that goes
 * AdminDown only stopped BFD (RFC 5882 §3.2): the BGP session stays. The BFD sessions are created on demand, so a
 * configuration without BFD opens no socket.
 */
import { BfdManager, describeDiag, type BfdLogger, type BfdPeerConfig, type BfdPeerStatus, type BfdStateChange } from '../bfd/index.js';
import type { BgpSpeaker } from '../bgp/index.js';
import { errorMessage } from '../errors.js';

export interface BfdLinkOptions {
  log: BfdLogger & { error(msg: string, fields?: Record<string, unknown>): void };
  /** UDP ports (tests). */
  singleHopPort?: number;
  multihopPort?: number;
}

export class BfdLink {
  private manager: BfdManager | undefined;
  private wanted = new Map<string, BfdPeerConfig>();
  private chain: Promise<void> = Promise.resolve();
  /** Teardowns caused by BFD, for the admin API. */
  teardowns = 0;

  /** `speaker()` is asked at the time of the event: the k8s agent replaces its speaker on an ASN change. */
  constructor(
    private readonly speaker: () => BgpSpeaker | undefined,
    private readonly o: BfdLinkOptions,
  ) {}

  /** Makes the BFD sessions match `peers` (serialised; failures are logged, the BGP sessions carry on). */
  sync(peers: BfdPeerConfig[]): Promise<void> {
    this.wanted = new Map(peers.map((p) => [p.peer, p]));
    return this.apply();
  }

  /** Adds, changes (`cfg`) or removes (undefined) the BFD session of one peer. */
  set(peer: string, cfg: BfdPeerConfig | undefined): Promise<void> {
    if (cfg) this.wanted.set(peer, cfg);
    else this.wanted.delete(peer);
    return this.apply();
  }

  status(): BfdPeerStatus[] {
    return this.manager?.status() ?? [];
  }

  async close(opts: { adminDown?: boolean } = {}): Promise<void> {
    await this.chain;
    await this.manager?.close(opts);
    this.manager = undefined;
  }

  private apply(): Promise<void> {
    const peers = [...this.wanted.values()];
    this.chain = this.chain.then(async () => {
      if (peers.length === 0 && !this.manager) return;
      try {
        await this.ensure().sync(peers);
      } catch (e) {
        this.o.log.error('BFD not started', { reason: errorMessage(e) });
      }
    });
    return this.chain;
  }

  private ensure(): BfdManager {
    if (this.manager) return this.manager;
    const m = new BfdManager({ log: this.o.log, singleHopPort: this.o.singleHopPort, multihopPort: this.o.multihopPort });
    m.on('state', (peer: string, c: BfdStateChange) => this.onState(peer, c));
    this.manager = m;
    return m;
  }

  private onState(peer: string, c: BfdStateChange): void {
    if (c.from !== 'Up' || c.state !== 'Down' || c.cause === 'neighbor-admin-down') return;
    const reason = `BFD down: ${describeDiag(c.diag)}`;
    if (this.speaker()?.bfdDown(peer, reason)) {
      this.teardowns++;
      this.o.log.info('BGP session torn down by BFD', { peer, reason });
    }
  }
}
