import assert from 'node:assert/strict';
import { test } from 'node:test';
import { impactOverlay, linkSeverity, writeImpactHtml, writeImpactJunit } from './report-ci.js';
import type { ImpactReport } from './run.js';
import { toMermaid, type GraphModel } from '../graph/index.js';

const report: ImpactReport = {
  lab: 'demo<&>',
  // a name twice: two derived checks may be named alike (the run tells checks apart by name)
  checks: ['ping a-b', 'bgp r1<->r2', 'pod ping', 'ping a-b'],
  startedAt: '2026-12-06T20:00:00.000Z',
  durationMs: 61_000,
  rows: [
    { element: 'r1:eth1 — r2:eth1', kind: 'link', failed: [{ check: 'ping a-b', detectMs: 1200, detail: '100% loss' }, { check: 'bgp r1<->r2', detectMs: 3100, detail: 'Idle' }], recovered: true, recoverMs: 4000 },
    { element: 'r2:eth2 — h1:eth3', kind: 'link', failed: [], recovered: true, recoverMs: 10 },
    { element: 'cp (server0, server1)', kind: 'node', failed: [{ check: 'pod ping', detectMs: 900, detail: 'timeout' }], recovered: false },
    { element: 'r3', kind: 'node', failed: [], recovered: false, error: 'no such container' },
  ],
};

/** Every tag closed in order (no XML parser in the tree: a stack over the tags is enough for our writer). */
function wellFormed(xml: string): void {
  const stack: string[] = [];
  for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z]+)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes ${stack.at(-1)}`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(xml.replace(/&(amp|lt|gt|quot|apos);/g, ''), /&|<[^/?A-Za-z]/, 'every & and stray < escaped');
}

test('JUnit: a suite per fault, a case per check (failure when broken) plus recovered; errors for faults not applied', () => {
  const xml = writeImpactJunit(report);
  wellFormed(xml);
  assert.match(xml, /<testsuites name="lab verify --impact: demo&lt;&amp;&gt;" tests="13" failures="4" errors="1"/);
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 4);
  assert.match(xml, /<testcase classname="demo&lt;&amp;&gt;\.impact\.link" name="bgp r1&lt;-&gt;r2 under link r1:eth1 — r2:eth1" time="3\.100">\n\s+<failure message="broken by link r1:eth1 — r2:eth1 after 3\.1 s" type="impact">Idle<\/failure>/);
  assert.match(xml, /name="pod ping under link r1:eth1 — r2:eth1" time="0\.000"\/>/);
  assert.match(xml, /name="recovered after node cp \(server0, server1\)" time="0\.000">\n\s+<failure message="the lab was not green again/);
  assert.match(xml, /<error message="no such container" type="fault">/);
});

test('overlay: nodes (owner and sharers) and links by how many checks their failure breaks', () => {
  const o = impactOverlay(report);
  assert.deepEqual(o.nodes, { cp: 'low', server0: 'low', server1: 'low' });
  assert.equal(linkSeverity(o, { node: 'r2', iface: 'eth1' }, { node: 'r1', iface: 'eth1' }), 'worst');
  assert.equal(linkSeverity(o, { node: 'r2', iface: 'eth2' }, { node: 'h1', iface: 'eth3' }), 'none');
  assert.equal(linkSeverity(o, { node: 'r9', iface: 'eth2' }, { node: 'h1', iface: 'eth3' }), undefined);
  const model: GraphModel = {
    lab: 'demo',
    direction: 'TB',
    nodes: [{ name: 'r1', role: 'router', kind: 'linux', image: 'x', notes: [] }, { name: 'r2', role: 'router', kind: 'linux', image: 'x', notes: [] }, { name: 'cp', role: 'k8s', kind: 'k8s-node', image: 'x', notes: [] }],
    edges: [{ a: { node: 'r1', iface: 'eth1' }, z: { node: 'r2', iface: 'eth1' }, state: 'established' }, { a: { node: 'r2', iface: 'eth9' }, z: { node: 'cp', iface: 'net0' } }],
  };
  const m = toMermaid(model, { nodes: { cp: { fill: '#fff8c5', stroke: '#bf8700' } }, edge: (a, z) => (linkSeverity(o, a, z) ? '#cf222e' : undefined) });
  assert.match(m, /linkStyle 0 stroke:#cf222e,stroke-width:4px/);
  assert.doesNotMatch(m, /linkStyle 0 stroke:#1a7f37/, 'the impact colour replaces the session colour');
  assert.doesNotMatch(m, /linkStyle 1 /);
  assert.match(m, /style n_cp fill:#fff8c5,stroke:#bf8700,stroke-width:3px/);
});

test('HTML: self-contained; the matrix marks each broken check; single points of failure named; the graph inlined', () => {
  const html = writeImpactHtml(report, { graphSvg: '<?xml version="1.0"?><svg id="g"></svg>' });
  assert.doesNotMatch(html, /<script|<link rel="stylesheet"|src="http/);
  assert.match(html, /<svg id="g"><\/svg>/);
  assert.match(html, /Single points of failure<\/strong> \(most checks broken, 2\): link r1:eth1 — r2:eth1/);
  const row = html.split('\n').find((l) => l.includes('link r1:eth1 — r2:eth1</td>'))!;
  assert.equal((row.match(/class="x"/g) ?? []).length, 2);
  assert.match(row, /border-left:4px solid #cf222e/);
  assert.match(html, /<title>lab verify --impact: demo&lt;&amp;&gt;<\/title>/);
  assert.match(html, /error: no such container/);
  assert.match(html, /not recovered/);
});
