/** libc through FFI for socket calls Node does not expose; one binding shared by BGP and BFD. Linux only. */
export { libc, lastErrno, type FilterInsn, type Libc } from './libc.js';
export { AF_INET, AF_INET6, familyOf, sockaddr } from './sockaddr.js';
export * from './constants.js';
