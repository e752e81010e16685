/**
 * In-process RIB benchmark: 1,000,000 IPv4 /24s in packed UPDATEs (framer → decoder → Rib), then the
 * Adj-RIB-Out for one eBGP peer, at 1,000 and 500,000 distinct attribute sets. Each case runs in its own
 * process so peak RSS is per case. Usage: node --import tsx bench/bgp-rib.ts [prefixes]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildUpdateBytes, chunkStream } from '../src/bgp/wire/blaster.js';
import { MessageFramer } from '../src/bgp/wire/framer.js';
import { Rib } from '../src/bgp/rib/index.js';
import type { PeerInfo } from '../src/bgp/rib/index.js';

interface Row { cpuS: number; baseRss: number; sets: number; prefixes: number; updatesIn: number; receiveS: number; exportS: number; totalS: number; updatesOut: number; rssMB: number; heapMB: number; interned: number }

/** Messages in Buffers that each hold whole BGP messages back to back. */
function countMessages(bufs: Buffer[]): number {
  let n = 0;
  for (const b of bufs) for (let o = 0; o + 19 <= b.length; o += b.readUInt16BE(o + 16)) n++;
  return n;
}

function runCase(prefixes: number, sets: number): Row {
  const baseRss = process.resourceUsage().maxRSS / 1024;
  const chunks = chunkStream(buildUpdateBytes({ prefixes, attrSets: sets, asn: 65001, nextHop: '10.0.0.1' }));
  const peer = (name: string, asn: number, addr: string): PeerInfo => ({
    name, address: addr, localAddress: '10.0.0.100', asn, localAsn: 65000, routerId: addr, ibgp: false, fourOctetAs: true, families: ['ipv4-unicast'],
  });
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.100' });
  const src = rib.addPeer(peer('blaster', 65001, '10.0.0.1'));
  const dst = rib.addPeer(peer('monitor', 65002, '10.0.0.2'));
  rib.peerUp(src);
  rib.peerUp(dst);
  const framer = new MessageFramer();
  let n = 0;
  for (const c of chunks) {
    for (const m of framer.push(c)) {
      const r = rib.applyUpdate(src, m.body);
      if (r.action !== 'ok') throw new Error(`unexpected ${r.action}: ${r.errors.join('; ')}`);
      n++;
    }
  }
  const t1 = performance.now();
  const out = rib.takeUpdates(dst, { maxMessageSize: 4096, endOfRib: true, coalesceBytes: 64 * 1024 }); // as the speaker does
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const counts = rib.counts('ipv4-unicast');
  if (counts.destinations !== prefixes) throw new Error(`expected ${prefixes} destinations, got ${counts.destinations}`);
  if (rib.stats(dst).advertised !== prefixes) throw new Error(`advertised ${rib.stats(dst).advertised}`);
  return {
    cpuS: (cpu.user + cpu.system) / 1e6, baseRss, sets, prefixes, updatesIn: n, receiveS: (t1 - t0) / 1000, exportS: (t2 - t1) / 1000, totalS: (t2 - t0) / 1000,
    updatesOut: countMessages(out), rssMB: process.resourceUsage().maxRSS / 1024, heapMB: process.memoryUsage().heapUsed / 2 ** 20,
    interned: rib.internStats().attributeSets,
  };
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(runCase(Number(args[1]), Number(args[2]))));
} else {
  const prefixes = Number(args[0] ?? 1_000_000);
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const sets of [1000, 500_000]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', self, '--child', String(prefixes), String(Math.min(sets, prefixes))], { encoding: 'utf8', maxBuffer: 1 << 24 });
    rows.push(JSON.parse(out) as Row);
  }
  const f = (x: number, d = 2) => x.toFixed(d).padStart(8);
  console.log(`node ${process.version}, ${prefixes.toLocaleString('en')} IPv4 /24 prefixes, one eBGP source → Loc-RIB → Adj-RIB-Out for one eBGP peer`);
  console.log('attr sets | UPDATEs in | receive s | export s | total s | CPU s | UPDATEs out | peak RSS MB | heap MB | interned sets');
  for (const r of rows) {
    console.log(`${String(r.sets).padStart(9)} | ${String(r.updatesIn).padStart(10)} | ${f(r.receiveS)}  | ${f(r.exportS)} | ${f(r.totalS)} | ${f(r.cpuS)} | ${String(r.updatesOut).padStart(11)} | ${f(r.rssMB, 0)}    | ${f(r.heapMB, 0)} | ${r.interned}`);
  }
  console.log(`peak RSS includes the input stream, the output UPDATEs and the tsx loader (${rows[0]!.baseRss.toFixed(0)} MB before the run; plain node starts at ~40 MB)`);
  console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} CPUs (wall times are noisy on a shared machine; CPU s is the process's own time)`);
  console.log('goal (issue 3): total ≤ 3 s at 1,000 sets, ≤ 8 s at 500,000 sets; ≤ 300 MB RSS');
}
