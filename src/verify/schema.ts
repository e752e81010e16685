/**
 * ajv validation of the topology's `verify:` section against schemas/verify.schema.json, with
 * each error mapped to a data path under `verify` (for file:line:col) and a readable message.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const SCHEMA_URL = new URL('../../schemas/verify.schema.json', import.meta.url);
const CHECK_KINDS = ['bgp', 'route', 'ping', 'traceroute', 'curl'];

export type PathSeg = string | number;
export interface SchemaProblem {
  /** Data path from the top of the topology file, e.g. ['verify', 2, 'ping', 'count']. */
  path: PathSeg[];
  message: string;
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { $id: string };
    ajv.addSchema(schema);
    compiled = ajv.getSchema(`${schema.$id}#/definitions/section`);
    if (!compiled) throw new Error('verify.schema.json has no definitions/section');
  }
  return compiled;
}

/**
 * The section in its object form (`{ checks: [...] }`) and the data path of its check list, so
 * errors in the list form (`verify: [ ... ]`) point at `verify[i]`.
 */
export function sectionObject(section: unknown): { obj: unknown; listPath: PathSeg[] } {
  if (Array.isArray(section)) return { obj: { checks: section }, listPath: ['verify'] };
  return { obj: section, listPath: ['verify', 'checks'] };
}

export function schemaProblems(section: unknown): SchemaProblem[] {
  const { obj, listPath } = sectionObject(section);
  const validate = validator();
  if (validate(obj)) return [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    const p = describe(e, listPath);
    const key = `${p.path.join('.')}|${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

function toPath(pointer: string, listPath: PathSeg[]): PathSeg[] {
  const segs: PathSeg[] = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (segs[0] === 'checks') return [...listPath, ...segs.slice(1)];
  return ['verify', ...segs];
}

function describe(e: ErrorObject, listPath: PathSeg[]): SchemaProblem {
  const path = toPath(e.instancePath, listPath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const isCheck = typeof path[path.length - 1] === 'number';
      const allowed = isCheck ? CHECK_KINDS : Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      return { path: [...path, key], message: `unknown ${isCheck ? 'check kind' : 'key'} "${key}" (${isCheck ? 'kinds' : 'allowed keys'}: ${allowed.join(', ')})` };
    }
    case 'minProperties':
    case 'maxProperties':
      return { path, message: `a check is an object with exactly one of ${CHECK_KINDS.join(', ')}` };
    case 'required':
      return { path, message: `missing required key "${String(params.missingProperty)}"` };
    case 'type':
      return { path, message: `expected ${[params.type].flat().join(' or ')}` };
    case 'enum':
      return { path, message: `must be one of ${((params.allowedValues as unknown[]) ?? []).join(', ')}` };
    case 'pattern':
      return { path, message: path[path.length - 1] === 'url' ? 'must be an http:// or https:// URL' : `must match ${String(params.pattern)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}
