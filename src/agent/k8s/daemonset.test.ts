import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { DIALECT_MODULES } from '../dialects/index.js';

const docs = YAML.parseAllDocuments(readFileSync(new URL('../../../templates/agent/daemonset.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Record<string, any>);

test('the ClusterRole lets the agent list and watch everything it reads', () => {
  const role = docs.find((d) => d.kind === 'ClusterRole')!;
  const allowed = new Set<string>();
  for (const r of role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>) {
    if (!['list', 'watch'].every((v) => r.verbs.includes(v))) continue;
    for (const g of r.apiGroups) for (const res of r.resources) allowed.add(`${g}/${res}`);
  }
  const needed = ['/nodes', '/pods', '/services', '/secrets', 'discovery.k8s.io/endpointslices', ...Object.values(DIALECT_MODULES).flatMap((d) => d.kinds.map((k) => `${k.apiVersion.split('/')[0]}/${k.plural}`))];
  for (const n of needed) assert.ok(allowed.has(n), `ClusterRole misses ${n}`);
});

test('the DaemonSet runs lab-agent k8s on the host network with NET_ADMIN under the bound ServiceAccount', () => {
  const ds = docs.find((d) => d.kind === 'DaemonSet')!;
  const spec = ds.spec.template.spec;
  assert.equal(spec.hostNetwork, true);
  assert.equal(spec.serviceAccountName, docs.find((d) => d.kind === 'ServiceAccount')!.metadata.name);
  assert.equal(docs.find((d) => d.kind === 'ClusterRoleBinding')!.subjects[0].name, spec.serviceAccountName);
  const c = spec.containers[0];
  assert.equal(c.args[0], 'k8s');
  assert.ok(c.securityContext.capabilities.add.includes('NET_ADMIN'));
  assert.ok(c.args.includes('--node=$(NODE_NAME)'));
});
