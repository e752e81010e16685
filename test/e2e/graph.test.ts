/**
 * `lab graph` drawn for real by mermaid-cli in Debian's Chromium: SVG and PNG for the Cilium
 * article routers (labs/cilium-bgp/routers.yaml) and a generated 60-node leaf-spine, with every
 * node name and every link in the SVG; the HTML page (file and --serve) loads in headless
 * Chromium (playwright-core) without console errors. No lab is deployed (no session state).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { writeLeafSpine } from '../../bench/deploy-topologies.js';
import { nodeId } from '../../src/graph/index.js';
import { loadPlan } from '../../src/topology/index.js';
import type { LabPlan } from '../../src/topology/types.js';
import { LAB_BIN, REPO, lab } from './helpers.js';

let dir = '';
let leafSpine = '';
const ROUTERS = join(REPO, 'labs/cilium-bgp/routers.yaml');
const CILIUM_LAB = join(REPO, 'labs/cilium-bgp/topo.yaml');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-graph-'));
  leafSpine = await writeLeafSpine(dir, 'kl-graph-ls60', { spines: 4, leaves: 16, hosts: 40 });
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Text of the SVG with tags removed: what a reader sees. */
const visibleText = (svg: string) => svg.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ');

function assertComplete(svg: string, plan: LabPlan): void {
  const words = new Set(visibleText(svg).split(/\s+/));
  const missing = plan.nodes.map((n) => n.name).filter((n) => !words.has(n));
  assert.deepEqual(missing, [], 'every node name is drawn');
  // a node sharing another lab node's netns is drawn inside it (its links start there)
  const box = (name: string) => {
    const n = plan.nodes.find((x) => x.name === name);
    return n && n.netnsOwner !== name && plan.nodes.some((x) => x.name === n.netnsOwner) ? n.netnsOwner : name;
  };
  for (const n of plan.nodes) if (box(n.name) !== n.name) assert.ok(!svg.includes(nodeId(n.name)), `${n.name} is folded into ${box(n.name)}, no box of its own`);
  for (const l of plan.links) {
    if (l.type !== 'veth') continue;
    const [a, z] = l.endpoints;
    assert.ok(svg.includes(`id="L_${nodeId(box(a.node))}_${nodeId(box(z.node))}_`), `link ${a.node}:${a.iface} -- ${z.node}:${z.iface} is drawn`);
    assert.ok(words.has(a.iface) || svg.includes(`${a.iface}·${z.iface}`), `interface ${a.iface} is on the edge`);
  }
}

async function isPng(file: string): Promise<{ width: number; height: number }> {
  const b = await readFile(file);
  assert.equal(b.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('SVG and PNG through mermaid-cli', () => {
  const cases = [
    ['article routers', () => ROUTERS, 7, ['Routers', 'ToRs', 'Hosts']],
    ['the whole Cilium article lab', () => CILIUM_LAB, 11, ['Routers', 'ToRs', 'Kubernetes nodes']],
    ['60-node leaf-spine', () => leafSpine, 60, ['Routers', 'ToRs', 'Hosts']],
  ] as const;
  for (const [label, fileOf, nodes, titles] of cases) {
    test(`${label}: every node and link in the SVG; a PNG of sensible size`, async () => {
      const file = fileOf();
      const plan = await loadPlan(file);
      assert.equal(plan.nodes.length, nodes);
      const svgFile = join(dir, `${plan.name}.svg`);
      const pngFile = join(dir, `${plan.name}.png`);
      const s = await lab(['graph', '-t', file, '--static', '--format', 'svg', '-o', svgFile]);
      assert.equal(s.exitCode, 0, s.stderr);
      const svg = await readFile(svgFile, 'utf8');
      assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assertComplete(svg, plan);
      for (const title of titles) assert.ok(visibleText(svg).includes(title), `subgraph ${title}`);
      const p = await lab(['graph', '-t', file, '--static', '--format', 'png', '-o', pngFile]);
      assert.equal(p.exitCode, 0, p.stderr);
      const size = await isPng(pngFile);
      assert.ok(size.width >= 400 && size.height >= 300, `PNG ${size.width}x${size.height}`);
      // Readable means not a thin strip: the wide lab is drawn left-to-right, so neither side is tiny.
      assert.ok(Math.min(size.width, size.height) / Math.max(size.width, size.height) > 0.15, `PNG ${size.width}x${size.height} is not a strip`);
      assert.ok((await stat(pngFile)).size > 10_000);
    });
  }

  test('Mermaid text groups nodes by role and names interfaces on edges', async () => {
    const m = await lab(['graph', '-t', ROUTERS, '--static']);
    assert.equal(m.exitCode, 0, m.stderr);
    assert.match(m.stdout, /^flowchart TB$/m);
    assert.match(m.stdout, /subgraph routers\["Routers"\][\s\S]*n_router0[\s\S]*?end/);
    assert.match(m.stdout, /n_router0 -- "net1 — net0" --- n_tor1/);
  });
});

describe('HTML page in headless Chromium', () => {
  async function load(url: string): Promise<{ errors: string[]; text: string; svgs: number }> {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') errors.push(`${msg.type()}: ${msg.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()}`));
      const res = await page.goto(url, { waitUntil: 'load' });
      assert.ok(!res || res.ok(), `HTTP ${res?.status()}`);
      return { errors, text: await page.innerText('body'), svgs: await page.locator('.graph svg').count() };
    } finally {
      await browser.close();
    }
  }

  test('the --format html file loads with no console errors and shows every node', async () => {
    const out = join(dir, 'routers.html');
    const r = await lab(['graph', '-t', ROUTERS, '--static', '--format', 'html', '-o', out]);
    assert.equal(r.exitCode, 0, r.stderr);
    const { errors, text, svgs } = await load(`file://${out}`);
    assert.deepEqual(errors, []);
    assert.equal(svgs, 1);
    for (const n of ['router0', 'tor0', 'tor1', 'server0', 'server3']) assert.ok(text.includes(n), n);
  });

  test('--serve answers on 127.0.0.1 with the same page', async () => {
    const proc = execa('node', [LAB_BIN, 'graph', '-t', ROUTERS, '--static', '--serve', '0'], { cwd: REPO, reject: false });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        proc.stdout!.on('data', (d: Buffer) => {
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(d.toString());
          if (m) resolve(m[0]);
        });
        proc.once('exit', () => reject(new Error('lab graph --serve exited early')));
      });
      const { errors, text } = await load(url);
      assert.deepEqual(errors, []);
      assert.ok(text.includes('router0'));
      const missing = await fetch(new URL('/nope', url));
      assert.equal(missing.status, 404);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });
});
