/**
 * Interop with gobgpd (Debian package) in its own netns: eBGP and iBGP, IPv4 and IPv6 sessions; routes both ways
 * with communities and large communities; withdraw; route refresh; gobgpd restarting with graceful restart.
 * Our agent runs as a real process (`node bin/lab-agent.js run`); needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResultPromise } from 'execa';
import { createNetnsPeer, waitFor, type NetnsPeer } from './lib/netns.js';
import { startAgent, type AgentProcess } from './lib/agent.js';
import { AGENT_AS, ROUTES, agentPeerConfig, bothEstablished, daemonRoutes4 } from './lib/peer-scenario.js';

const API = 50051 + Math.floor(Math.random() * 1000);

function gobgpConf(p: NetnsPeer, as: number, port: number): string {
  const nb = (addr: string, local: string, fam: string) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${addr}"
    peer-as = ${AGENT_AS}
  [neighbors.transport.config]
    remote-port = ${port}
    local-address = "${local}"
  [neighbors.timers.config]
    connect-retry = 2
    hold-time = 9
    keepalive-interval = 3
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "${fam}"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
`;
  return `[global.config]
  as = ${as}
  router-id = "10.255.0.4"
  port = 179
  local-address-list = ["${p.peer4}", "${p.peer6}"]
${nb(p.host4, p.peer4, 'ipv4-unicast')}
${nb(p.host6, p.peer6, 'ipv6-unicast')}`;
}

interface GoPath { nlri: { prefix: string }; attrs: Array<{ type: number; as_paths?: Array<{ asns: number[] }>; communities?: number[]; value?: Array<{ ASN: number; LocalData1: number; LocalData2: number }> }>; stale?: boolean }

for (const mode of ['ebgp', 'ibgp'] as const) {
  describe(`GoBGP ${mode}`, () => {
    const as = mode === 'ebgp' ? 65003 : AGENT_AS;
    const port = 11000 + Math.floor(Math.random() * 20000);
    let p: NetnsPeer;
    let agent: AgentProcess;
    let dir: string;
    let daemon: ResultPromise | undefined;
    const gobgp = async (...args: string[]) => (await p.exec('gobgp', ['-p', String(API), ...args])).stdout;
    const startDaemon = async (second = true) => {
      daemon = p.spawn('gobgpd', ['-f', path.join(dir, 'gobgpd.toml'), '--api-hosts', `127.0.0.1:${API}`, '-l', process.env.KL_DEBUG ? 'debug' : 'warn']);
      await waitFor('gobgpd API', async () => (await gobgp('global', '-j')).includes('10.255.0.4'), 15_000, 200);
      const add = (pfx: string, fam: string, nh: string) => gobgp('global', 'rib', 'add', pfx, 'nexthop', nh, 'community', `${as}:200`, 'large-community', `${as}:2:3`, '-a', fam);
      await add('10.200.0.0/24', 'ipv4', p.peer4);
      if (second) await add('10.200.1.0/24', 'ipv4', p.peer4);
      await add('2001:db8:200::/64', 'ipv6', p.peer6);
    };
    const gobgpRoute = async (fam: 'ipv4' | 'ipv6', prefix: string): Promise<GoPath | undefined> => {
      const j = JSON.parse(await gobgp('global', 'rib', '-a', fam, '-j')) as Record<string, GoPath[]>;
      return j[prefix]?.[0];
    };
    const gobgpEstablished = async () => {
      const ns = JSON.parse(await gobgp('neighbor', '-j')) as Array<{ state: { session_state: number | string } }>;
      if (process.env.KL_DEBUG) console.log(JSON.stringify(ns.map((n) => n.state.session_state)));
      return ns.length === 2 && ns.every((n) => n.state.session_state === 6 || n.state.session_state === 'established');
    };
    const established = () => bothEstablished(agent, gobgpEstablished);

    before(async () => {
      p = await createNetnsPeer(`gobgp${mode}`);
      dir = await mkdtemp(path.join(tmpdir(), 'kl-gobgp-'));
      await writeFile(path.join(dir, 'gobgpd.toml'), gobgpConf(p, as, port));
      await startDaemon();
      agent = await startAgent(agentPeerConfig(p, as, port, { logLevel: 'debug' }));
      await agent.start();
    });
    after(async () => {
      if (agent && process.env.KL_DEBUG) console.log(agent.logs.slice(-60).join('\n'));
      await agent?.cleanup();
      await p?.cleanup();
      // KL_DEBUG=1: gobgpd's own log too (e.g. "Can't find configuration for a new passive connection").
      if (daemon && process.env.KL_DEBUG) console.log(String((await daemon).all ?? '').split('\n').slice(-40).join('\n'));
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('IPv4 and IPv6 sessions are Established on both sides', async () => {
      await established();
      assert.equal((await agent.neighbor(p.peer4))!.routerId, '10.255.0.4');
    });

    test('routes flow both ways with communities and large communities intact', async () => {
      for (const [afi, ours, theirs] of ROUTES) {
        const r = await waitFor(`GoBGP has ${ours}`, () => gobgpRoute(afi, ours), 20_000);
        const asPath = r.attrs.find((a) => a.type === 2)?.as_paths?.flatMap((s) => s.asns) ?? [];
        assert.deepEqual(asPath, mode === 'ebgp' ? [65000] : []);
        assert.deepEqual(r.attrs.find((a) => a.type === 8)?.communities, [65000 * 65536 + 100]);
        assert.deepEqual(r.attrs.find((a) => a.type === 32)?.value, [{ ASN: 65000, LocalData1: 1, LocalData2: 2 }]);
        const got = await waitFor(`agent has ${theirs}`, async () => (await agent.rib(afi)).routes?.find((x) => x.prefix === theirs), 20_000);
        assert.deepEqual(got.communities, [`${as}:200`]);
        assert.deepEqual(got.largeCommunities, [`${as}:2:3`]);
        assert.deepEqual(got.asPath, mode === 'ebgp' ? [as] : []);
      }
    });

    test('a withdraw is honoured', async () => {
      await agent.cli(['withdraw', '10.100.0.0/24']);
      await waitFor('GoBGP lost it', async () => (await gobgpRoute('ipv4', '10.100.0.0/24')) === undefined, 15_000);
    });

    test('route refresh: our ROUTE-REFRESH makes GoBGP resend its routes', async () => {
      // GoBGP keeps an Adj-RIB-In, so its `softresetin` is local: only our request goes over the wire.
      const updates = (await agent.neighbor(p.peer4))!.messages.received.update;
      await agent.api('POST', '/refresh', { peer: p.peer4, family: 'ipv4' });
      await waitFor('GoBGP re-sent its routes', async () => (await agent.neighbor(p.peer4))!.messages.received.update > updates, 15_000);
    });

    if (mode === 'ebgp') {
      test('gobgpd restarting with graceful restart: its routes stay stale, then the gone one is swept', async () => {
        await waitFor('both GoBGP routes', async () => (await daemonRoutes4(agent)).length === 2, 15_000);
        daemon?.kill('SIGKILL');
        await daemon;
        await waitFor('routes marked stale', async () => {
          const rs = await daemonRoutes4(agent);
          return rs.length === 2 && rs.every((r) => r.stale);
        }, 15_000);
        await startDaemon(false);
        await established();
        await waitFor('10.200.1.0/24 swept, 10.200.0.0/24 fresh', async () => {
          const rs = await daemonRoutes4(agent);
          return rs.length === 1 && rs[0]!.prefix === '10.200.0.0/24' && !rs[0]!.stale;
        }, 30_000);
      });
    }
  });
}
