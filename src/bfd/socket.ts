/**
 * The receive sockets of BFD. RFC 5881 §5 wants single-hop packets with a TTL / hop limit other than 255 dropped
 * (GTSM). Node's dgram cannot read the received TTL (no IP_RECVTTL ancillary data) and Linux does not apply
 * IP_MINTTL to UDP, so the check is a classic BPF socket filter that loads the TTL (IPv4 byte 8, IPv6 byte 7) from
 * the network header and drops the datagram in the kernel. The socket is made and filtered through libc (src/libc),
 * then handed to Node with `dgram bind({ fd })`. Linux only.
 */
import dgram from 'node:dgram';
import { KindlabError } from '../errors.js';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_ATTACH_FILTER,
  lastErrno,
  libc as lib,
  sockaddr,
  type FilterInsn,
} from '../libc/index.js';

/** Classic BPF: offsets from this base address the network header (linux/filter.h SKF_NET_OFF). */
const SKF_NET_OFF = -0x100000;
const BPF_LD_B_ABS = 0x30;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;

function fail(what: string): never {
  const e = lastErrno();
  throw new KindlabError('BGP_CONFIG', `BFD ${what}: ${lib().strerror(e)} (errno ${e})`, {
    hint: e === 98 ? 'another BFD daemon (bfdd?) already listens on this port in this network namespace' : e === 1 || e === 13 ? 'socket filters and low ports need root or CAP_NET_ADMIN' : undefined,
  });
}

/** The filter: accept when TTL == 255 (single hop) or TTL >= minTtl (multihop), else drop. */
export function ttlFilter(family: 4 | 6, minTtl: number): FilterInsn[] {
  const off = (SKF_NET_OFF + (family === 4 ? 8 : 7)) >>> 0;
  return [
    { code: BPF_LD_B_ABS, jt: 0, jf: 0, k: off },
    minTtl >= 255 ? { code: BPF_JEQ_K, jt: 0, jf: 1, k: 255 } : { code: BPF_JGE_K, jt: 0, jf: 1, k: minTtl },
    { code: BPF_RET_K, jt: 0, jf: 0, k: 0xffff },
    { code: BPF_RET_K, jt: 0, jf: 0, k: 0 },
  ];
}

/**
 * A UDP socket on the wildcard address and `port` that only sees datagrams whose TTL / hop limit is at least
 * `minTtl` (255 for single hop). IPv6 sockets are v6-only, so an IPv4 peer is always seen on the IPv4 socket.
 */
export async function openReceiveSocket(family: 4 | 6, port: number, minTtl: number): Promise<dgram.Socket> {
  const c = lib();
  const fd = c.socket(family === 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail('socket()');
  let handed = false;
  try {
    if (family === 6) {
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      if (c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4) < 0) fail('IPV6_V6ONLY');
    }
    const prog = ttlFilter(family, minTtl);
    if (c.attachFilter(fd, SOL_SOCKET, SO_ATTACH_FILTER, { len: prog.length, filter: prog }, c.fprogSize) < 0) fail('SO_ATTACH_FILTER (TTL check)');
    const sa = sockaddr(undefined, port, family === 4 ? AF_INET : AF_INET6);
    if (c.bind(fd, sa.buf, sa.len) < 0) fail(`bind to UDP port ${port} (IPv${family})`);
    const sock = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
    handed = true;
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ fd }, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    return sock;
  } finally {
    if (!handed) c.close(fd);
  }
}

/** RFC 5881 §4: the source port of a session is one of 49152–65535, the same for all its packets. */
export const SOURCE_PORT_MIN = 49152;
export const SOURCE_PORT_MAX = 65535;

/**
 * A UDP socket for sending one session's packets: bound to a free port of the RFC 5881 range (on `local` if
 * given), TTL / hop limit 255 (RFC 5881 §5, RFC 5883 §2).
 */
export async function openSendSocket(family: 4 | 6, local: string | undefined, random: () => number = Math.random): Promise<dgram.Socket> {
  let last: Error | undefined;
  for (let i = 0; i < 32; i++) {
    const port = SOURCE_PORT_MIN + Math.floor(random() * (SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1));
    const sock = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ port, address: local ?? (family === 4 ? '0.0.0.0' : '::'), exclusive: true }, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      sock.setTTL(255);
      return sock;
    } catch (e) {
      sock.close();
      last = e as Error;
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  throw new KindlabError('BGP_CONFIG', `BFD: cannot bind a source port${local ? ` on ${local}` : ''}: ${last?.message ?? 'no free port'}`);
}
