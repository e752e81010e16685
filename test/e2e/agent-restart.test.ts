/**
 * Graceful restart of the node agent in a real lab (test/fixtures/labs/agent-gr): an FRR ToR (AS 65000,
 * `bgp graceful-restart`) peers with `lab-agent k8s --dialect kube-router --bgp-graceful-restart=true` on a
 * one-node cluster, started by the lab (topology `bgp:` block; it runs inside the node daemon's process). A host behind the ToR
 * (pc, 10.82.9.2) pings a pod on the node: ToR → node over the node's pod CIDR (learned by FRR), node → pc over
 * 10.82.9.0/24 (learned by the agent, proto 186 in the node's FIB).
 * - planned restart (SIGTERM, then start again): no NOTIFICATION reaches FRR, FRR keeps the pod CIDR as stale
 *   while the agent is down, the node keeps its proto 186 route, the ping loses nothing; once the agent is back
 *   and has sent End-of-RIB the route is fresh again;
 * - non-graceful stop (SIGINT): FRR receives a Cease and withdraws the pod CIDR at once; the node's routes go.
 * - hard kill (`lab fault agent kill`, SIGKILL of a separate agent before): the session drops without NOTIFICATION
 *   and the node daemon starts the next run 1 s later.
 * The agent is stopped "for good" the way agent-host.ts documents it (remove agent.enabled, then POST /stop on the
 * node daemon's control socket) and started again with boot.sh, so the test controls how long it is down.
 * Needs root, Docker and the built dist/ (`npm run build`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { forceDestroy, lab, leftovers, NOTHING, REPO, until } from './helpers.js';

const LAB = 'agent-gr';
const DIR = join(REPO, 'test/fixtures/labs/agent-gr');
const TOPO = join(DIR, 'topo.yaml');
const KUBECONFIG = join(DIR, 'lab-agent-gr/kubeconfig');
const AGENT_LOG = join(DIR, 'lab-agent-gr/control-plane/logs/agent.log');
const NODE = 'agent-gr-control-plane';
const TOR = 'clab-agent-gr-tor';
const PC = 'clab-agent-gr-pc';
const NODE_IP = '10.81.0.11';
const PC_NET = '10.82.9.0/24';
const CONTROL = 'curl -sS --fail-with-body --unix-socket /run/kindlab/agent-host.sock';
const MARKER = '/var/lib/kindlab/node/agent.enabled';

const dexec = async (c: string, cmd: string) => String((await execa('docker', ['exec', c, 'sh', '-c', cmd])).stdout);
const vtyshJson = async <T>(cmd: string): Promise<T> => JSON.parse(await dexec(TOR, `vtysh -c '${cmd}'`)) as T;

interface FrrNeighbor {
  bgpState: string;
  lastResetDueTo?: string;
  lastNotificationReason?: string;
  messageStats: { notificationsRecv: number };
  connectionsDropped?: number;
  gracefulRestartInfo?: { endOfRibRecv?: Record<string, boolean> };
}
const neighbor = async () => (await vtyshJson<Record<string, FrrNeighbor>>(`show bgp neighbor ${NODE_IP} json`))[NODE_IP]!;
type FrrPath = { stale?: boolean; valid?: boolean; nexthops?: Array<{ ip: string }> };
/** FRR's paths for the pod CIDR (empty when withdrawn). */
const paths = async (prefix: string) => (await vtyshJson<{ routes?: Record<string, FrrPath[]> }>('show bgp ipv4 unicast json')).routes?.[prefix] ?? [];
const torKernelRoute = (prefix: string) => dexec(TOR, `ip route show ${prefix}`);
const nodeFib = () => dexec(NODE, 'ip -N route show proto 186');
/** The agent hosted by the node daemon: is it running, and which run. */
const agentStatus = async () => JSON.parse(await dexec(NODE, `${CONTROL} http://agent/status`)) as { running: boolean; run: number };

