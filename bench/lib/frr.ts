/** FRR bgpd alone (-Z: no zebra, so no FIB work; -S: run as root) in a namespace, queried with vtysh. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ChildProcess } from 'node:child_process';
import type { BenchTopology } from './topology.js';

export interface BenchFrr {
  proc: ChildProcess;
  dir: string;
  vtysh(cmd: string): Promise<string>;
  /** pfxRcd of one neighbor from `show bgp ipv4 unicast summary json` (NaN when absent). */
  pfxRcd(neighbor: string): Promise<number>;
  cleanup(): Promise<void>;
}

export async function startBgpd(t: BenchTopology, ns: string, conf: string): Promise<BenchFrr> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kl-bench-frr-'));
  await writeFile(path.join(dir, 'bgpd.conf'), conf);
  const proc = t.spawnIn(ns, '/usr/lib/frr/bgpd', ['-Z', '-S', '-f', path.join(dir, 'bgpd.conf'), '-i', path.join(dir, 'bgpd.pid'), '--vty_socket', dir]);
  const vtysh = async (cmd: string) => String((await execa('vtysh', ['--vty_socket', dir, '-d', 'bgpd', '-c', cmd])).stdout);
  return {
    proc,
    dir,
    vtysh,
    async pfxRcd(neighbor) {
      const j = JSON.parse(await vtysh('show bgp ipv4 unicast summary json')) as { peers?: Record<string, { pfxRcd?: number }> };
      return j.peers?.[neighbor]?.pfxRcd ?? NaN;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Established IPv4 sessions in `vtysh -c 'show bgp summary json'` output (0 when it is not JSON). */
export function establishedIn(summaryJson: string): number {
  try {
    const peers = (JSON.parse(summaryJson) as { ipv4Unicast?: { peers?: Record<string, { state?: string }> } }).ipv4Unicast?.peers ?? {};
    return Object.values(peers).filter((p) => p.state === 'Established').length;
  } catch {
    return 0;
  }
}
