/**
 * Raw socket options Node does not expose (TCP MD5 RFC 2385, IP_TTL, IP_MINTTL/GTSM RFC 5082), set through libc
 * (the shared binding in src/libc) on a file descriptor we create ourselves. Linux only.
 */
import { KindlabError } from '../../errors.js';
import {
  AF_INET,
  AF_INET6,
  EINPROGRESS,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_MINHOPCOUNT,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  IPV6_V6ONLY,
  IP_MINTTL,
  IP_TOS,
  IP_TTL,
  POLLOUT,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  SO_REUSEADDR,
  TCP_MD5SIG,
  TCP_MD5SIG_MAXKEYLEN,
  familyOf as libcFamilyOf,
  lastErrno,
  libc as lib,
  sockaddr,
} from '../../libc/index.js';

export { AF_INET, AF_INET6, EINPROGRESS, sockaddr };

export class SocketOptionError extends KindlabError {
  readonly errno: number;
  constructor(what: string, errno: number) {
    super('BGP_CONFIG', `${what}: ${lib().strerror(errno)} (errno ${errno})`, {
      hint: errno === 1 || errno === 13 ? 'raw socket options need root or CAP_NET_ADMIN' : undefined,
    });
    this.errno = errno;
  }
}

function check(rc: number, what: string): number {
  if (rc < 0) throw new SocketOptionError(what, lastErrno());
  return rc;
}

/** Returns the address family of a literal address (IPv4-mapped IPv6 counts as IPv6). */
export function familyOf(address: string): number {
  const f = libcFamilyOf(address);
  if (f === undefined) throw new KindlabError('BGP_CONFIG', `not an IP address: ${address}`);
  return f;
}

/** A non-blocking, close-on-exec TCP socket. */
export function createTcpSocket(family: number): number {
  return check(lib().socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), 'socket()');
}

function setInt(fd: number, level: number, name: number, value: number, what: string): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  check(lib().setsockopt(fd, level, name, b, 4), what);
}

export function setReuseAddr(fd: number): void {
  setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'SO_REUSEADDR');
}

export function setV6Only(fd: number, on: boolean): void {
  setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, on ? 1 : 0, 'IPV6_V6ONLY');
}

/** Outgoing TTL / hop limit. On an IPv6 socket we set both (IPv4-mapped peers use the IPv4 option). */
export function setTtl(fd: number, family: number, ttl: number): void {
  if (family === AF_INET6) setInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, 'IPV6_UNICAST_HOPS');
  else setInt(fd, IPPROTO_IP, IP_TTL, ttl, 'IP_TTL');
}

/** GTSM (RFC 5082): drop received segments whose TTL is below `minTtl`. */
export function setMinTtl(fd: number, family: number, minTtl: number): void {
  if (family === AF_INET6) setInt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, minTtl, 'IPV6_MINHOPCOUNT');
  else setInt(fd, IPPROTO_IP, IP_MINTTL, minTtl, 'IP_MINTTL');
}

/** DSCP CS6 (internetwork control) like the routing daemons do; failure is harmless. */
export function setTosInternetControl(fd: number, family: number): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(0xc0);
  lib().setsockopt(fd, family === AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP, family === AF_INET6 ? IPV6_TCLASS : IP_TOS, b, 4);
}

/**
 * TCP_MD5SIG (RFC 2385) for one peer address: struct tcp_md5sig { sockaddr_storage addr; u8 flags; u8 prefixlen;
 * u16 keylen; int ifindex; u8 key[80] } = 216 bytes. An empty password deletes the key. `socketFamily` is the
 * family of the socket the key goes on: an IPv4 peer on an IPv6 socket is given as IPv4-mapped.
 */
export function setMd5(fd: number, socketFamily: number, peer: string, password: string): void {
  const key = Buffer.from(password, 'utf8');
  if (key.length > TCP_MD5SIG_MAXKEYLEN) throw new KindlabError('BGP_CONFIG', `TCP MD5 password longer than ${TCP_MD5SIG_MAXKEYLEN} bytes`);
  const s = Buffer.alloc(216);
  sockaddr(peer, 0, socketFamily).buf.copy(s, 0);
  s.writeUInt16LE(key.length, 130);
  key.copy(s, 136);
  check(lib().setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, s, s.length), `TCP_MD5SIG for ${peer}`);
}

export function bindTo(fd: number, address: string, port: number, family: number): void {
  const a = sockaddr(address, port, family);
  check(lib().bind(fd, a.buf, a.len), `bind(${address}:${port})`);
}

export function listenOn(fd: number, backlog = 64): void {
  check(lib().listen(fd, backlog), 'listen()');
}

/** Starts a non-blocking connect; returns 0 when done already, EINPROGRESS when pending. Throws otherwise. */
export function startConnect(fd: number, address: string, port: number, family: number): number {
  const a = sockaddr(address, port, family);
  const rc = lib().connect(fd, a.buf, a.len);
  if (rc === 0) return 0;
  const e = lastErrno();
  if (e === EINPROGRESS) return EINPROGRESS;
  throw new SocketOptionError(`connect(${address}:${port})`, e);
}

/** Non-blocking check of a pending connect: undefined = still pending, 0 = connected, else the errno. */
export function connectResult(fd: number): number | undefined {
  const p = Buffer.alloc(8);
  p.writeInt32LE(fd, 0);
  p.writeInt16LE(POLLOUT, 4);
  const n = check(lib().poll(p, 1, 0), 'poll()');
  if (n === 0) return undefined;
  const v = Buffer.alloc(4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(4);
  check(lib().getsockopt(fd, SOL_SOCKET, SO_ERROR, v, len), 'getsockopt(SO_ERROR)');
  return v.readInt32LE(0);
}

export function closeFd(fd: number): void {
  lib().close(fd);
}

export function strerror(e: number): string {
  return lib().strerror(e);
}
