/**
 * A minimal BGP peer for benchmarks: connects (retrying until the daemon listens), exchanges OPEN and KEEPALIVE
 * with the project's wire codec, answers keepalives, and hands every UPDATE body to a callback. No RIB, no FSM
 * beyond what a blaster or a counting monitor needs. IPv4 unicast, 4-octet AS.
 */
import net from 'node:net';
import { AFI, MSG, SAFI, type OpenMessage } from '../../src/bgp/wire/index.js';
import { decodeNotification, describeNotification, decodeOpen, emptyCapabilities, encodeKeepalive, encodeOpen, MessageFramer } from '../../src/bgp/wire/index.js';

export interface RawPeerOptions {
  host: string;
  port?: number;
  localAddress?: string;
  asn: number;
  routerId: string;
  /** Proposed hold time (s); keepalives are sent every third of the negotiated value. Default 240. */
  holdTime?: number;
  /** Give up connecting after this long (ms). Default 60,000. */
  connectTimeoutMs?: number;
  onUpdate?: (body: Buffer) => void;
  /** The session went down after Established (NOTIFICATION or TCP close). */
  onDown?: (reason: string) => void;
}

export interface RawPeer {
  socket: net.Socket;
  peerOpen: OpenMessage;
  /** performance.timeOrigin + performance.now() when the peer's first KEEPALIVE arrived. */
  establishedAt: number;
  /** Writes bytes; resolves when Node has handed them all to the kernel. */
  write(buf: Buffer): Promise<void>;
  close(): void;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function attempt(o: RawPeerOptions): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: o.host, port: o.port ?? 179, localAddress: o.localAddress });
    socket.setNoDelay(true);
    const framer = new MessageFramer();
    let peerOpen: OpenMessage | undefined;
    let up: RawPeer | undefined;
    let keepalive: NodeJS.Timeout | undefined;
    const fail = (why: string) => {
      if (keepalive) clearInterval(keepalive);
      socket.destroy();
      if (up) o.onDown?.(why);
      else reject(new Error(why));
    };
    socket.on('connect', () => {
      const caps = { ...emptyCapabilities(), multiprotocol: [{ afi: AFI.IPV4, safi: SAFI.UNICAST }], routeRefresh: true, fourOctetAsn: o.asn };
      socket.write(encodeOpen({ version: 4, asn: o.asn, holdTime: o.holdTime ?? 240, routerId: o.routerId, capabilities: caps }));
    });
    socket.on('data', (chunk: Buffer) => {
      let msgs;
      try {
        msgs = framer.push(chunk);
      } catch (e) {
        return fail(`bad message from peer: ${(e as Error).message}`);
      }
      for (const m of msgs) {
        if (m.type === MSG.UPDATE) o.onUpdate?.(m.body);
        else if (m.type === MSG.OPEN) {
          peerOpen = decodeOpen(m.body);
          socket.write(encodeKeepalive());
          const hold = Math.min(peerOpen.holdTime, o.holdTime ?? 240);
          if (hold > 0) keepalive = setInterval(() => socket.write(encodeKeepalive()), (hold / 3) * 1000).unref();
        } else if (m.type === MSG.KEEPALIVE && peerOpen && !up) {
          up = { socket, peerOpen, establishedAt: nowMs(), write: (b) => new Promise((res, rej) => socket.write(b, (e) => (e ? rej(e) : res()))), close: () => fail('closed by us') };
          resolve(up);
        } else if (m.type === MSG.NOTIFICATION) {
          const n = m.body.length >= 2 ? decodeNotification(m.body) : { code: 0, subcode: 0 };
          return fail(`NOTIFICATION ${n.code}/${n.subcode} ${describeNotification(n.code, n.subcode)}`);
        }
      }
    });
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => fail('connection closed'));
  });
}

/** Connects and establishes, retrying every 300 ms until `connectTimeoutMs`. */
export async function connectPeer(o: RawPeerOptions): Promise<RawPeer> {
  const end = Date.now() + (o.connectTimeoutMs ?? 60_000);
  for (;;) {
    try {
      return await attempt(o);
    } catch (e) {
      if (Date.now() > end) throw new Error(`no session with ${o.host}: ${(e as Error).message}`);
      await sleep(300);
    }
  }
}

/**
 * Counts distinct IPv4 /24s announced minus withdrawn, one bit each (2 MB). Prefixes of other lengths are
 * counted apart. `add(body)` takes one UPDATE body (plain IPv4 NLRI and withdrawn routes; MP attributes ignored).
 */
export class PrefixCounter {
  private readonly bits = new Uint8Array(1 << 21);
  count = 0;
  other = 0;
  updates = 0;

  add(body: Buffer): void {
    this.updates++;
    const wlen = body.readUInt16BE(0);
    this.walk(body, 2, 2 + wlen, false);
    const alen = body.readUInt16BE(2 + wlen);
    this.walk(body, 4 + wlen + alen, body.length, true);
  }

  private walk(b: Buffer, from: number, to: number, announce: boolean): void {
    let p = from;
    while (p < to) {
      const len = b[p]!;
      if (len !== 24) {
        this.other += announce ? 1 : -1;
        p += 1 + ((len + 7) >> 3);
        continue;
      }
      const k = (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
      const byte = k >>> 3;
      const bit = 1 << (k & 7);
      const had = (this.bits[byte]! & bit) !== 0;
      if (announce && !had) {
        this.bits[byte] |= bit;
        this.count++;
      } else if (!announce && had) {
        this.bits[byte] &= ~bit;
        this.count--;
      }
      p += 4;
    }
  }
}
