/**
 * Interop with FRR bgpd (Debian package) in its own netns: eBGP and iBGP, IPv4 and IPv6 sessions; routes both ways
 * with communities and large communities; withdraw; route refresh; FRR restarting with graceful restart (our copy
 * of its routes stays stale, then is swept); TCP MD5 and a wrong password that never establishes.
 * Our agent runs as a real process (`node bin/lab-agent.js run`); needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetnsPeer, waitFor, type NetnsPeer } from './lib/netns.js';
import { startAgent, type AgentProcess } from './lib/agent.js';
import { startFrr, frrNeighborState, frrRoute, type Frr } from './lib/frr.js';
import { AGENT_AS, ROUTES, agentPeerConfig, bothEstablished, daemonRoutes4 } from './lib/peer-scenario.js';

function frrConf(p: NetnsPeer, frrAs: number, port: number, opts: { password?: string; withSecond?: boolean }): string {
  const nb = (a: string) => [
    ` neighbor ${a} remote-as ${AGENT_AS}`,
    ` neighbor ${a} port ${port}`,
    ` neighbor ${a} timers connect 2`,
    ` neighbor ${a} timers 3 9`,
  ];
  return [
    'frr defaults datacenter',
    'hostname frr-peer',
    `router bgp ${frrAs}`,
    ' bgp router-id 10.255.0.2',
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' no bgp default ipv4-unicast',
    ' bgp graceful-restart',
    ...nb(p.host4),
    ...(opts.password ? [` neighbor ${p.host4} password ${opts.password}`] : []),
    ...nb(p.host6),
    ' address-family ipv4 unicast',
    '  network 10.200.0.0/24 route-map SETC',
    ...(opts.withSecond === false ? [] : ['  network 10.200.1.0/24 route-map SETC']),
    `  neighbor ${p.host4} activate`,
    ' exit-address-family',
    ' address-family ipv6 unicast',
    '  network 2001:db8:200::/64 route-map SETC',
    `  neighbor ${p.host6} activate`,
    ' exit-address-family',
    'route-map SETC permit 10',
    ` set community ${frrAs}:200`,
    ` set large-community ${frrAs}:2:3`,
    '',
  ].join('\n');
}


for (const mode of ['ebgp', 'ibgp'] as const) {
  describe(`FRR ${mode}`, () => {
    const frrAs = mode === 'ebgp' ? 65001 : AGENT_AS;
    const password = mode === 'ebgp' ? 's3cret' : undefined;
    const port = 11000 + Math.floor(Math.random() * 20000);
    let p: NetnsPeer;
    let frr: Frr;
    let agent: AgentProcess;
    const established = async (a: AgentProcess) =>
      bothEstablished(a, async () => (await frrNeighborState(frr, p.host4)) === 'Established' && (await frrNeighborState(frr, p.host6)) === 'Established');

    before(async () => {
      p = await createNetnsPeer(`frr${mode}`);
      frr = await startFrr(p, frrConf(p, frrAs, port, { password }));
      agent = await startAgent(agentPeerConfig(p, frrAs, port, { password, logLevel: 'debug' }));
      await agent.start();
    });
    after(async () => {
      if (agent && process.env.KL_DEBUG) console.log(agent.logs.slice(-80).join('\n'));
      await agent?.cleanup();
      await frr?.cleanup();
      await p?.cleanup();
    });

    test('IPv4 and IPv6 sessions are Established on both sides (MD5 on IPv4 for eBGP)', async () => {
      await established(agent);
      const n4 = (await agent.neighbor(p.peer4))!;
      assert.equal(n4.asn, frrAs);
      assert.equal(n4.routerId, '10.255.0.2');
      assert.deepEqual(n4.families, ['ipv4-unicast']);
      const table = await agent.cli(['neighbor']);
      assert.match(table, new RegExp(`${p.peer4.replaceAll('.', '\\.')}\\s+${frrAs}\\s+\\S+\\s+Established`));
    });

    test('routes flow both ways with communities and large communities intact', async () => {
      for (const [afi, ours, theirs] of ROUTES) {
        const r = await waitFor(`FRR has ${ours}`, () => frrRoute(frr, afi, ours), 20_000);
        assert.equal(r.community, '65000:100');
        assert.equal(r.largeCommunity, '65000:1:2');
        assert.equal(r.asPath, mode === 'ebgp' ? '65000' : 'Local'); // FRR prints an empty AS_PATH as "Local"
        const rib = await waitFor(`agent has ${theirs}`, async () => {
          const j = await agent.rib(afi);
          return j.routes?.find((x) => x.prefix === theirs);
        }, 20_000);
        assert.deepEqual(rib.communities, [`${frrAs}:200`]);
        assert.deepEqual(rib.largeCommunities, [`${frrAs}:2:3`]);
        assert.deepEqual(rib.asPath, mode === 'ebgp' ? [frrAs] : []);
        assert.equal(rib.best, true);
        assert.equal(rib.nextHop, afi === 'ipv4' ? p.peer4 : p.peer6);
      }
      const json = JSON.parse(await agent.cli(['rib', '--json', '--family', 'ipv4'])) as { family: string; destinations: number; routes: unknown[] };
      assert.equal(json.family, 'ipv4-unicast');
      assert.ok(json.destinations >= 3);
      const summary = JSON.parse(await agent.cli(['rib', '--json', '--summary'])) as Record<string, unknown>;
      assert.equal(summary.routes, undefined);
      const n = (await agent.neighbor(p.peer4))!;
      assert.ok(n.accepted >= 2 && n.advertised >= 1, JSON.stringify(n));
    });

    test('a withdraw is honoured (and re-originating brings the route back)', async () => {
      await agent.cli(['withdraw', '10.100.0.0/24']);
      await waitFor('FRR lost 10.100.0.0/24', async () => (await frrRoute(frr, 'ipv4', '10.100.0.0/24')) === undefined, 15_000);
      await agent.cli(['originate', '10.100.0.0/24', '--community', '65000:100', '--large-community', '65000:1:2']);
      await waitFor('FRR has it again', () => frrRoute(frr, 'ipv4', '10.100.0.0/24'), 15_000);
    });

    test('route refresh both ways', async () => {
      const before = (await agent.neighbor(p.peer4))!.messages.received.routeRefresh ?? 0;
      await frr.vtysh(`clear bgp ipv4 unicast ${p.host4} soft in`);
      await waitFor('agent received ROUTE-REFRESH', async () => ((await agent.neighbor(p.peer4))!.messages.received.routeRefresh ?? 0) > before, 15_000);
      assert.ok(await frrRoute(frr, 'ipv4', '10.100.0.0/24'));
      const updatesBefore = (await agent.neighbor(p.peer4))!.messages.received.update;
      await agent.api('POST', '/refresh', { peer: p.peer4, family: 'ipv4' });
      await waitFor('FRR re-sent its routes', async () => (await agent.neighbor(p.peer4))!.messages.received.update > updatesBefore, 15_000);
      assert.equal((await agent.neighbor(p.peer4))!.state, 'Established');
    });

    if (mode === 'ebgp') {
      test('FRR restarting with graceful restart: its routes stay stale, then the gone one is swept', async () => {
        await waitFor('agent has both FRR routes', async () => (await daemonRoutes4(agent)).length === 2, 15_000);
        await frr.killBgpd();
        const stale = await waitFor('routes marked stale', async () => {
          const rs = await daemonRoutes4(agent);
          return rs.length === 2 && rs.every((r) => r.stale) ? rs : undefined;
        }, 15_000);
        assert.equal(stale.length, 2);
        assert.notEqual((await agent.neighbor(p.peer4))!.state, 'Established');
        await frr.startBgpd(frrConf(p, frrAs, port, { password, withSecond: false }));
        await established(agent);
        await waitFor('10.200.1.0/24 swept, 10.200.0.0/24 fresh', async () => {
          const rs = await daemonRoutes4(agent);
          return rs.length === 1 && rs[0]!.prefix === '10.200.0.0/24' && !rs[0]!.stale;
        }, 30_000);
      });

      test('MD5: a wrong password never establishes', async () => {
        await frr.vtysh(`configure terminal\nrouter bgp ${frrAs}\nneighbor ${p.host4} password wrong`);
        // FRR resets the session on a password change; our side must not come back up.
        await waitFor('session down', async () => (await agent.neighbor(p.peer4))!.state !== 'Established', 20_000);
        const end = Date.now() + 12_000;
        while (Date.now() < end) {
          assert.notEqual((await agent.neighbor(p.peer4))!.state, 'Established');
          assert.notEqual(await frrNeighborState(frr, p.host4), 'Established');
          await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal((await agent.neighbor(p.peer6))!.state, 'Established');
      });
    }
  });
}
