/**
 * BFD in a Kubernetes lab: one k8s node running lab-agent in its Kube-OVN dialect with `--enable-bfd` (100 ms,
 * multiplier 3) and a 90 s hold time, peering with an FRR ToR whose bfdd runs a matching profile. `lab fault` takes
 * the ToR's end of the link down; the agent's session must leave Established because of BFD (the reason says so)
 * long before the hold time. The delay as seen by polling is printed, not asserted. The lab is destroyed at the end.
 * Run under `flock /tmp/kindlab-docker.lock`; needs dist/ (npx tsc -p tsconfig.json).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';
import { KUBECTL } from './kubectl-helpers.js';
import { uniqueLabName, uniqueSubnet } from './plan-helpers.js';

const name = uniqueLabName('kl-bfdk8s');
let dir = '';
let file = '';

const TOR_CONF = `frr defaults datacenter
hostname tor
service integrated-vtysh-config
!
bfd
 profile fast
  transmit-interval 100
  receive-interval 100
  detect-multiplier 3
 exit
exit
!
router bgp 65030
 bgp router-id 10.77.0.1
 no bgp ebgp-requires-policy
 neighbor 10.77.0.10 remote-as 65000
 neighbor 10.77.0.10 timers 30 90
 neighbor 10.77.0.10 bfd
 neighbor 10.77.0.10 bfd profile fast
!
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-bfdk8s-'));
  file = join(dir, 'topo.yaml');
  await writeFile(join(dir, 'tor.conf'), TOR_CONF);
  await writeFile(file, [
    `name: ${name}`,
    `mgmt: { network: kindlab-${name}, ipv4-subnet: ${uniqueSubnet(name)} }`,
    'cluster:',
    '  nodes:',
    '  - role: control-plane',
    '    labels: { ovn.kubernetes.io/bgp: "true" }',
    '  bgp:',
    '    dialect: kube-ovn',
    '    flags: [--neighbor-address=10.77.0.1, --neighbor-as=65030, --cluster-as=65000, --holdtime=90s, --enable-bfd=true, --bfd-min-tx=100, --bfd-min-rx=100, --bfd-detection-multiplier=3]',
    'topology:',
    '  nodes:',
    '    tor:',
    '      kind: frr',
    '      image: frrouting/frr:v8.2.2',
    '      startup-config: tor.conf',
    '      exec: ["ip addr add 10.77.0.1/24 dev eth1"]',
    '    control-plane:',
    '      kind: k8s-node',
    '      exec: ["ip addr add 10.77.0.10/24 dev net0"]',
    '  links:',
    '  - endpoints: ["tor:eth1", "control-plane:net0"]',
  ].join('\n') + '\n');
  const r = await lab(['deploy', '-t', file]);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
});

after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Neighbor { address: string; state: string; reason: string; bfd?: { state: string; detectTimeMs: number } }
const neighbors = async (): Promise<Neighbor[]> => {
  const r = await lab(['exec', '-t', file, 'control-plane', '--', 'lab-agent', 'neighbor', '--json']);
  try { return JSON.parse(r.stdout) as Neighbor[]; } catch { return []; }
};
const tor = async () => (await neighbors()).find((n) => n.address === '10.77.0.1');

test('link down: BFD takes the agent\'s BGP session down long before the 90 s hold time', async () => {
  const up = await until('session Established with BFD up', async () => { const n = await tor(); return n?.state === 'Established' && n.bfd?.state === 'Up' ? n : undefined; }, 90_000, 500);
  const t0 = Date.now();
  const down = await lab(['fault', '-t', file, 'link', 'tor:eth1', 'down']);
  assert.equal(down.exitCode, 0, down.stderr);
  const t1 = Date.now();
  const gone = await until('session down', async () => { const n = await tor(); return n && n.state !== 'Established' ? n : undefined; }, 20_000, 100);
  console.log(`BFD: detection time ${up.bfd!.detectTimeMs} ms; the session was seen out of Established ${Date.now() - t1} ms after \`lab fault\` returned (the command took ${t1 - t0} ms; each poll is a \`lab exec\`)`);
  assert.match(gone.reason, /BFD down/);
  // The agent's Kubernetes Event says the same.
  const kubeconfig = (await lab(['kubeconfig', '-t', file])).stdout.trim();
  let seen = '';
  const ev = await until('BGPSessionDown event naming BFD', async () => {
    const r = await execa(KUBECTL, ['--kubeconfig', kubeconfig, 'get', 'events', '-n', 'default', '-o', 'json'], { reject: false });
    seen = `${String(r.stdout)}${String(r.stderr)}`.slice(-2000);
    const items = r.exitCode === 0 ? (JSON.parse(String(r.stdout)) as { items: Array<{ reason: string; message: string; involvedObject: { kind: string } }> }).items : [];
    return items.find((e) => e.reason === 'BGPSessionDown' && e.involvedObject.kind === 'Node' && /10\.77\.0\.1 down: BFD down/.test(e.message));
  }, 15_000, 500).catch((e: unknown) => assert.fail(`${String(e)}\n${seen}`));
  assert.ok(ev);

  const clear = await lab(['fault', '-t', file, 'clear']);
  assert.equal(clear.exitCode, 0, clear.stderr);
  await until('session back', async () => ((await tor())?.state === 'Established' ? true : undefined), 60_000, 500);

  const destroy = await lab(['destroy', '-t', file, '--cleanup']);
  assert.equal(destroy.exitCode, 0, destroy.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
