/** FRR (zebra + bgpd from the Debian package) in a test netns, queried with vtysh JSON. */
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { NetnsPeer } from './netns.js';
import { waitFor } from './netns.js';

export interface Frr {
  dir: string;
  vtysh(cmd: string): Promise<string>;
  json<T = Record<string, unknown>>(cmd: string): Promise<T>;
  startBgpd(config?: string): Promise<void>;
  killBgpd(): Promise<void>;
  cleanup(): Promise<void>;
}

async function frrIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await execa('id', ['-u', 'frr'])).stdout);
  const gid = Number((await execa('id', ['-g', 'frr'])).stdout);
  return { uid, gid };
}

export async function startFrr(peer: NetnsPeer, bgpdConf: string): Promise<Frr> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kl-frr-'));
  const { uid, gid } = await frrIds();
  await chown(dir, uid, gid);
  const conf = path.join(dir, 'bgpd.conf');
  const common = ['-z', path.join(dir, 'zserv.api'), '--vty_socket', dir];
  const zebra: ResultPromise = peer.spawn('/usr/lib/frr/zebra', ['-i', path.join(dir, 'zebra.pid'), ...common]);
  let bgpd: ResultPromise | undefined;
  const vtysh = async (cmd: string) => String((await execa('vtysh', ['--vty_socket', dir, '-c', cmd])).stdout);
  await waitFor('zebra vty', async () => (await vtysh('show version')).includes('FRR'), 15_000, 200);
  const f: Frr = {
    dir,
    vtysh,
    json: async <T>(cmd: string) => JSON.parse(await vtysh(cmd)) as T,
    async startBgpd(config = bgpdConf) {
      await writeFile(conf, config);
      bgpd = peer.spawn('/usr/lib/frr/bgpd', ['-f', conf, '-i', path.join(dir, 'bgpd.pid'), ...common]);
      await waitFor('bgpd vty', async () => (await vtysh('show bgp summary json')).includes('routerId'), 15_000, 200);
    },
    async killBgpd() {
      bgpd?.kill('SIGKILL');
      await bgpd;
      bgpd = undefined;
    },
    async cleanup() {
      await f.killBgpd();
      zebra.kill('SIGKILL');
      await zebra;
      await rm(dir, { recursive: true, force: true });
    },
  };
  await f.startBgpd();
  return f;
}

/** `show bgp neighbors X json` state for one neighbor. */
export async function frrNeighborState(f: Frr, address: string): Promise<string | undefined> {
  const j = await f.json<Record<string, { bgpState?: string }>>(`show bgp neighbors ${address} json`);
  return j[address]?.bgpState;
}

/** The best path of one prefix as FRR sees it, or undefined. */
export async function frrRoute(f: Frr, afi: 'ipv4' | 'ipv6', prefix: string): Promise<{ community?: string; largeCommunity?: string; asPath: string; stale: boolean } | undefined> {
  const j = await f.json<{ paths?: Array<{ community?: { string: string }; largeCommunity?: { string: string }; aspath?: { string: string }; stale?: boolean }> }>(`show bgp ${afi} unicast ${prefix} json`);
  const p = j.paths?.[0];
  if (!p) return undefined;
  return { community: p.community?.string, largeCommunity: p.largeCommunity?.string, asPath: p.aspath?.string ?? '', stale: p.stale ?? false };
}
