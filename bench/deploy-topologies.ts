/**
 * Generates the benchmark leaf-spine lab: `spines` FRR spines (one AS), `leaves` FRR leaves (one AS
 * each, unnumbered eBGP to every spine), `hosts` linux hosts spread over the leaves. Files go into
 * `dir`: topo.yaml and one startup config per router.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LeafSpineShape {
  spines: number;
  leaves: number;
  hosts: number;
}

function routerConfig(name: string, asn: number, routerId: string, fabricIfaces: string[]): string {
  return [
    'frr defaults datacenter',
    `hostname ${name}`,
    'service integrated-vtysh-config',
    '!',
    `router bgp ${asn}`,
    ` bgp router-id ${routerId}`,
    ' no bgp ebgp-requires-policy',
    ' neighbor FABRIC peer-group',
    ' neighbor FABRIC remote-as external',
    ...fabricIfaces.map((i) => ` neighbor ${i} interface peer-group FABRIC`),
    ' address-family ipv4 unicast',
    '  redistribute connected',
    ' exit-address-family',
    '!',
    '',
  ].join('\n');
}

/** Writes the lab; returns the topology file path. */
export async function writeLeafSpine(dir: string, name: string, shape: LeafSpineShape): Promise<string> {
  const nodes: string[] = [];
  const links: string[] = [];
  const spineIfaces = Array.from({ length: shape.leaves }, (_, l) => `eth${l + 1}`);
  for (let s = 1; s <= shape.spines; s++) {
    await writeFile(join(dir, `spine${s}.conf`), routerConfig(`spine${s}`, 65100, `10.0.0.${s}`, spineIfaces));
    nodes.push(`    spine${s}: { kind: frr, startup-config: spine${s}.conf }`);
  }
  const hostsOf = (l: number) => Array.from({ length: shape.hosts }, (_, h) => h + 1).filter((h) => (h - 1) % shape.leaves === l - 1);
  for (let l = 1; l <= shape.leaves; l++) {
    const up = Array.from({ length: shape.spines }, (_, s) => `eth${s + 1}`);
    await writeFile(join(dir, `leaf${l}.conf`), routerConfig(`leaf${l}`, 65000 + l, `10.0.1.${l}`, up));
    nodes.push(`    leaf${l}: { kind: frr, startup-config: leaf${l}.conf }`);
    for (let s = 1; s <= shape.spines; s++) links.push(`    - endpoints: ["spine${s}:eth${l}", "leaf${l}:eth${s}"]`);
    hostsOf(l).forEach((h, k) => {
      nodes.push(`    host${h}: { kind: linux, exec: ["ip addr add 10.200.${h}.2/24 dev eth1", "ip route replace 10.0.0.0/8 via 10.200.${h}.1"] }`);
      links.push(`    - type: veth`);
      links.push(`      endpoints:`);
      links.push(`        - { node: leaf${l}, interface: eth${10 + k}, ipv4: [10.200.${h}.1/24] }`);
      links.push(`        - { node: host${h}, interface: eth1 }`);
    });
  }
  const yaml = [
    `name: ${name}`,
    `mgmt: { network: kindlab-${name}, ipv4-subnet: 172.30.0.0/22 }`,
    'topology:',
    '  kinds:',
    '    frr: { image: frrouting/frr:v8.2.2 }',
    '    linux: { image: nicolaka/netshoot:latest }',
    '  nodes:',
    ...nodes,
    '  links:',
    ...links,
    '',
  ].join('\n');
  const file = join(dir, 'topo.yaml');
  await writeFile(file, yaml);
  return file;
}
