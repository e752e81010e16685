/**
 * The router-only slices of the article labs (routers.yaml beside each topo.yaml), which need no
 * cluster: kube-router-bgp's two FRR routers elect one VRRP Master for 192.168.0.100 (router1,
 * as IOU1 in the article) with the Backup's macvlan held down, bring iBGP up between them, and
 * the test PC reaches the VIP; then destroy leaves nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NOTHING, REPO, forceDestroy, lab, leftovers, until } from './helpers.js';

const file = join(REPO, 'labs/kube-router-bgp/routers.yaml');
const name = 'kube-router-routers';
after(() => forceDestroy(name));

interface Vrrp {
  vrid: number;
  interface: string;
  v4: { status: string; interface: string; addresses: string[] };
}

const vrrp = async (router: string): Promise<Vrrp> => {
  const r = await lab(['exec', '-t', file, router, '--', 'vtysh', '-c', 'show vrrp json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return (JSON.parse(r.stdout) as Vrrp[])[0]!;
};

test('kube-router-bgp routers: VRRP elects router1 Master of 192.168.0.100, iBGP Established, the VIP answers; destroy leaves nothing', { timeout: 180_000 }, async () => {
  try {
    const up = await lab(['deploy', '-t', file]);
    assert.equal(up.exitCode, 0, up.stderr);
    const states = await until('one VRRP Master', async () => {
      const s = [await vrrp('router1'), await vrrp('router2')];
      return s.some((x) => x.v4.status === 'Master') ? s : undefined;
    }, 30_000, 500);
    assert.deepEqual(states.map((s) => [s.vrid, s.interface, s.v4.interface, s.v4.addresses, s.v4.status]), [
      [1, 'eth1', 'vrrp4-2-1', ['192.168.0.100'], 'Master'],
      [1, 'eth1', 'vrrp4-2-1', ['192.168.0.100'], 'Backup'],
    ]);
    // The Backup's macvlan is protodown: the VIP answers from router1 only.
    const link = await lab(['exec', '-t', file, 'router2', '--', 'ip', '-j', '-d', 'link', 'show', 'vrrp4-2-1']);
    assert.match(link.stdout, /"proto_down":true/);
    const v = await lab(['verify', '-t', file, '--wait', '60s', '--format', 'json']);
    const report = JSON.parse(v.stdout) as { passed: boolean; checks: Array<{ name: string; passed: boolean; detail: string }> };
    assert.deepEqual(report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
    assert.deepEqual(report.checks.map((c) => c.name), ['router1 iBGP to router2 Established', 'router2 iBGP to router1 Established', 'test host reaches its gateway, the VIP']);
    const arp = await lab(['exec', '-t', file, 'python', '--', 'ip', 'neigh', 'show', '192.168.0.100']);
    assert.match(arp.stdout, /lladdr 00:00:5e:00:01:01/);
  } finally {
    const down = await lab(['destroy', '-t', file, '--cleanup']);
    assert.equal(down.exitCode, 0, down.stderr);
    assert.deepEqual(await leftovers(name), NOTHING);
  }
});
