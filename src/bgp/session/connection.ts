/**
 * One TCP connection of a session: a socket plus a message framer. Reports whole messages, a framing error
 * (BgpWireError) or the end of the connection; writes are fire-and-forget, `close(lastMessage)` flushes then closes.
 */
import type net from 'node:net';
import { MessageFramer } from '../wire/framer.js';
import { BgpWireError } from '../wire/errors.js';
import { plainAddress } from './transport.js';

export interface ConnectionEvents {
  message(type: number, body: Buffer): void;
  framingError(e: BgpWireError): void;
  closed(reason: string): void;
}

export class Connection {
  readonly framer = new MessageFramer();
  readonly outgoing: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Set once this connection's OPEN was received (for collision resolution). */
  peerOpen: import('../wire/open.js').OpenMessage | undefined;
  openSent = false;
  /** A KEEPALIVE arrived after the OPEN while this was the second connection of a collision. */
  keepaliveSeen = false;
  private dead = false;
  private events: ConnectionEvents | undefined;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly socket: net.Socket,
    outgoing: boolean,
  ) {
    this.outgoing = outgoing;
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = plainAddress(socket.localAddress);
    this.localPort = socket.localPort ?? 0;
    socket.on('error', (e) => this.finish(e.message));
    socket.on('end', () => this.finish('peer closed the connection'));
    socket.on('close', () => this.finish('connection closed'));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Starts delivering events (messages that arrived before are buffered by the paused socket). */
  attach(events: ConnectionEvents): void {
    this.events = events;
  }

  get alive(): boolean {
    return !this.dead;
  }

  private onData(chunk: Buffer): void {
    if (this.dead) return;
    this.bytesIn += chunk.length;
    let msgs: Array<{ type: number; body: Buffer }>;
    try {
      msgs = this.framer.push(chunk);
    } catch (e) {
      if (e instanceof BgpWireError) {
        this.events?.framingError(e);
        return;
      }
      throw e;
    }
    for (const m of msgs) {
      if (this.dead) return;
      this.events?.message(m.type, m.body);
    }
  }

  /** The socket's write queue is above its high-water mark (a 'drain' is pending). */
  get backlogged(): boolean {
    return !this.dead && this.socket.writableNeedDrain;
  }

  send(buf: Buffer): void {
    if (this.dead) return;
    this.bytesOut += buf.length;
    this.socket.write(buf);
  }

  /** Writes `last` (a NOTIFICATION) if given, then closes; never reports 'closed' afterwards. */
  close(last?: Buffer): void {
    if (this.dead) return;
    this.dead = true;
    this.events = undefined;
    const s = this.socket;
    // end() flushes what was written (a NOTIFICATION just sent) before the FIN.
    if (last) s.end(last);
    else s.end();
    const t = setTimeout(() => s.destroy(), 2000);
    t.unref();
    s.once('close', () => clearTimeout(t));
  }

  private finish(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    const ev = this.events;
    this.events = undefined;
    this.socket.destroy();
    ev?.closed(reason);
  }
}
