/**
 * BFD interop with FRR (zebra + bgpd + bfdd from the Debian package). Our agent and FRR each run in their own netns,
 * joined by one veth. eBGP over IPv4 and IPv6 with a 90 s hold time plus `neighbor X bfd` (100 ms intervals, multiplier 3) on FRR's
 * side and `bfd:` on ours. When the veth goes down, our BGP session must leave Established *because of BFD* (the
 * reason says so); with a 90 s hold time nothing else could take it down in the wait below. The elapsed time is
 * printed, not asserted. A second part checks the kernel-side TTL 255 check (RFC 5881 §5) of our receive socket.
 * Needs root and `npm run build` (the agent runs from dist/). Run under `flock /tmp/kindlab-docker.lock`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile, chown } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createNetnsPeer, waitFor, type NetnsPeer } from './lib/netns.js';
import { startAgent, type AgentProcess } from './lib/agent.js';
import { startFrr, frrNeighborState, type Frr } from './lib/frr.js';
import type { AgentNeighborStatus } from '../../src/agent/admin-server.js';
import { BfdManager, controlPacket, encodeControl } from '../../src/bfd/index.js';

const AGENT_AS = 65000;
const FRR_AS = 65001;

/** Moves our end of the veth into a netns of its own (addresses are lost on the move, so they are set again). */
async function agentNetns(p: NetnsPeer): Promise<{ ns: string; cleanup(): Promise<void> }> {
  const ns = `kl-bfda-${randomBytes(3).toString('hex')}`;
  const inNs = (args: string[]) => execa('ip', ['netns', 'exec', ns, 'ip', ...args]);
  await execa('ip', ['netns', 'add', ns]);
  const cleanup = async () => {
    await execa('ip', ['netns', 'del', ns]).catch(() => undefined);
  };
  try {
    await execa('ip', ['link', 'set', p.hostIf, 'netns', ns]);
    await inNs(['addr', 'add', `${p.host4}/30`, 'dev', p.hostIf]);
    await inNs(['-6', 'addr', 'add', `${p.host6}/64`, 'dev', p.hostIf, 'nodad']);
    await inNs(['link', 'set', p.hostIf, 'up']);
    await inNs(['link', 'set', 'lo', 'up']);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { ns, cleanup };
}

function bgpdConf(p: NetnsPeer): string {
  return [
    'frr defaults datacenter',
    'hostname frr-bfd',
    `router bgp ${FRR_AS}`,
    ' bgp router-id 10.255.0.2',
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ` neighbor ${p.host4} remote-as ${AGENT_AS}`,
    ` neighbor ${p.host4} timers 30 90`,
    ` neighbor ${p.host4} timers connect 2`,
    ` neighbor ${p.host4} bfd`,
    ` neighbor ${p.host4} bfd profile fast`,
    ` neighbor ${p.host6} remote-as ${AGENT_AS}`,
    ` neighbor ${p.host6} timers 30 90`,
    ` neighbor ${p.host6} timers connect 2`,
    ` neighbor ${p.host6} bfd`,
    ` neighbor ${p.host6} bfd profile fast`,
    ' address-family ipv4 unicast',
    `  neighbor ${p.host4} activate`,
    ' exit-address-family',
    ' address-family ipv6 unicast',
    `  neighbor ${p.host6} activate`,
    ' exit-address-family',
    '',
  ].join('\n');
}

const bfddConf = ['bfd', ' profile fast', '  transmit-interval 100', '  receive-interval 100', '  detect-multiplier 3', ' exit', 'exit', ''].join('\n');

async function startBfdd(p: NetnsPeer, frr: Frr): Promise<{ proc: ResultPromise }> {
  const conf = path.join(frr.dir, 'bfdd.conf');
  await writeFile(conf, bfddConf);
  const uid = Number((await execa('id', ['-u', 'frr'])).stdout);
  const gid = Number((await execa('id', ['-g', 'frr'])).stdout);
  await chown(conf, uid, gid);
  const proc = p.spawn('/usr/lib/frr/bfdd', ['-f', conf, '-i', path.join(frr.dir, 'bfdd.pid'), '-z', path.join(frr.dir, 'zserv.api'), '--vty_socket', frr.dir, '--bfdctl', path.join(frr.dir, 'bfdd.sock')]);
  await waitFor('bfdd vty', async () => (await frr.vtysh('show bfd peers json')).trim().startsWith('['), 15_000, 200);
  return { proc };
}

interface FrrBfdPeer {
  peer: string;
  status: string;
  'remote-id'?: number;
  id?: number;
  'remote-transmit-interval'?: number;
  'remote-receive-interval'?: number;
  'remote-detect-multiplier'?: number;
  diagnostic?: string;
}

async function frrBfdPeer(frr: Frr, address: string): Promise<FrrBfdPeer | undefined> {
  const peers = await frr.json<FrrBfdPeer[]>('show bfd peers json');
  return peers.find((x) => x.peer === address);
}

describe('BFD with FRR bfdd: a dead link takes the BGP session down through BFD', () => {
  let p: NetnsPeer;
  let a: { ns: string; cleanup(): Promise<void> };
  let frr: Frr;
  let bfdd: { proc: ResultPromise } | undefined;
  let agent: AgentProcess;
  const ours = (a = p.peer4) => agent.neighbor(a) as Promise<AgentNeighborStatus | undefined>;

  before(async () => {
    p = await createNetnsPeer('bfd');
    a = await agentNetns(p);
    frr = await startFrr(p, bgpdConf(p));
    bfdd = await startBfdd(p, frr);
    agent = await startAgent(
      {
        asn: AGENT_AS,
        routerId: '10.255.0.1',
        logLevel: 'debug',
        neighbors: [p.peer4, p.peer6].map((address, i) => ({
          address,
          asn: FRR_AS,
          localAddress: i === 0 ? p.host4 : p.host6,
          holdTime: 90,
          keepaliveTime: 30,
          connectRetryTime: 2,
          idleHoldTime: 1,
          bfd: { transmitInterval: 100, receiveInterval: 100, detectMultiplier: 3 },
        })),
      },
      { netns: a.ns },
    );
    await agent.start();
  });
  after(async () => {
    if (agent && process.env.KL_DEBUG) console.log(agent.logs.slice(-120).join('\n'));
    await agent?.cleanup();
    bfdd?.proc.kill('SIGKILL');
    await bfdd?.proc;
    await frr?.cleanup();
    await a?.cleanup();
    await p?.cleanup();
  });

  test('BGP is Established and BFD is Up on both sides, with the negotiated 100 ms intervals', async () => {
    await waitFor('BGP Established both sides', async () => (await ours())?.state === 'Established' && (await frrNeighborState(frr, p.host4)) === 'Established', 60_000);
    // FRR 8.4 replaces its BFD session once bgpd learns the session's local address (after Established), which takes
    // the BFD session down once, and BGP with it, on both sides (FRR's commit 247a75d5c6 describes that double reset).
    // So wait until both sessions have been up together for a few seconds.
    await waitFor('IPv4 and IPv6: BGP Established and BFD Up (hop limit 255 both ways), both stable for 3 s', async () => {
      for (const a of [p.peer4, p.peer6]) {
        const n = await ours(a);
        if (n?.state !== 'Established' || n.uptimeSeconds < 3 || n.bfd?.state !== 'Up' || n.bfd.sinceSeconds < 3) return false;
      }
      return (await frrBfdPeer(frr, p.host6))?.status === 'up';
    }, 90_000, 500);
    const n = await waitFor('our BFD Up', async () => ((await ours())?.bfd?.state === 'Up' ? ours() : undefined), 30_000);
    assert.equal(n!.bfd!.remoteState, 'Up');
    assert.equal(n!.bfd!.multihop, false);
    const f = await waitFor('FRR BFD up', async () => {
      const x = await frrBfdPeer(frr, p.host4);
      return x?.status === 'up' ? x : undefined;
    }, 30_000);
    // FRR decoded our packets: our discriminator and timers as we send them once Up.
    assert.equal(f['remote-id'], n!.bfd!.localDiscr);
    assert.equal(f['remote-transmit-interval'], 100);
    assert.equal(f['remote-receive-interval'], 100);
    assert.equal(f['remote-detect-multiplier'], 3);
    assert.equal(n!.bfd!.remoteDiscr, f.id);
    await waitFor('poll sequence done: 100 ms transmit interval', async () => (await ours())?.bfd?.txIntervalMs === 100, 10_000);
    assert.equal((await ours())!.bfd!.detectTimeMs, 300);
    const table = await agent.cli(['neighbor']);
    assert.match(table, /\bBFD\b/);
    assert.match(table, new RegExp(`${p.peer4.replaceAll('.', '\\.')}\\s+${FRR_AS}\\s+\\S+\\s+Established.*\\bUp\\b`));
  });

  test('the veth goes down: BFD detects it and our BGP session is torn down by BFD, long before the 90 s hold time', async () => {
    const before = (await ours())!;
    assert.equal(before.state, 'Established');
    assert.equal(before.holdTime, 90);
    const t0 = Date.now();
    await p.exec('ip', ['link', 'set', p.nsIf, 'down']);
    const n = await waitFor('our BGP session left Established', async () => {
      const x = await ours();
      return x && x.state !== 'Established' ? x : undefined;
    }, 30_000, 20);
    const elapsed = Date.now() - t0;
    console.log(`# BGP left Established ${elapsed} ms after the link went down (BFD detect time 300 ms, hold time 90 s)`);
    assert.match(n.reason, /^BFD down: control detection time expired$/);
    assert.match(n.lastError ?? '', /cease \/ bfd down \(6\/10\)/);
    assert.equal(n.flaps, before.flaps + 1);
    const after = (await ours())!;
    assert.equal(after.bfd!.state, 'Down');
    assert.equal(after.bfd!.diag, 1);
    assert.ok(agent.logs.some((l) => l.includes('BGP session torn down by BFD')), 'the agent logged the BFD teardown');
    const n6 = await waitFor('IPv6 session left Established', async () => {
      const x = await ours(p.peer6);
      return x && x.state !== 'Established' ? x : undefined;
    }, 30_000, 20);
    assert.match(n6.reason, /^BFD down: control detection time expired$/);
  });

  test('the veth comes back: BFD Up again and BGP re-established', async () => {
    await p.exec('ip', ['link', 'set', p.nsIf, 'up']);
    // Linux drops IPv6 addresses of a link that goes down (keep_addr_on_down 0): give FRR's side its address back.
    await p.exec('ip', ['-6', 'addr', 'replace', `${p.peer6}/64`, 'dev', p.nsIf, 'nodad']);
    await waitFor('BFD Up again', async () => (await ours())?.bfd?.state === 'Up', 30_000);
    await waitFor('BGP Established again', async () => (await ours())?.state === 'Established' && (await frrNeighborState(frr, p.host4)) === 'Established', 60_000);
    await waitFor('IPv6 BGP Established again', async () => (await ours(p.peer6))?.state === 'Established', 60_000);
  });
});

/** Sends one BFD Control packet from inside `ns` with the given TTL (python: the only thing that sets a per-socket TTL here). */
async function sendFromNs(ns: string, to: string, port: number, ttl: number, pkt: Buffer): Promise<void> {
  const py = `import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.setsockopt(socket.IPPROTO_IP,socket.IP_TTL,${ttl})\ns.bind(('',0))\ns.sendto(bytes.fromhex('${pkt.toString('hex')}'),('${to}',${port}))\n`;
  await execa('ip', ['netns', 'exec', ns, 'python3', '-c', py]);
}

describe('BFD receive socket: single-hop packets with a TTL below 255 never reach a session (RFC 5881 §5)', () => {
  let p: NetnsPeer;
  let m: BfdManager;
  const port = 20000 + Math.floor(Math.random() * 10000);

  before(async () => {
    p = await createNetnsPeer('bfdttl');
    // Our manager runs in the test's netns on a test port; the peer's "packets" come from the netns.
    m = new BfdManager({ singleHopPort: port });
    await m.add({ peer: p.peer4, minTxMs: 1000, minRxMs: 1000, multiplier: 3, passive: true });
  });
  after(async () => {
    await m?.close();
    await p?.cleanup();
  });

  // The packets that must be dropped carry another discriminator than the one that must arrive (0x77), so the test
  // waits for 0x77 and then sees whether anything else got in before it.
  const downFrom = (myDiscr: number) => encodeControl(controlPacket({ state: 'Down', detectMult: 3, myDiscr, yourDiscr: 0, desiredMinTxUs: 1_000_000, requiredMinRxUs: 1_000_000 }));
  const down = downFrom(0x77);
  const arrived = (mgr: BfdManager) => waitFor('the packet with the right TTL', async () => {
    const x = mgr.statusOf(p.peer4);
    return x && x.remoteDiscr === 0x77 ? x : undefined;
  }, 10_000, 50);

  test('TTL 64 is dropped by the kernel filter, TTL 254 too', async () => {
    await sendFromNs(p.ns, p.host4, port, 64, downFrom(0x64));
    await sendFromNs(p.ns, p.host4, port, 254, downFrom(0x254));
    await sendFromNs(p.ns, p.host4, port, 255, down);
    const s = await arrived(m);
    assert.equal(s.received, 1, 'only the TTL 255 packet reached the session');
    assert.equal(s.remoteDiscr, 0x77);
    assert.equal(s.state, 'Init', 'Down heard while Down → Init');
  });

  test('multihop (RFC 5883, its own port): TTL 254 accepted (FRR\'s default minimum), 253 dropped', async () => {
    const mh = new BfdManager({ multihopPort: port + 1 });
    try {
      await mh.add({ peer: p.peer4, minTxMs: 1000, minRxMs: 1000, multiplier: 3, passive: true, multihop: true });
      await sendFromNs(p.ns, p.host4, port + 1, 253, downFrom(0x253));
      await sendFromNs(p.ns, p.host4, port + 1, 254, down);
      const s = await arrived(mh);
      assert.equal(s.received, 1);
      assert.equal(s.multihop, true);
      // A single-hop packet for a multihop session is not accepted on the single-hop port either.
      assert.equal(m.statusOf(p.peer4)!.received, 1);
    } finally {
      await mh.close();
    }
  });

  test('a malformed packet with TTL 255 passes the kernel but is discarded by the codec', async () => {
    const bad = Buffer.from(down);
    bad[2] = 0; // detect multiplier 0
    await sendFromNs(p.ns, p.host4, port, 255, bad);
    await waitFor('discard counted', async () => (m.discarded['detect multiplier N'] ?? 0) > 0, 10_000, 50);
    assert.equal(m.statusOf(p.peer4)!.received, 1);
  });
});
