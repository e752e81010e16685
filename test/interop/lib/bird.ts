/** BIRD 2 (Debian package) in a test netns, queried with birdc. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { waitFor, type NetnsPeer } from './netns.js';

export interface Bird {
  birdc(cmd: string): Promise<string>;
  start(config: string): Promise<void>;
  kill(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startBird(peer: NetnsPeer, config: string): Promise<Bird> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kl-bird-'));
  const sock = path.join(dir, 'bird.ctl');
  const conf = path.join(dir, 'bird.conf');
  let proc: ResultPromise | undefined;
  const b: Bird = {
    birdc: async (cmd) => String((await execa('birdc', ['-s', sock, ...cmd.split(' ')], { reject: false })).stdout),
    async start(c) {
      await writeFile(conf, c);
      proc = peer.spawn('/usr/sbin/bird', ['-f', '-c', conf, '-s', sock, '-P', path.join(dir, 'bird.pid')]);
      await waitFor('bird control socket', async () => (await b.birdc('show status')).includes('Daemon is up'), 15_000, 200);
    },
    async kill() {
      proc?.kill('SIGKILL');
      await proc;
      proc = undefined;
    },
    async cleanup() {
      await b.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await b.start(config);
  return b;
}

/** `show route all for PREFIX` parsed into the attributes the tests check, or undefined when absent. */
export async function birdRoute(b: Bird, prefix: string): Promise<{ asPath: string; communities: string; largeCommunities: string } | undefined> {
  const out = await b.birdc(`show route all for ${prefix}`);
  if (out.includes('Network not found') || !out.includes(prefix.split('/')[0]!)) return undefined;
  const get = (k: string) => new RegExp(`${k}:[ \\t]*(.*)`).exec(out)?.[1]?.trim() ?? '';
  return { asPath: get('BGP.as_path'), communities: get('BGP.community'), largeCommunities: get('BGP.large_community') };
}

export async function birdEstablished(b: Bird, proto: string): Promise<boolean> {
  return (await b.birdc(`show protocols ${proto}`)).includes('Established');
}
