/**
 * Replays every topology fixture: each invalid-*.yaml must be rejected with an issue at the
 * line:col its `# expect:` header names, whose printed form contains the expected text; each
 * valid-*.yaml and every lab topology under labs/ must load and plan.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { TopologyError, formatIssue } from '../errors.js';
import { loadPlan } from './index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/topology');
const files = readdirSync(fixtures).sort();
const invalid = files.filter((f) => /^invalid-.*\.ya?ml$/.test(f));
const valid = files.filter((f) => /^valid-.*\.ya?ml$/.test(f));

describe('invalid topology fixtures', () => {
  it('has at least 30 distinct malformed topologies', () => {
    assert.ok(invalid.length >= 30, `only ${invalid.length} invalid fixtures`);
  });
  for (const f of invalid) {
    it(f, async () => {
      const text = readFileSync(join(fixtures, f), 'utf8');
      const m = /^# expect: (\d+):(\d+) (.+)$/m.exec(text);
      assert.ok(m, `${f} lacks a "# expect: <line>:<col> <text>" header`);
      const [line, col, want] = [Number(m[1]), Number(m[2]), m[3]!];
      await assert.rejects(loadPlan(join(fixtures, f), { env: {} }), (e: unknown) => {
        assert.ok(e instanceof TopologyError, `expected a TopologyError, got ${String(e)}`);
        const printed = e.issues.map(formatIssue);
        const hit = e.issues.find((i) => formatIssue(i).includes(want));
        assert.ok(hit, `no issue mentions ${JSON.stringify(want)}; got:\n${printed.join('\n')}`);
        assert.deepEqual([hit.line, hit.col], [line, col], `wrong position: ${formatIssue(hit)}`);
        assert.ok(hit.file.endsWith(f), `issue names file ${hit.file}`);
        assert.ok(e.message.includes(`${f}:${line}:${col}`) || e.detail?.includes(`${f}:${line}:${col}`), 'message shows file:line:col');
        return true;
      });
    });
  }
});

describe('valid topology fixtures', () => {
  for (const f of valid) {
    it(f, async () => {
      const plan = await loadPlan(join(fixtures, f), { env: {} });
      assert.ok(plan.nodes.length > 0);
      assert.equal(plan.waves.flat().length, plan.nodes.length);
    });
  }
});

describe('lab topologies under labs/', () => {
  const labs = join(root, 'labs');
  const found: string[] = [];
  for (const dir of readdirSync(labs, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(join(labs, dir.name)).filter((x) => /\.ya?ml$/.test(x))) {
      const path = join(labs, dir.name, f);
      const doc = parseAllDocuments(readFileSync(path, 'utf8'))[0]?.toJS() as unknown; // manifests may hold several documents
      // other files in a lab directory (kind cluster configs, manifests) are not topologies
      if (doc && typeof doc === 'object' && 'topology' in doc && 'name' in doc) found.push(path);
    }
  }
  it('finds the Cilium article router lab', () => {
    assert.ok(found.some((p) => p.endsWith('cilium-bgp/routers.yaml')));
  });
  for (const path of found) {
    it(path.slice(labs.length + 1), async () => {
      const plan = await loadPlan(path, { env: {} });
      assert.ok(plan.nodes.length > 0);
    });
  }
});
