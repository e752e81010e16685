/** labs/cilium-bgp/routers.yaml must carry the Cilium article's router config verbatim. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPlan } from './index.js';

const file = fileURLToPath(new URL('../../labs/cilium-bgp/routers.yaml', import.meta.url));

const vtysh = (asn: number, id: string, extra: string[], tail: string): string =>
  [`vtysh -c 'conf t'`, ...extra, `-c 'router bgp ${asn}'`, `-c ' bgp router-id ${id}'`, `-c ' no bgp ebgp-requires-policy'`].join(' ') + ' ' + tail;

describe('labs/cilium-bgp/routers.yaml', () => {
  it('router0 exec lines are the article\'s, including "usr/lib/frr/frrinit.sh start" without leading slash', async () => {
    const p = await loadPlan(file, { env: {} });
    const r0 = p.nodes.find((n) => n.name === 'router0')!;
    assert.equal(p.name, 'bgp-cplane-demo');
    assert.deepEqual(r0.cmd, ['bash']);
    assert.deepEqual(r0.labels, { app: 'frr' });
    assert.equal(r0.image, 'frrouting/frr:v8.2.2');
    assert.deepEqual(r0.exec.slice(0, 6), [
      'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE',
      'ip addr add 10.0.0.0/32 dev lo',
      'ip route add blackhole 10.0.0.0/8',
      'touch /etc/frr/vtysh.conf',
      "sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons",
      'usr/lib/frr/frrinit.sh start',
    ]);
    assert.equal(
      r0.exec[6],
      vtysh(65000, '10.0.0.0', [],
        "-c ' neighbor ROUTERS peer-group' -c ' neighbor ROUTERS remote-as external' -c ' neighbor ROUTERS default-originate' " +
          "-c ' neighbor net0 interface peer-group ROUTERS' -c ' neighbor net1 interface peer-group ROUTERS' " +
          "-c ' address-family ipv4 unicast' -c '   redistribute connected' -c ' exit-address-family' -c '!'"),
    );
  });
  it('tor0 and tor1 exec lines and links are the article\'s', async () => {
    const p = await loadPlan(file, { env: {} });
    for (const [name, asn, id, lo, n1, n2, s1, s2] of [
      ['tor0', 65010, '10.0.0.1', '10.0.0.1/32', '10.0.1.1/24', '10.0.2.1/24', '10.0.1.2', '10.0.2.2'],
      ['tor1', 65011, '10.0.0.2', '10.0.0.2/32', '10.0.3.1/24', '10.0.4.1/24', '10.0.3.2', '10.0.4.2'],
    ] as const) {
      const t = p.nodes.find((n) => n.name === name)!;
      assert.deepEqual(t.exec.slice(0, 7), [
        'ip link del eth0',
        `ip addr add ${lo} dev lo`,
        `ip addr add ${n1} dev net1`,
        `ip addr add ${n2} dev net2`,
        'touch /etc/frr/vtysh.conf',
        "sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons",
        '/usr/lib/frr/frrinit.sh start',
      ]);
      assert.equal(
        t.exec[7],
        vtysh(asn, id, ["-c 'frr defaults datacenter'"],
          "-c ' neighbor ROUTERS peer-group' -c ' neighbor ROUTERS remote-as external' -c ' neighbor SERVERS peer-group' " +
            "-c ' neighbor SERVERS remote-as internal' -c ' neighbor net0 interface peer-group ROUTERS' " +
            `-c ' neighbor ${s1} peer-group SERVERS' -c ' neighbor ${s2} peer-group SERVERS' ` +
            "-c ' address-family ipv4 unicast' -c '   redistribute connected' -c '  exit-address-family' -c '!'"),
      );
    }
    const links = p.links.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`).join(' '));
    assert.deepEqual(links.slice(0, 2), ['router0:net0 tor0:net0', 'router0:net1 tor1:net0']);
    assert.ok(p.links.every((l) => l.mtu === 9500));
  });
  it('stand-in servers give the tors net1/net2 without network-mode', async () => {
    const p = await loadPlan(file, { env: {} });
    const servers = p.nodes.filter((n) => n.name.startsWith('server'));
    assert.equal(servers.length, 4);
    assert.ok(servers.every((s) => s.networkMode.type === 'bridge' && s.image === 'nicolaka/netshoot:latest'));
    assert.deepEqual(servers[0]!.exec, ['ip addr add 10.0.1.2/24 dev net0', 'ip route replace default via 10.0.1.1']);
    const ifaces = p.links.flatMap((l) => l.endpoints).filter((e) => e.node.startsWith('tor')).map((e) => `${e.node}:${e.iface}`);
    assert.deepEqual(ifaces.sort(), ['tor0:net0', 'tor0:net1', 'tor0:net2', 'tor1:net0', 'tor1:net1', 'tor1:net2']);
  });
});
