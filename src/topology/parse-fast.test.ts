/**
 * The fast load path (js-yaml, positions on demand) against the Document path (yaml, positions
 * for every node): the same data, the same normalized topology with the same positions, and the
 * same errors, for every topology in the repository and for the scalars the two YAML libraries
 * read differently.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError } from '../errors.js';
import { parseTopologyDocument, parseTopologyText } from './load.js';
import { normalizeTopology } from './normalize.js';
import { parseFast } from './parse-fast.js';
import { planLab } from './plan.js';
import { sourceOf, type SourceMap } from './source-map.js';
import { renderTopologyTemplate } from './template.js';
import { validateTopology } from './validate.js';
import { parseTopology, type VethLinkSpec } from './index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** The normalized topology of one parse, or the error it ends in (code, issues, message). */
function outcome(parsed: () => { map: SourceMap; data: unknown }, file: string): unknown {
  try {
    const { map, data } = parsed();
    const raw = validateTopology(data, map);
    const spec = normalizeTopology(raw, { file, dir: dirname(file), map, exists: existsSync, readText: (p) => readFileSync(p, 'utf8') });
    return { spec, plan: planLab(spec, { labDir: '/nonexistent/lab' }) };
  } catch (e) {
    if (e instanceof TopologyError) return { code: e.code, issues: e.issues, message: e.message };
    if (e instanceof Error) return { error: e.message };
    throw e;
  }
}

describe('fast path and Document path agree', () => {
  const files = [...yamlFiles(join(root, 'labs')), ...yamlFiles(join(root, 'test/fixtures'))];
  let fast = 0;
  for (const file of files) {
    it(relative(root, file), async () => {
      const source = readFileSync(file, 'utf8');
      const { text } = await renderTopologyTemplate(source, file, file).catch(() => ({ text: source }));
      const env = { LAB_TEST_VAR: 'x' };
      if (parseFast(text)) fast++;
      assert.deepStrictEqual(outcome(() => parseTopologyText(text, file, env), file), outcome(() => parseTopologyDocument(text, file, env), file));
    });
  }
  it('most of them take the fast path (the test compares something)', () => {
    assert.ok(fast >= files.length / 2, `only ${fast} of ${files.length} files took the fast path`);
  });
});

describe('scalars and keys the two YAML libraries read differently', () => {
  const cases: Array<[string, string]> = [
    ['YAML 1.1 booleans stay strings', 'a: [yes, no, on, off, y, n, Yes, ON]\n'],
    ['core booleans and nulls', 'a: [true, True, TRUE, false, False, FALSE, ~, null, Null, NULL, ]\nb:\n'],
    ['octal, hex, signs', 'a: [0o17, 0x1F, 0x1f, +12, -0, 012, 0b101, 1_000, 0o8]\n'],
    ['floats', 'a: [1.5, 1., .5, -.5, 1e3, 1.5E-2, .inf, -.Inf, +.INF, .nan, .NaN, 1.0, 3.14159265358979323846]\n'],
    ['timestamps stay strings', 'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n'],
    ['big integers', 'a: 99999999999999999999\nb: 9007199254740993\n'],
    ['quoted and block scalars', 'a: "1"\nb: \'true\'\nc: |\n  x\n  y\nd: >-\n  folded\n  text\n\ne: "esc \\t \\u00e9 \\n"\nf: plain\n  multi line\n'],
    ['numbers as keys', '1: a\n0x10: b\ntrue: c\n1.5: d\n'],
    ['comments, document markers, BOM', '\ufeff--- # start\na: 1 # c\n...\n'],
    ['an empty document', '# nothing\n'],
    ['a null key (js-yaml: "null", yaml: "")', '~: a\nb: 1\n'],
    ['a quoted "null" key', '"null": a\n'],
    ['anchors, aliases, merge keys', 'x: &x {a: 1}\ny: *x\nz: {<<: *x, b: 2}\n'],
    ['tags', 'a: !!str 12\nb: !!int "7"\n'],
    ['a YAML 1.1 directive', '%YAML 1.1\n---\na: yes\nb: 0777\n'],
    ['duplicate keys (both: an error)', 'a: 1\na: 2\n'],
    ['${VAR} references', 'a: ${LAB_TEST_VAR}\nb: ${UNSET_X:=5}\n'],
    ['a flow collection as a key', '[a, b]: 1\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - x\r\n'],
    ['tabs in flow and values', 'a: {x:\t1}\nb: "\tq"\n'],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const run = (f: typeof parseTopologyText): unknown => {
        try {
          return { data: f(text, 't.yaml', { LAB_TEST_VAR: 'x' }).data };
        } catch (e) {
          return e instanceof TopologyError ? { code: e.code, issues: e.issues } : { error: String(e) };
        }
      };
      assert.deepStrictEqual(run(parseTopologyText), run(parseTopologyDocument));
    });
  }
  it('a plain file takes the fast path; anchors, tags, ${VAR} and YAML errors do not', () => {
    assert.ok(parseFast('a: 1\nb: [x, y]\n'));
    for (const t of ['x: &x 1\ny: *x\n', 'a: !!str 1\n', 'a: ${X}\n', 'a: [1\n', 'a: 1\na: 2\n', '~: 1\n']) assert.equal(parseFast(t), undefined, t);
  });
});

