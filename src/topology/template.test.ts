/**
 * Topology files as Go templates, as containerlab loads them: vars files found beside the file
 * (`<name>_vars.*`, merged in name order) or given with --vars, clab_templates/*.gotmpl partials,
 * then ${VAR} substitution and YAML; errors name the template file, line and column.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KindlabError } from '../errors.js';
import { loadTopology } from './index.js';
import { findVarsFiles, mergeVars } from './template.js';

const root = mkdtempSync(join(tmpdir(), 'kindlab-gotmpl-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function lab(files: Record<string, string>): string {
  const dir = join(root, String(n++));
  mkdirSync(join(dir, 'clab_templates'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const FABRIC = `name: {{ .name }}
topology:
  nodes:
{{- range $i := seq 1 .leaves }}
    leaf{{ $i }}: {kind: linux, image: "\${IMG:=alpine:3}"}
{{- end }}
  links:
{{- range $i := seq 2 .leaves }}
    - endpoints: ["leaf1:eth{{ $i }}", "leaf{{ $i }}:eth1"]
{{- end }}
`;

describe('topology files as Go templates', () => {
  it('vars found beside the file (<name minus last extension>_vars.*), merged in name order', async () => {
    const dir = lab({ 'fab.clab.yml': FABRIC, 'fab.clab_vars.yml': 'name: fab\nleaves: 2\nextra: {a: 1}\n', 'fab.clab_vars.z-more.yaml': 'leaves: 3\nextra: {b: 2}\n', 'fab.clab_vars.txt': 'ignored' });
    assert.deepEqual((await findVarsFiles(join(dir, 'fab.clab.yml'))).map((f) => f.slice(dir.length + 1)), ['fab.clab_vars.yml', 'fab.clab_vars.z-more.yaml']);
    const t = await loadTopology(join(dir, 'fab.clab.yml'), { env: {} });
    assert.equal(t.name, 'fab');
    assert.deepEqual(t.nodes.map((x) => x.name), ['leaf1', 'leaf2', 'leaf3']);
    assert.deepEqual(t.nodes.map((x) => x.image), ['alpine:3', 'alpine:3', 'alpine:3'], '${VAR:=default} still applies after the template');
    assert.equal(t.links.length, 2);
    assert.deepEqual(mergeVars({ a: { x: 1, y: [1] } }, { a: { y: [2], z: 3 } }), { a: { x: 1, y: [2], z: 3 } });
  });

  it('--vars files replace the discovered ones; partials from clab_templates/', async () => {
    const dir = lab({
      'fab.clab.yml': 'name: p\ntopology:\n  nodes:\n{{- range .nodes }}\n{{ template "node.gotmpl" . }}\n{{- end }}\n',
      'fab.clab_vars.yml': 'nodes: [{name: from-discovered}]\n',
      'mine.json': '{"nodes": [{"name": "a"}, {"name": "b", "image": "busybox"}]}',
      'clab_templates/node.gotmpl': '    {{ .name }}: {kind: linux, image: {{ or .image "alpine" }}}',
    });
    const t = await loadTopology(join(dir, 'fab.clab.yml'), { env: {}, templateVars: [join(dir, 'mine.json')] });
    assert.deepEqual(t.nodes.map((x) => [x.name, x.image]), [['a', 'alpine'], ['b', 'busybox']]);
  });

  it('a file without {{ is read as it is; a missing variable renders as Go does', async () => {
    const dir = lab({ 'plain.yml': 'name: plain\ntopology:\n  nodes:\n    n1: {kind: linux, image: alpine}\n', 'nov.yml': 'name: x{{ .missing }}\ntopology: {nodes: {n1: {kind: linux, image: alpine}}}\n' });
    assert.equal((await loadTopology(join(dir, 'plain.yml'), { env: {} })).name, 'plain');
    await assert.rejects(loadTopology(join(dir, 'nov.yml'), { env: {} }), /name.*x<no value>/);
  });

  it('errors name the template file, line and column; YAML errors after rendering say so', async () => {
    const dir = lab({
      'bad.yml': 'name: b\ntopology:\n  nodes:\n{{- range .l }}\n    n: {}\n',
      'exec.yml': 'name: e\n\n{{ index .l 3 }}\n',
      'exec_vars.yml': 'l: [1]\n',
      'part.yml': 'name: p\n{{ template "p.gotmpl" }}\n',
      'clab_templates/p.gotmpl': 'ok\n{{ add "x" 1 }}',
      'yaml.yml': 'name: y\n{{ range seq 2 }}\ntopology: [\n{{ end }}',
      'badvars.yml': 'name: {{ .n }}\n',
      'badvars_vars.yml': 'n: [1\n',
    });
    const rejects = (file: string, re: RegExp, opts = {}) => assert.rejects(loadTopology(join(dir, file), { env: {}, ...opts }), (e: unknown) => e instanceof KindlabError && re.test(e.message), file);
    await rejects('bad.yml', /bad\.yml:4:1: template: unexpected EOF: \{\{range\}\} opened at line 4 has no \{\{end\}\}/);
    await rejects('exec.yml', /exec\.yml:3:4: template: error calling index: index out of range: 3/);
    await rejects('part.yml', /clab_templates\/p\.gotmpl:2:4: template: error calling add/);
    await rejects('yaml.yml', /yaml\.yml \(rendered\):\d+:\d+/);
    await rejects('badvars.yml', /badvars_vars\.yml:\d+:\d+: template variables:/);
    await rejects('badvars.yml', /template variables file .*nope\.yml: no such file/, { templateVars: [join(dir, 'nope.yml')] });
  });
});
