/**
 * TCP transport for BGP sessions: active connect and passive listen with a configurable port and local address,
 * TTL (1 for eBGP by default, multihop configurable), GTSM (IP_MINTTL) and TCP MD5. Sockets are created and
 * configured through libc (sockopt.ts) and then handed to Node as `net.Socket({ fd })` / `server.listen({ fd })`.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import {
  AF_INET,
  AF_INET6,
  bindTo,
  closeFd,
  connectResult,
  createTcpSocket,
  familyOf,
  listenOn,
  setMd5,
  setMinTtl,
  setReuseAddr,
  setTosInternetControl,
  setTtl,
  setV6Only,
  SocketOptionError,
  startConnect,
  strerror,
} from './sockopt.js';

export interface SecurityOptions {
  /** Outgoing TTL / hop limit (eBGP default 1, iBGP 64 is the caller's choice). */
  ttl?: number;
  /** GTSM: minimum TTL accepted (RFC 5082, 255 - hops + 1). */
  minTtl?: number;
  /** TCP MD5 password (RFC 2385). */
  password?: string;
}

export interface ConnectOptions extends SecurityOptions {
  host: string;
  port: number;
  localAddress?: string;
  localPort?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class TransportError extends SocketOptionError {}

/** Opens an active TCP connection with the raw options set before the SYN. */
export async function connectTcp(o: ConnectOptions): Promise<net.Socket> {
  const family = familyOf(o.host);
  const fd = createTcpSocket(family);
  let handed = false;
  try {
    applySecurity(fd, family, o.host, o);
    if (o.localAddress || o.localPort) {
      setReuseAddr(fd);
      bindTo(fd, o.localAddress ?? (family === AF_INET ? '0.0.0.0' : '::'), o.localPort ?? 0, family);
    }
    if (startConnect(fd, o.host, o.port, family) !== 0) await waitConnected(fd, o);
    const sock = new net.Socket({ fd, readable: true, writable: true });
    handed = true;
    sock.setNoDelay(true);
    return sock;
  } finally {
    if (!handed) closeFd(fd);
  }
}

async function waitConnected(fd: number, o: ConnectOptions): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let delay = 2;
  for (;;) {
    if (o.signal?.aborted) throw new TransportError(`connect to ${o.host}:${o.port} aborted`, 125);
    const r = connectResult(fd);
    if (r === 0) return;
    if (r !== undefined) throw new TransportError(`connect to ${o.host}:${o.port}`, r);
    if (Date.now() > deadline) throw new TransportError(`connect to ${o.host}:${o.port} timed out`, 110);
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 50);
  }
}

function applySecurity(fd: number, family: number, peer: string, o: SecurityOptions): void {
  setTosInternetControl(fd, family);
  if (o.password) setMd5(fd, family, peer, o.password);
  if (o.ttl !== undefined) setTtl(fd, family, o.ttl);
  if (o.minTtl !== undefined) setMinTtl(fd, family, o.minTtl);
}

/** Sets TTL/GTSM on an accepted socket (per peer: the listener cannot know the peer in advance). */
export function secureAccepted(sock: net.Socket, o: SecurityOptions): void {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return;
  const family = sock.remoteFamily === 'IPv6' && !sock.remoteAddress?.startsWith('::ffff:') ? AF_INET6 : AF_INET;
  if (o.ttl !== undefined) setTtl(fd, family, o.ttl);
  if (o.minTtl !== undefined) setMinTtl(fd, family, o.minTtl);
}

export interface ListenOptions {
  address: string;
  port: number;
  backlog?: number;
}

/**
 * Normalises `::ffff:a.b.c.d` to `a.b.c.d` and any IPv6 spelling to its RFC 5952 form (`FD00:0db8:0:0::2` →
 * `fd00:db8::2`), the form the kernel reports for a connection, so configured and seen addresses compare equal.
 */
export function plainAddress(a: string | undefined): string {
  if (!a) return '';
  if (a.startsWith('::ffff:') && net.isIPv4(a.slice(7))) return a.slice(7);
  return net.isIPv6(a) ? new net.SocketAddress({ address: a, family: 'ipv6' }).address : a;
}

/**
 * A listening socket whose MD5 keys can be changed per peer address while it runs.
 * Emits 'connection' (socket) for each accepted connection, 'error' on a listener error.
 */
export class TcpListener extends EventEmitter {
  private readonly server: net.Server;
  private readonly fd: number;
  private readonly family: number;
  private readonly keys = new Map<string, string>();

  private constructor(server: net.Server, fd: number, family: number) {
    super();
    this.server = server;
    this.fd = fd;
    this.family = family;
    server.on('connection', (s) => this.emit('connection', s));
    server.on('error', (e) => this.emit('error', e));
  }

  static async listen(o: ListenOptions): Promise<TcpListener> {
    const address = o.address || '::';
    const family = familyOf(address);
    const fd = createTcpSocket(family);
    try {
      setReuseAddr(fd);
      if (family === AF_INET6) setV6Only(fd, address !== '::');
      bindTo(fd, address, o.port, family);
      listenOn(fd, o.backlog ?? 64);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
    const server = net.createServer({ pauseOnConnect: false });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen({ fd }, () => {
        server.off('error', rej);
        res();
      });
    });
    return new TcpListener(server, fd, family);
  }

  /** Adds, changes (password) or removes (undefined/'') the MD5 key for one peer address. */
  setPassword(peer: string, password: string | undefined): void {
    if (this.family === AF_INET && !net.isIPv4(peer)) return;
    const old = this.keys.get(peer);
    if ((old ?? '') === (password ?? '')) return;
    setMd5(this.fd, this.family, peer, password ?? '');
    if (password) this.keys.set(peer, password);
    else this.keys.delete(peer);
  }

  address(): { address: string; port: number } {
    const a = this.server.address() as net.AddressInfo;
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}

export { strerror, AF_INET, AF_INET6 };
