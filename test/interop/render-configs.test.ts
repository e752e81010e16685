/**
 * Rendered router configs load in the real daemons without a word: FRR's vtysh --dryrun, BIRD's
 * parse-only mode (bird -p) and GoBGP's --dry-run, over a Clos with every option the intent has.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { applyRouting } from '../../src/render/index.js';
import { parseTopology, planLab, type LabPlan } from '../../src/topology/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kl-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function plan(routing: string, leafBgp: string): LabPlan {
  const text = `
name: render-interop
routing:
${routing}
topology:
  nodes:
    s1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: spine } }
    l1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, ${leafBgp} } }
    l2: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, daemon: bird, ${leafBgp} } }
    l3: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: leaf, daemon: gobgp, ${leafBgp} } }
  links:
    - endpoints: [s1:e1, l1:e1]
    - endpoints: [s1:e2, l2:e1]
    - endpoints: [s1:e3, l3:e1]
`;
  return applyRouting(planLab(parseTopology(text, { file: 'render.yaml', env: {} }), { labDir: dir }), () => undefined);
}

const VARIANTS: Array<[string, string, string]> = [
  ['plain', '  asns: { spine: 65000, leaf: "65010+" }', 'originate: [192.0.2.0/24]'],
  ['every option', '  asns: { spine: 65000, leaf: "65010+" }\n  password: s3cret\n  bfd: true\n  multipath: true', 'originate: [198.51.100.0/24], default-originate: true, prefix-in: [10.0.0.0/8], prefix-out: [10.10.0.0/16], communities: ["65000:1", "65000:2"]'],
  ['no multipath, no redistribute', '  asns: { spine: 65000, leaf: "65010+" }\n  multipath: false\n  redistribute: []', 'originate: [203.0.113.0/24]'],
  ['OSPF on the fabric links', '  asns: { spine: 65000, leaf: "65010+" }\n  ospf: { area: 0 }', 'originate: [192.0.2.0/24]'],
];

async function loads(argv: string[], file: string): Promise<void> {
  const r = await execa(argv[0]!, [...argv.slice(1), file], { reject: false });
  assert.equal(r.exitCode, 0, `${argv.join(' ')} ${file}: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
  return void assert.equal(`${r.stdout}${r.stderr}`.replace(/^\{.*"level":"info".*\}$/gm, '').trim(), '', `${argv[0]} printed something for ${file}`);
}

for (const [name, routing, leaf] of VARIANTS) {
  test(`rendered configs load in FRR, BIRD and GoBGP without a warning: ${name}`, async () => {
    const p = plan(routing, leaf);
    const file = (node: string, path: string) => {
      const f = p.nodes.find((n) => n.name === node)!.files!.find((x) => x.path === path)!;
      const out = join(dir, `${name.replace(/\W+/g, '-')}-${node}-${path.split('/').pop()}`);
      writeFileSync(out, f.content);
      return out;
    };
    await loads(['vtysh', '--dryrun', '-f'], file('s1', '/etc/frr/frr.conf'));
    await loads(['vtysh', '--dryrun', '-f'], file('l1', '/etc/frr/frr.conf'));
    await loads(['bird', '-p', '-c'], file('l2', '/etc/bird/bird.conf'));
    await loads(['gobgpd', '-t', 'toml', '-d', '-f'], file('l3', '/etc/gobgp/gobgpd.toml'));
  });
}

test('the dry runs do reject a broken config (the test can fail)', async () => {
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, 'router bgp 65000\n neighbor 10.0.0.1 remote-az 65001\n');
  const r = await execa('vtysh', ['--dryrun', '-f', bad], { reject: false });
  assert.notEqual(r.exitCode, 0);
  writeFileSync(bad, 'protocol bgp x { neighbor 10.0.0.1 as; }\n');
  assert.notEqual((await execa('bird', ['-p', '-c', bad], { reject: false })).exitCode, 0);
});
