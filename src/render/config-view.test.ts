import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, planLab } from '../topology/index.js';
import { configDiff, renderedConfig } from './config-view.js';
import { applyRouting } from './index.js';

const TOPO = (asn: number) => `
name: cv
routing: { asns: { spine: 65000 } }
topology:
  nodes:
    s1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { role: spine } }
    l1: { kind: linux, image: frrouting/frr:v8.4.0, bgp: { asn: ${asn} } }
    h1: { kind: linux, image: alpine }
  links:
    - endpoints: [s1:e1, l1:e1]
    - endpoints: [l1:e2, h1:eth1]
`;
const plan = (asn: number) => applyRouting(planLab(parseTopology(TOPO(asn), { file: 'cv.yaml', env: {} }), { labDir: '/tmp/kl-cv' }), () => undefined);

test('config show prints a router\'s files and exec lines, and a host\'s addressing', () => {
  const text = renderedConfig(plan(65010), 'l1');
  assert.match(text, /^# l1: frr, AS 65010, router-id 10\.0\.0\.1$/m);
  assert.match(text, /^# --- \/etc\/frr\/frr\.conf\n/m);
  assert.match(text, /^router bgp 65010$/m);
  assert.match(text, /^  \/usr\/lib\/frr\/frrinit\.sh start$/m);
  assert.match(renderedConfig(plan(65010), 'h1'), /ip route replace default via 10\.0\.1\.1/);
  assert.throws(() => renderedConfig(plan(65010), 'nope'), /node "nope" is not in lab cv/);
});

test('config diff shows what an edit of the intent changes, and nothing when unchanged', () => {
  const before = plan(65010);
  const deployed = (node: string, path: string) => before.routing!.routers.find((r) => r.node === node)?.files.find((f) => f.path === path)?.content;
  assert.equal(configDiff(before, deployed), '');
  const d = configDiff(plan(65020), deployed);
  assert.match(d, /^-router bgp 65010$/m);
  assert.match(d, /^\+router bgp 65020$/m);
  assert.match(d, /^-  neighbor 10\.255\.0\.1 remote-as 65010$|^- neighbor 10\.255\.0\.1 remote-as 65010$/m);
});
