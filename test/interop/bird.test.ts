/**
 * Interop with BIRD 2 (Debian package) in its own netns: eBGP and iBGP, IPv4 and IPv6 sessions; routes both ways
 * with communities and large communities; withdraw; route refresh; BIRD restarting with graceful restart.
 * Our agent runs as a real process (`node bin/lab-agent.js run`); needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetnsPeer, waitFor, type NetnsPeer } from './lib/netns.js';
import { startAgent, type AgentProcess } from './lib/agent.js';
import { startBird, birdRoute, birdEstablished, type Bird } from './lib/bird.js';
import { AGENT_AS, ROUTES, agentPeerConfig, bothEstablished, daemonRoutes4 } from './lib/peer-scenario.js';

function birdConf(p: NetnsPeer, as: number, port: number, withSecond = true): string {
  const tag = (c: string) => `{ bgp_community.add((${as},200)); bgp_large_community.add((${as},2,3)); ${c} }`;
  const proto = (name: string, afi: 'ipv4' | 'ipv6', local: string, nb: string) => `
protocol bgp ${name} {
  local ${local} as ${as};
  neighbor ${nb} port ${port} as ${AGENT_AS};
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  graceful restart on; direct;
  ${afi} { import all; export filter { if source = RTS_STATIC then ${tag('accept;')} reject; }; next hop self; gateway direct; };
}`;
  return `router id 10.255.0.3;
log stderr all;
protocol device {}
protocol direct { ipv4; ipv6; }
protocol static s4 { ipv4; route 10.200.0.0/24 blackhole; ${withSecond ? 'route 10.200.1.0/24 blackhole;' : ''} }
protocol static s6 { ipv6; route 2001:db8:200::/64 blackhole; }
${proto('a4', 'ipv4', p.peer4, p.host4)}
${proto('a6', 'ipv6', p.peer6, p.host6)}
`;
}


for (const mode of ['ebgp', 'ibgp'] as const) {
  describe(`BIRD ${mode}`, () => {
    const as = mode === 'ebgp' ? 65002 : AGENT_AS;
    const port = 11000 + Math.floor(Math.random() * 20000);
    let p: NetnsPeer;
    let bird: Bird;
    let agent: AgentProcess;
    const established = () => bothEstablished(agent, async () => (await birdEstablished(bird, 'a4')) && (await birdEstablished(bird, 'a6')));

    before(async () => {
      p = await createNetnsPeer(`bird${mode}`);
      bird = await startBird(p, birdConf(p, as, port));
      agent = await startAgent(agentPeerConfig(p, as, port));
      await agent.start();
    });
    after(async () => {
      if (agent && process.env.KL_DEBUG) console.log(agent.logs.slice(-60).join('\n'));
      await agent?.cleanup();
      await bird?.cleanup();
      await p?.cleanup();
    });

    test('IPv4 and IPv6 sessions are Established on both sides', async () => {
      await established();
      assert.equal((await agent.neighbor(p.peer4))!.routerId, '10.255.0.3');
    });

    test('routes flow both ways with communities and large communities intact', async () => {
      for (const [afi, ours, theirs] of ROUTES) {
        const r = await waitFor(`BIRD has ${ours}`, () => birdRoute(bird, ours), 20_000);
        assert.equal(r.communities, '(65000,100)');
        assert.equal(r.largeCommunities, '(65000, 1, 2)');
        assert.equal(r.asPath, mode === 'ebgp' ? '65000' : '');
        const got = await waitFor(`agent has ${theirs}`, async () => (await agent.rib(afi)).routes?.find((x) => x.prefix === theirs), 20_000);
        assert.deepEqual(got.communities, [`${as}:200`]);
        assert.deepEqual(got.largeCommunities, [`${as}:2:3`]);
        assert.deepEqual(got.asPath, mode === 'ebgp' ? [as] : []);
        assert.equal(got.nextHop, afi === 'ipv4' ? p.peer4 : p.peer6);
      }
    });

    test('a withdraw is honoured', async () => {
      await agent.cli(['withdraw', '2001:db8:100::/64']);
      await waitFor('BIRD lost it', async () => (await birdRoute(bird, '2001:db8:100::/64')) === undefined, 15_000);
    });

    test('route refresh both ways', async () => {
      const before = (await agent.neighbor(p.peer4))!.messages.received.routeRefresh ?? 0;
      await bird.birdc('reload in a4');
      await waitFor('agent received ROUTE-REFRESH', async () => ((await agent.neighbor(p.peer4))!.messages.received.routeRefresh ?? 0) > before, 15_000);
      const updates = (await agent.neighbor(p.peer4))!.messages.received.update;
      await agent.api('POST', '/refresh', { peer: p.peer4, family: 'ipv4' });
      await waitFor('BIRD re-sent its routes', async () => (await agent.neighbor(p.peer4))!.messages.received.update > updates, 15_000);
      assert.ok(await birdRoute(bird, '10.100.0.0/24'));
    });

    if (mode === 'ebgp') {
      test('BIRD restarting with graceful restart: its routes stay stale, then the gone one is swept', async () => {
        await waitFor('both BIRD routes', async () => (await daemonRoutes4(agent)).length === 2, 15_000);
        await bird.kill();
        await waitFor('routes marked stale', async () => {
          const rs = await daemonRoutes4(agent);
          return rs.length === 2 && rs.every((r) => r.stale);
        }, 15_000);
        await bird.start(birdConf(p, as, port, false));
        await established();
        await waitFor('10.200.1.0/24 swept, 10.200.0.0/24 fresh', async () => {
          const rs = await daemonRoutes4(agent);
          return rs.length === 1 && rs[0]!.prefix === '10.200.0.0/24' && !rs[0]!.stale;
        }, 30_000);
      });
    }
  });
}
