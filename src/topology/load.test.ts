import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError } from '../errors.js';
import { parseTopologyText } from './load.js';

const data = (text: string, env: Record<string, string | undefined> = {}): unknown => parseTopologyText(text, 't.yaml', env).data;

function rejects(text: string, env: Record<string, string | undefined>, code: string, line: number, col: number, msg: RegExp): void {
  assert.throws(
    () => parseTopologyText(text, 't.yaml', env),
    (e: unknown) => {
      assert.ok(e instanceof TopologyError);
      assert.equal(e.code, code);
      const i = e.issues[0]!;
      assert.deepEqual([i.file, i.line, i.col], ['t.yaml', line, col]);
      assert.match(i.message, msg);
      return true;
    },
  );
}

describe('variable substitution', () => {
  it('substitutes set variables and keeps the rest of the scalar', () => {
    assert.deepEqual(data('a: pre-${X}-post\n', { X: 'mid' }), { a: 'pre-mid-post' });
  });
  it(':= assigns the default for later references; :- does not', () => {
    assert.deepEqual(data('a: ${X:=one}\nb: ${X}\nc: ${Y:-two}\nd: ${Y:-three}\n'), { a: 'one', b: 'one', c: 'two', d: 'three' });
  });
  it(':- and := apply to empty values, - and = only to unset ones', () => {
    assert.deepEqual(data('a: "${E:-d}"\nb: "${E-d}"\nc: "${U-d}"\n', { E: '' }), { a: 'd', b: '', c: 'd' });
  });
  it('a set variable wins over the default', () => {
    assert.deepEqual(data('a: ${X:=dflt}\n', { X: 'set' }), { a: 'set' });
  });
  it('plain scalars take the type of the substituted text, quoted ones stay strings', () => {
    assert.deepEqual(data('mtu: ${MTU:=1500}\nq: "${MTU}"\nb: ${B:=true}\n'), { mtu: 1500, q: '1500', b: true });
  });
  it('$${...} is a literal and $VAR is left to the shell', () => {
    assert.deepEqual(data("x: sh -c 'echo $HOME $${NOPE}'\n"), { x: "sh -c 'echo $HOME ${NOPE}'" });
  });
  it('substitutes inside block scalars and sequences', () => {
    assert.deepEqual(data('l:\n  - >-\n    a ${V}\n    b\n', { V: 'v' }), { l: ['a v b'] });
  });
  it('an unset variable without default names file:line:col of the reference', () => {
    rejects('name: x\nnodes:\n  r1:\n    image: "foo/${IMG}:1"\n', {}, 'TOPO_VAR', 4, 17, /variable IMG is not set/);
  });
  it('reports every unset variable in an image', () => {
    assert.throws(() => parseTopologyText('a:\n  image: ${A}\nb:\n  image: ${B}\n', 't.yaml', {}), (e: unknown) => e instanceof TopologyError && e.issues.length === 2);
  });
  it('an unset variable elsewhere stays as written, as in containerlab', () => {
    assert.deepEqual(data('a: ${A}\nx: sh -c "echo ${B}-${C:-c}"\n'), { a: '${A}', x: 'sh -c "echo ${B}-c"' });
  });
  it('a quoted default is the text inside the quotes (:="" is the empty string)', () => {
    assert.deepEqual(data('a: "${A:=\\"\\"}"\nb: "${A}x"\nc: ${C:-\'p q\'}\n'), { a: '', b: 'x', c: 'p q' });
  });
});

