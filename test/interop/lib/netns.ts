/**
 * Network namespaces for interop tests: each peer daemon gets its own netns joined to the test's (root) netns by
 * a veth pair with unique names and addresses from 198.18.0.0/15 (benchmarking range) and fd00:6b6c::/32.
 * `cleanup()` removes everything it made (killing processes started in the netns first); call it in `after`.
 */
import { randomBytes } from 'node:crypto';
import { SocketAddress } from 'node:net';
import { execa, type ResultPromise } from 'execa';

export interface NetnsPeer {
  ns: string;
  hostIf: string;
  nsIf: string;
  /** Our side (root netns) and the peer side (in `ns`). */
  host4: string;
  peer4: string;
  host6: string;
  peer6: string;
  exec(cmd: string, args: string[], opts?: { reject?: boolean; timeout?: number }): Promise<{ stdout: string; stderr: string; exitCode?: number }>;
  /** Starts a long-running process in the netns; killed by cleanup(). */
  spawn(cmd: string, args: string[]): ResultPromise;
  cleanup(): Promise<void>;
}

const ip = (args: string[]) => execa('ip', args);

export async function createNetnsPeer(tag: string): Promise<NetnsPeer> {
  const id = randomBytes(3).toString('hex');
  const ns = `kl-${tag}-${id}`.slice(0, 30);
  const hostIf = `klh${id}`;
  const nsIf = `kln${id}`;
  const n = randomBytes(2).readUInt16BE(0) % 32768; // /30 index in 198.18.0.0/15
  const base = 198 * 2 ** 24 + 18 * 2 ** 16 + n * 4;
  const v4 = (x: number) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
  const host4 = v4(base + 1);
  const peer4 = v4(base + 2);
  // RFC 5952 spelling: gobgpd matches an incoming connection to its neighbor by the address *text*, so a configured
  // `fd00:6b6c:0dfb:e2::1` never matches the kernel's `fd00:6b6c:dfb:e2::1` (1 in 8 random ids had a leading zero).
  const v6 = (host: number) => new SocketAddress({ address: `fd00:6b6c:${id.slice(0, 4)}:${id.slice(4)}::${host}`, family: 'ipv6' }).address;
  const host6 = v6(1);
  const peer6 = v6(2);
  const procs: ResultPromise[] = [];
  const cleanup = async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.allSettled(procs);
    await ip(['link', 'del', hostIf]).catch(() => undefined);
    await ip(['netns', 'del', ns]).catch(() => undefined);
  };
  try {
    await ip(['netns', 'add', ns]);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await ip(['link', 'set', nsIf, 'netns', ns]);
    await ip(['addr', 'add', `${host4}/30`, 'dev', hostIf]);
    await ip(['-6', 'addr', 'add', `${host6}/64`, 'dev', hostIf, 'nodad']);
    await ip(['link', 'set', hostIf, 'up']);
    const inNs = (args: string[]) => ip(['netns', 'exec', ns, 'ip', ...args]);
    await inNs(['addr', 'add', `${peer4}/30`, 'dev', nsIf]);
    await inNs(['-6', 'addr', 'add', `${peer6}/64`, 'dev', nsIf, 'nodad']);
    await inNs(['link', 'set', nsIf, 'up']);
    await inNs(['link', 'set', 'lo', 'up']);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return {
    ns,
    hostIf,
    nsIf,
    host4,
    peer4,
    host6,
    peer6,
    async exec(cmd, args, opts = {}) {
      const r = await execa('ip', ['netns', 'exec', ns, cmd, ...args], { reject: opts.reject ?? true, timeout: opts.timeout ?? 30_000 });
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode };
    },
    spawn(cmd, args) {
      const p = execa('ip', ['netns', 'exec', ns, cmd, ...args], { reject: false, all: true, buffer: true });
      procs.push(p);
      return p;
    },
    cleanup,
  };
}

/** Polling helper, shared with the e2e tests (test/lib/wait.ts). */
export { waitFor } from '../../lib/wait.js';
