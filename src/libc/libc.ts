/**
 * The one binding of libc through the `koffi` FFI, for the socket calls Node does not expose (TCP MD5, TTL
 * options, socket filters, raw file descriptors handed to Node). BGP's transport and BFD's sockets both use it, so
 * the library is loaded once and each C signature is declared once. Linux only.
 */
import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');
let ffi: Koffi | undefined;
/** koffi (a native addon, ~8 MB RSS) loads on the first libc call: a BGP agent without TCP-MD5/TTL/BFD never pays for it. */
const koffi = (): Koffi => (ffi ??= createRequire(import.meta.url)('koffi') as Koffi);

/** One classic BPF instruction (struct sock_filter). */
export interface FilterInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export interface Libc {
  socket: (domain: number, type: number, proto: number) => number;
  setsockopt: (fd: number, level: number, name: number, val: Buffer, len: number) => number;
  getsockopt: (fd: number, level: number, name: number, val: Buffer, len: Buffer) => number;
  /** setsockopt with a struct sock_fprog (SO_ATTACH_FILTER); koffi lays out the pointer to the program. */
  attachFilter: (fd: number, level: number, name: number, prog: { len: number; filter: FilterInsn[] }, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  close: (fd: number) => number;
  poll: (fds: Buffer, n: number, timeout: number) => number;
  strerror: (e: number) => string;
  /** sizeof(struct sock_fprog) on this platform. */
  fprogSize: number;
}

let bound: Libc | undefined;

/** The libc binding, loaded on first use (importing this module costs nothing on hosts that never open a socket). */
export function libc(): Libc {
  if (bound) return bound;
  const k = koffi();
  const l = k.load('libc.so.6');
  const insn = k.struct('kindlab_sock_filter', { code: 'uint16', jt: 'uint8', jf: 'uint8', k: 'uint32' });
  const fprog = k.struct('kindlab_sock_fprog', { len: 'uint16', filter: k.pointer(insn) });
  bound = {
    socket: l.func('int socket(int, int, int)'),
    setsockopt: l.func('int setsockopt(int, int, int, void *, uint32_t)'),
    getsockopt: l.func('int getsockopt(int, int, int, void *, void *)'),
    attachFilter: l.func('int setsockopt(int, int, int, _In_ kindlab_sock_fprog *, uint32_t)'),
    bind: l.func('int bind(int, void *, uint32_t)'),
    connect: l.func('int connect(int, void *, uint32_t)'),
    listen: l.func('int listen(int, int)'),
    close: l.func('int close(int)'),
    poll: l.func('int poll(void *, unsigned long, int)'),
    strerror: l.func('const char *strerror(int)'),
    fprogSize: k.sizeof(fprog),
  };
  return bound;
}

/** errno of the last failed libc call on this thread. */
export function lastErrno(): number {
  return koffi().errno();
}