describe('positions on the fast path', () => {
  const big = (n: number): string =>
    `name: many\nmgmt: {ipv4-subnet: 172.16.0.0/16}\ntopology:\n  nodes:\n${Array.from({ length: n }, (_, i) => `    n${i}: {kind: linux, image: alpine}\n`).join('')}  links:\n${Array.from({ length: n - 1 }, (_, i) => `    - endpoints: ["n${i}:eth1", "n${i + 1}:eth2"]\n`).join('')}`;

  it('a valid topology loads and plans without parsing the Document; positions are resolved when read', () => {
    const spec = parseTopology(big(2000), { env: {} });
    const plan = planLab(spec, { labDir: '/nonexistent/lab' });
    const map = sourceOf(plan)!;
    assert.equal(map.resolved, false, 'the yaml Document was built for a valid file');
    assert.deepEqual({ ...(plan.links[1998] as VethLinkSpec).endpointPos![1] }, { file: 'topology.yaml', line: 2006 + 1998, col: 33 });
    assert.equal(map.resolved, true);
    assert.equal(spec.nodes.find((n) => n.name === 'n1999')!.pos.line, 2004);
  });
  it('an error in a valid-YAML file names the same line and column as the Document path', () => {
    const text = big(500).replace('n250:eth2', 'n250:eth1');
    const err = (f: () => unknown): unknown => {
      try {
        f();
        return undefined;
      } catch (e) {
        return e instanceof TopologyError ? e.issues : e;
      }
    };
    const fast = err(() => parseTopology(text, { env: {} }));
    assert.ok(Array.isArray(fast) && fast.length === 1, JSON.stringify(fast));
    const doc = parseTopologyDocument(text, 'topology.yaml', {});
    const slow = err(() => normalizeTopology(validateTopology(doc.data, doc.map), { file: 'topology.yaml', dir: '.', map: doc.map }));
    assert.deepStrictEqual(fast, slow);
  });
});

describe('link positions worked out when read (fast path)', () => {
  const text = 'name: l\ntopology:\n  nodes:\n    a: {kind: linux, image: alpine}\n    b: {kind: linux, image: alpine}\n  links:\n    - endpoints: ["a:eth1", "b:eth1"]\n    - {endpoints: ["a:eth2", "b:eth2"], labels: {x: y}}\n';

  it('read, copied, serialized and cloned as the Document path writes them; a read gives the same objects; assignable', () => {
    const fast = parseTopology(text, { env: {} });
    assert.equal(sourceOf(fast)!.resolved, false);
    const doc = parseTopologyDocument(text, 'topology.yaml', {});
    const slow = normalizeTopology(validateTopology(doc.data, doc.map), { file: fast.file, dir: fast.dir, map: doc.map });
    const [l0, l1] = fast.links as VethLinkSpec[];
    assert.deepEqual(Object.keys(l1!), ['type', 'endpoints', 'mtu', 'pos', 'labels', 'endpointPos']);
    assert.deepStrictEqual(fast.links, slow.links);
    assert.equal(JSON.stringify(fast.links), JSON.stringify(slow.links));
    assert.deepStrictEqual(structuredClone(fast.links), structuredClone(slow.links));
    assert.deepStrictEqual({ ...l0 }, { ...slow.links[0] });
    assert.equal(l0!.pos, l0!.pos);
    assert.equal(l0!.endpointPos, l0!.endpointPos);
    assert.deepEqual({ ...l1!.endpointPos![1] }, { file: 'topology.yaml', line: 8, col: 30 });
    l0!.pos = { file: 'x', line: 1, col: 2 };
    assert.deepEqual(l0!.pos, { file: 'x', line: 1, col: 2 });
  });
});
