/**
 * The import rule (.dependency-cruiser.cjs): modules of src/ import each other only through their
 * entry points. The repository passes it, and the rule does fail on a deep cross-module import.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';

const REPO = join(import.meta.dirname, '..', '..');
const CRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');

test('src/ has no deep cross-module import', async () => {
  const r = await execa(CRUISE, ['--config', '.dependency-cruiser.cjs', 'src'], { cwd: REPO, reject: false });
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /no dependency violations found/);
});

test('the rule fails on a deep import into another module, and allows entry points', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-imports-'));
  try {
    const rules = createRequire(import.meta.url)(join(REPO, '.dependency-cruiser.cjs')) as { forbidden: unknown[] };
    writeFileSync(join(dir, '.dependency-cruiser.cjs'), `module.exports = ${JSON.stringify({ forbidden: rules.forbidden })};\n`);
    for (const d of ['src/agent', 'src/bgp/wire', 'src/cluster/client']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'src/bgp/wire/codec.js'), 'export const codec = 1;\n');
    writeFileSync(join(dir, 'src/bgp/index.js'), "export { codec } from './wire/codec.js';\n");
    writeFileSync(join(dir, 'src/cluster/client/index.js'), 'export const client = 1;\n');
    writeFileSync(join(dir, 'src/agent/ok.js'), "import { codec } from '../bgp/index.js';\nimport { client } from '../cluster/client/index.js';\nexport const x = codec + client;\n");
    const ok = await execa(CRUISE, ['--config', '.dependency-cruiser.cjs', 'src'], { cwd: dir, reject: false });
    assert.equal(ok.exitCode, 0, ok.stdout);
    writeFileSync(join(dir, 'src/agent/deep.js'), "import { codec } from '../bgp/wire/codec.js';\nexport const y = codec;\n");
    const bad = await execa(CRUISE, ['--config', '.dependency-cruiser.cjs', 'src'], { cwd: dir, reject: false });
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stdout, /no-deep-cross-module-import: src\/agent\/deep\.js → src\/bgp\/wire\/codec\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
