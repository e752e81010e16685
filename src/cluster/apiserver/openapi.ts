import { createHash } from 'node:crypto';
import { apiVersionOf, groupVersions, resourcesIn, type ResourceDef } from './resources.js';

/**
 * OpenAPI v3 documents: enough for kubectl to see that every kind supports server-side
 * field validation (a PATCH operation tagged with the kind's GVK and a `fieldValidation`
 * query parameter), so it skips client-side schema validation, and for `kubectl explain`
 * to find a (minimal) schema per kind. The PATCH request bodies deliberately do not list
 * strategic-merge-patch: kubectl then computes apply patches from its compiled types
 * (built-in kinds) or falls back to JSON merge patch (the BGP kinds).
 */
function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function schemaName(d: ResourceDef, version: string): string {
  const builtin: Record<string, string> = { '': 'core', apps: 'apps', 'discovery.k8s.io': 'discovery', 'networking.k8s.io': 'networking', 'coordination.k8s.io': 'coordination' };
  const g = builtin[d.group];
  return g !== undefined ? `io.k8s.api.${g}.${version}.${d.kind}` : `${d.group.split('.').reverse().join('.')}.${version}.${d.kind}`;
}

function gvk(d: ResourceDef, version: string): Record<string, string> {
  return { group: d.group, version, kind: d.kind };
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function operations(d: ResourceDef, version: string): Record<string, unknown> {
  const ext = { 'x-kubernetes-group-version-kind': gvk(d, version) };
  const ref = { $ref: `#/components/schemas/${schemaName(d, version)}` };
  const ok = { responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } } };
  const q = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  return {
    get: { operationId: `read${d.kind}`, 'x-kubernetes-action': 'get', ...ext, ...ok },
    put: { operationId: `replace${d.kind}`, 'x-kubernetes-action': 'put', ...ext, parameters: [q('dryRun'), q('fieldManager'), q('fieldValidation')], requestBody: { content: { '*/*': { schema: ref } } }, ...ok },
    patch: {
      operationId: `patch${d.kind}`,
      'x-kubernetes-action': 'patch',
      ...ext,
      parameters: [q('dryRun'), q('fieldManager'), q('fieldValidation'), { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }],
      requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { type: 'object' } }])), required: true },
      ...ok,
    },
    delete: { operationId: `delete${d.kind}`, 'x-kubernetes-action': 'delete', ...ext, ...ok },
  };
}

function kindSchema(d: ResourceDef, version: string): Record<string, unknown> {
  return {
    description: `${d.kind} (${apiVersionOf(d.group, version)}) as served by the kindlab API server.`,
    type: 'object',
    properties: {
      apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
      kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
      metadata: { description: "Standard object's metadata.", type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      spec: { description: 'Specification of the desired behavior.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: { description: 'Most recently observed status.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    'x-kubernetes-group-version-kind': [gvk(d, version)],
  };
}

export function openapiV3Doc(group: string, version: string): Record<string, unknown> | undefined {
  const defs = resourcesIn(group, version);
  if (!defs.length) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const base = `/${gvPath(group, version)}`;
  for (const d of defs) {
    const coll = d.namespaced ? `${base}/namespaces/{namespace}/${d.resource}` : `${base}/${d.resource}`;
    paths[coll] = { get: { operationId: `list${d.kind}`, 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk(d, version), responses: { '200': { description: 'OK' } } } };
    paths[`${coll}/{name}`] = operations(d, version);
    schemas[schemaName(d, version)] = kindSchema(d, version);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0-kindlab' }, paths, components: { schemas } };
}

function hashOf(v: unknown): string {
  return createHash('sha512').update(JSON.stringify(v)).digest('hex').slice(0, 64).toUpperCase();
}

export function openapiV3Index(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [g, vs] of groupVersions()) {
    for (const v of vs) {
      const p = gvPath(g, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(openapiV3Doc(g, v))}` };
    }
  }
  return { paths };
}

/**
 * OpenAPI v2 with no definitions. kubectl downloads it (protobuf) for client-side
 * validation of kinds the server does not serve; with no schema for them it skips
 * validation and reports the unknown kind itself ("no matches for kind").
 */
export function openapiV2(accept: string | undefined): { contentType: string; body: Buffer } {
  if (accept && /protobuf/.test(accept)) {
    const str = (field: number, s: string) => Buffer.concat([Buffer.from([(field << 3) | 2, Buffer.byteLength(s)]), Buffer.from(s)]);
    const info = Buffer.concat([str(1, 'Kubernetes'), str(2, 'v1.32.0-kindlab')]);
    const body = Buffer.concat([str(1, '2.0'), Buffer.from([(2 << 3) | 2, info.length]), info]);
    return { contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', body };
  }
  const doc = { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0-kindlab' }, paths: {}, definitions: {} };
  return { contentType: 'application/json', body: Buffer.from(JSON.stringify(doc)) };
}