describe('YAML syntax errors', () => {
  it('duplicate keys are TOPO_PARSE at the second key', () => {
    rejects('a: 1\nb: 2\na: 3\n', {}, 'TOPO_PARSE', 3, 1, /unique/);
  });
  it('bad indentation is TOPO_PARSE with a position', () => {
    rejects('a:\n  b: 1\n c: 2\n', {}, 'TOPO_PARSE', 3, 1, /same column|indent/i);
  });
  it('an unclosed flow sequence or quote points at where it was opened', () => {
    rejects('a:\n  - e: ["r1:eth1", "r1:eth2"\nb: 1\n', {}, 'TOPO_PARSE', 2, 8, /end with a \] \(opened here/);
    rejects("x: 1\ny: 'it''s\nz: 2\n", {}, 'TOPO_PARSE', 2, 4, /Missing closing 'quote/);
  });
  it('merge keys and anchors work', () => {
    assert.deepEqual(data('base: &b {kind: linux}\nn: {<<: *b, image: x}\n'), { base: { kind: 'linux' }, n: { kind: 'linux', image: 'x' } });
  });
});

describe('unknown node kinds lead the report', () => {
  const text = 'name: k\ntopology:\n  nodes:\n    r0:\n      kind: linux\n      image: ${NOPE}\n      bogus: 1\n    r1:\n      kind: srl\n      image: x\n';
  it('before a ${VAR} problem earlier in the file: the first line names the kind', () => {
    assert.throws(() => parseTopologyText(text, 't.yaml', {}), (e: unknown) => {
      assert.ok(e instanceof TopologyError);
      assert.match(e.message.split('\n')[0]!, /^t\.yaml:9:13 topology\.nodes\.r1\.kind: unknown kind "srl" \(known: linux/);
      assert.match(e.issues[1]!.message, /variable NOPE is not set/);
      return true;
    });
  });
});

describe('mgmt.ipv4-range', () => {
  it('is planned as the mgmt network ipv4Range', async () => {
    const { loadPlan } = await import('./index.js');
    const plan = await loadPlan(new URL('../../test/fixtures/topology/valid-mgmt-ipv4-range.yaml', import.meta.url).pathname, { env: {} });
    assert.equal(plan.mgmt.ipv4Range, '172.20.50.128/25');
    assert.equal(plan.mgmt.ipv4Subnet, '172.20.50.0/24');
    // the node without mgmt-ipv4 gets the range's first address, as Docker's --ip-range would give it
    assert.equal(plan.nodes.find((n) => n.name === 'n1')!.mgmtIPv4, '172.20.50.128');
  });
});

describe('the size cap', () => {
  const withDir = async (fn: (dir: string) => Promise<void>): Promise<void> => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'kl-big-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // Over the cap by a comment, with a YAML error after it: a parse would report TOPO_PARSE instead.
  const oversized = `name: big\n# ${'x'.repeat(33 * 2 ** 20)}\ntopology: { nodes: { a: { kind: linux, image: alpine } }\n`;

  it('a topology file over 32 MiB is refused before parsing, naming its size, and nothing is written', async () => {
    const { readdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { KindlabError } = await import('../errors.js');
    const { loadPlan } = await import('./index.js');
    await withDir(async (dir) => {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, oversized);
      await assert.rejects(loadPlan(file), (e: unknown) => e instanceof KindlabError && e.code === 'TOPO_TOO_BIG' && /big\.yaml is 33\.0 MiB; at most 32 MiB is read/.test(e.message));
      assert.deepEqual(readdirSync(dir), ['big.yaml'], 'no lab directory or other file left behind');
    });
  });

  it('LoadOptions.maxBytes moves the cap (for benchmarks); the default stays 32 MiB', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { KindlabError } = await import('../errors.js');
    const { loadTopology, MAX_TOPOLOGY_BYTES } = await import('./index.js');
    assert.equal(MAX_TOPOLOGY_BYTES, 32 * 2 ** 20);
    await withDir(async (dir) => {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, oversized);
      // Past the cap the file is parsed, so its YAML error shows.
      await assert.rejects(loadTopology(file, { maxBytes: 34 * 2 ** 20 }), (e: unknown) => e instanceof TopologyError && e.code === 'TOPO_PARSE');
      await assert.rejects(loadTopology(file, { maxBytes: 2 ** 20 }), (e: unknown) => e instanceof KindlabError && e.code === 'TOPO_TOO_BIG' && /at most 1 MiB/.test(e.message));
    });
  });
});

describe('big maps (linear-time duplicate-key check and key lookup)', () => {
  const nodes = (n: number, extra = ''): string => `name: many\ntopology:\n  nodes:\n${Array.from({ length: n }, (_, i) => `    n${i}: {kind: linux, image: alpine}\n`).join('')}${extra}`;

  it('a duplicate node name among thousands is TOPO_PARSE at the second one', () => {
    rejects(nodes(3000, '    n1500: {kind: linux, image: alpine}\n'), {}, 'TOPO_PARSE', 3004, 5, /unique \(duplicate key\)/);
  });
  it('duplicates in flow maps and nested block maps are each reported, in text order', () => {
    assert.throws(
      () => parseTopologyText('a: {x: 1, y: 2, x: 3}\nb:\n  - q: 1\n    q: 2\n', 't.yaml', {}),
      (e: unknown) => e instanceof TopologyError && e.code === 'TOPO_PARSE' && JSON.stringify(e.issues.map((i) => [i.line, i.col])) === '[[1,17],[4,5]]',
    );
  });
  it('repeated merge keys are not duplicates', () => {
    assert.deepEqual(data('b: &b {x: 1}\nc: &c {y: 2}\na: {<<: *b, <<: *c}\n'), { b: { x: 1 }, c: { y: 2 }, a: { x: 1, y: 2 } });
  });
  it('positions of nodes late in a big map are found', async () => {
    const { parseTopology } = await import('./index.js');
    const spec = parseTopology(nodes(3000), { env: {} });
    assert.equal(spec.nodes.find((n) => n.name === 'n2999')!.pos.line, 3003);
    assert.equal(spec.nodes.find((n) => n.name === 'n0')!.pos.line, 4);
  });
});
