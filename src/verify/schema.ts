/**
 * ajv validation of the topology's `verify:` section against schemas/verify.schema.json, with
 * each error mapped to a data path under `verify` (for file:line:col) and a readable message.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { KindlabError } from '../errors.js';

const SCHEMA_URL = new URL('../../schemas/verify.schema.json', import.meta.url);
const CHECK_KINDS = ['bgp', 'route', 'ping', 'traceroute', 'curl'];

export type PathSeg = string | number;
export interface SchemaProblem {
  /** Data path from the top of the topology file, e.g. ['verify', 2, 'ping', 'count']. */
  path: PathSeg[];
  message: string;
}

const compiled = new Map<string, ValidateFunction>();
let ajvInstance: { ajv: Ajv; id: string } | undefined;

function validator(definition = 'section'): ValidateFunction {
  let v = compiled.get(definition);
  if (!v) {
    if (!ajvInstance) {
      const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
      const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { $id: string };
      ajv.addSchema(schema);
      ajvInstance = { ajv, id: schema.$id };
    }
    v = ajvInstance.ajv.getSchema(`${ajvInstance.id}#/definitions/${definition}`);
    if (!v) throw new KindlabError('INTERNAL', `verify.schema.json has no definitions/${definition}`);
    compiled.set(definition, v);
  }
  return v;
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
  return problemsFor('section', obj, (pointer) => toPath(pointer, listPath));
}

/**
 * Validates `data` against one definition of verify.schema.json (e.g. `stages`); `at` maps an
 * error's JSON pointer inside `data` to a data path from the top of the topology file.
 */
export function problemsFor(definition: string, data: unknown, at: (pointer: string) => PathSeg[]): SchemaProblem[] {
  const validate = validator(definition);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    const p = describe(e, at(e.instancePath));
    const key = `${p.path.join('.')}|${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

function toPath(pointer: string, listPath: PathSeg[]): PathSeg[] {
  const segs = pointerSegs(pointer);
  if (segs[0] === 'checks') return [...listPath, ...segs.slice(1)];
  return ['verify', ...segs];
}

/** A JSON pointer (`/stages/0/name`) as path segments. */
export function pointerSegs(pointer: string): PathSeg[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function describe(e: ErrorObject, path: PathSeg[]): SchemaProblem {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const props = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      const isCheck = CHECK_KINDS.every((k) => props.includes(k));
      const allowed = isCheck ? CHECK_KINDS : props;
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