/** Ends the agent as SIGTERM (graceful) or SIGINT did and keeps it down (the daemon starts none without agent.enabled). */
async function stopAgent(signal: 'TERM' | 'INT'): Promise<void> {
  assert.equal((await agentStatus()).running, true, 'the agent runs');
  await dexec(NODE, `rm -f ${MARKER}; ${CONTROL} -X POST 'http://agent/stop?graceful=${signal === 'TERM'}'`);
  assert.equal((await agentStatus()).running, false);
}
async function startAgent(): Promise<void> {
  await dexec(NODE, `touch ${MARKER}; sh /var/lib/kindlab/node/boot.sh`);
  await until('agent running', async () => ((await agentStatus()).running ? true : undefined), 10_000, 100);
}
const established = () => until('FRR: session with the node Established', async () => ((await neighbor()).bgpState === 'Established' ? true : undefined), 30_000, 200);
const freshRoute = (prefix: string) =>
  until(`FRR: ${prefix} present and not stale`, async () => {
    const p = await paths(prefix);
    return p.length === 1 && p[0]!.valid && !p[0]!.stale ? p[0] : undefined;
  }, 30_000, 200);

describe('graceful restart of lab-agent against an FRR ToR', { timeout: 240_000 }, () => {
  let podCidr = '';
  let podIp = '';

  before(async () => {
    await forceDestroy(LAB);
    const d = await lab(['deploy', '-t', TOPO]);
    assert.equal(d.exitCode, 0, `deploy failed:\n${d.stdout}\n${d.stderr}`);
    const kc = (...a: string[]) => execa('kubectl', ['--kubeconfig', KUBECONFIG, ...a]).then((r) => String(r.stdout));
    podCidr = await kc('get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}');
    podIp = await until('pod web IP', async () => (await kc('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}')) || undefined, 60_000, 500);
    await established();
    await freshRoute(podCidr);
    await until('node: route to pc via the ToR (proto 186)', async () => ((await nodeFib()).includes(`${PC_NET} via 10.81.0.1`) ? true : undefined), 20_000, 200);
    await until('pc pings the pod', async () => ((await execa('docker', ['exec', PC, 'ping', '-c', '1', '-W', '1', podIp], { reject: false })).exitCode === 0 ? true : undefined), 20_000, 500);
  });
  after(async () => {
    await forceDestroy(LAB);
    assert.deepEqual(await leftovers(LAB), NOTHING);
  });

  test('planned restart (SIGTERM): no Cease, FRR keeps the pod CIDR stale and forwarding continues, fresh after End-of-RIB', async () => {
    const before = await neighbor();
    const notifications = before.messageStats.notificationsRecv;
    // pc → pod every 100 ms over the whole restart (about 9 s).
    const ping = execa('docker', ['exec', PC, 'ping', '-i', '0.1', '-c', '90', '-W', '1', podIp], { reject: false });
    await new Promise((r) => setTimeout(r, 1000));

    await stopAgent('TERM');
    await until('FRR notices the session is gone', async () => ((await neighbor()).bgpState !== 'Established' ? true : undefined), 10_000, 100);
    const down = await neighbor();
    assert.equal(down.messageStats.notificationsRecv, notifications, 'a planned restart sends no NOTIFICATION (no Cease)');
    assert.doesNotMatch(down.lastResetDueTo ?? '', /Notification/i, `FRR's reset reason: ${down.lastResetDueTo}`);
    const stale = await paths(podCidr);
    assert.equal(stale.length, 1, 'FRR keeps the node\'s route');
    assert.equal(stale[0]!.stale, true, 'marked stale while the agent restarts');
    assert.match(await torKernelRoute(podCidr), new RegExp(`via ${NODE_IP.replace(/\./g, '\\.')}`), 'still in the ToR\'s kernel');
    assert.match(await nodeFib(), new RegExp(`${PC_NET.replace(/\./g, '\\.')} via 10\\.81\\.0\\.1`), 'the node keeps its proto 186 route while the agent is down');

    await new Promise((r) => setTimeout(r, 3000)); // down for a while: forwarding goes on
    assert.equal((await paths(podCidr))[0]?.stale, true);

    await startAgent();
    await established();
    await freshRoute(podCidr);
    const back = await neighbor();
    assert.equal(back.gracefulRestartInfo?.endOfRibRecv?.['ipv4Unicast'], true, 'FRR received our End-of-RIB');
    assert.equal(back.messageStats.notificationsRecv, notifications, 'still no NOTIFICATION');
    assert.match(await nodeFib(), new RegExp(`${PC_NET.replace(/\./g, '\\.')} via 10\\.81\\.0\\.1`));
    const log = await readFile(AGENT_LOG, 'utf8');
    assert.match(log, /graceful restart: restarting speaker/, 'the new run knew it was a planned restart');

    const r = await ping;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(String(r.stdout));
    assert.ok(m, String(r.stdout));
    assert.equal(Number(m[2]), Number(m[1]), `no ping lost over the restart:\n${String(r.stdout).split('\n').slice(-3).join('\n')}`);
  });

  test('non-graceful stop (SIGINT): Cease, FRR withdraws the pod CIDR at once; a cold start brings it back', async () => {
    const notifications = (await neighbor()).messageStats.notificationsRecv;
    await stopAgent('INT');
    let last: FrrNeighbor | undefined;
    const n = await until('FRR received a NOTIFICATION', async () => {
      last = await neighbor();
      return last.messageStats.notificationsRecv > notifications ? last : undefined;
    }, 5_000, 100).catch((e: Error) => assert.fail(`${e.message}; before ${notifications}, FRR now: ${JSON.stringify(last)}`));
    // What the agent sends on a manual stop: Cease, Administrative Shutdown (6/2).
    assert.match(n.lastNotificationReason ?? '', /^Cease\/Administrative Shutdown/, `FRR: ${n.lastNotificationReason}`);
    assert.deepEqual(await paths(podCidr), [], 'withdrawn at once, nothing kept stale');
    assert.equal((await torKernelRoute(podCidr)).trim(), '', 'gone from the ToR\'s kernel');
    assert.equal((await nodeFib()).trim(), '', 'the agent removed its proto 186 routes');
    const r = await execa('docker', ['exec', PC, 'ping', '-c', '1', '-W', '1', podIp], { reject: false });
    assert.notEqual(r.exitCode, 0, 'no route to the pod any more');

    await startAgent();
    await established();
    await freshRoute(podCidr);
    await until('pc pings the pod again', async () => ((await execa('docker', ['exec', PC, 'ping', '-c', '1', '-W', '1', podIp], { reject: false })).exitCode === 0 ? true : undefined), 20_000, 500);
  });

  test('hard kill (lab fault agent kill): the session drops without NOTIFICATION, the next run comes 1 s later', async () => {
    const before = await neighbor();
    const run = (await agentStatus()).run;
    const k = await lab(['fault', '-t', TOPO, 'agent', 'control-plane', 'kill']);
    assert.equal(k.exitCode, 0, `${k.stdout}\n${k.stderr}`);
    assert.match(k.stdout, new RegExp(`agent control-plane killed \\(SIGKILL\\) run ${run}; its node daemon started run ${run + 1}`));
    await until('FRR: the session dropped and came back', async () => {
      const n = await neighbor();
      return (n.connectionsDropped ?? 0) > (before.connectionsDropped ?? 0) && n.bgpState === 'Established' ? n : undefined;
    }, 30_000, 200);
    const after = await neighbor();
    assert.equal(after.messageStats.notificationsRecv, before.messageStats.notificationsRecv, 'a killed agent sends no NOTIFICATION');
    await freshRoute(podCidr);
    await lab(['fault', '-t', TOPO, 'clear']);
  });
});
