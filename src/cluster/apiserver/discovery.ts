import { apiVersionOf, groupVersions, resourcesIn, verbsOf, type ResourceDef } from './resources.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kindlab',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: apiVersionOf(name, v), version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...groupVersions()].filter(([g]) => g !== '').map(([g, vs]) => groupEntry(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(group: string): Record<string, unknown> | undefined {
  const vs = groupVersions().get(group);
  return vs && group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, vs) } : undefined;
}

function entries(d: ResourceDef, version: string): Record<string, unknown>[] {
  const main = {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: verbsOf(d),
    ...(d.shortNames ? { shortNames: d.shortNames } : {}),
    ...(d.categories ? { categories: d.categories } : {}),
    storageVersionHash: Buffer.from(`${d.group}/${version}/${d.kind}`).toString('base64').slice(0, 11),
  };
  const subs = (d.subresources ?? []).map((s) => {
    if (s === 'scale') return { name: `${d.resource}/scale`, singularName: '', namespaced: d.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    if (s === 'status') return { name: `${d.resource}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] };
    if (s === 'binding') return { name: `${d.resource}/binding`, singularName: '', namespaced: d.namespaced, kind: 'Binding', verbs: ['create'] };
    if (s === 'exec') return { name: `${d.resource}/exec`, singularName: '', namespaced: d.namespaced, kind: 'PodExecOptions', verbs: ['create', 'get'] };
    return { name: `${d.resource}/log`, singularName: '', namespaced: d.namespaced, kind: 'Pod', verbs: ['get'] };
  });
  return [main, ...subs];
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const defs = resourcesIn(group, version);
  if (!defs.length) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources: defs.flatMap((d) => entries(d, version)) };
}
