/**
 * Schema validation of the raw topology data (ajv, schemas/topology.schema.json). Every ajv
 * error is mapped back to the file:line:col of the offending key or value, with a readable
 * message; all problems are collected before failing (TopologyError TOPO_SCHEMA).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { TopologyError, type TopologyIssue } from '../errors.js';
import type { RawTopologyFile } from './raw-types.js';
import { parsePointer, sortIssues, type PathSeg, type SourceMap } from './source-map.js';
import { kindIssuesFirst } from './kind-check.js';
import { didYouMean } from './suggest.js';

const SCHEMA_URL = new URL('../../schemas/topology.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
    ajv.addVocabulary(['x-message', 'x-unknown']);
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  }
  return compiled;
}

/** Returns the schema problems of `data` (empty when valid). */
export function schemaIssues(data: unknown, map: SourceMap): TopologyIssue[] {
  if (data === null || data === undefined) {
    return [map.issue([], 'the topology file is empty (it needs at least `name:` and `topology: nodes:`)')];
  }
  const validate = validator();
  if (validate(data)) return [];
  const issues: TopologyIssue[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const mapped = describe(err);
    if (!mapped) continue;
    const issue = map.issue(mapped.path, mapped.message, mapped.at);
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return kindIssuesFirst(sortIssues(issues));
}

/** Validates and narrows; throws TopologyError TOPO_SCHEMA with every problem found. */
export function validateTopology(data: unknown, map: SourceMap): RawTopologyFile {
  const issues = schemaIssues(data, map);
  if (issues.length > 0) throw new TopologyError('TOPO_SCHEMA', issues, { hint: 'see the topology reference in README.md' });
  return data as RawTopologyFile;
}

interface Described {
  path: PathSeg[];
  message: string;
  at: 'key' | 'value';
}

type SchemaNode = Record<string, unknown>;

function describe(err: ErrorObject): Described | undefined {
  const path = parsePointer(err.instancePath);
  const parent = (err.parentSchema ?? {}) as SchemaNode;
  const custom = typeof parent['x-message'] === 'string' ? (parent['x-message'] as string) : undefined;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as SchemaNode);
      const what = typeof parent['x-unknown'] === 'string' ? parent['x-unknown'] : 'key';
      const hint = didYouMean(key, allowed) || ` (${what === 'key' ? 'allowed keys' : 'known ' + what + 's'}: ${allowed.join(', ')})`;
      return { path: [...path, key], message: `unknown ${what} "${key}"${hint}`, at: 'key' };
    }
    case 'required':
      return { path, message: `missing required key "${String(params.missingProperty)}"`, at: 'key' };
    case 'type':
      return { path, message: `expected ${typeWords(params.type)}, got ${valueWords(err.data)}`, at: 'value' };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const v = String(err.data);
      const head = custom ?? 'must be one of';
      const msg = custom ? `${custom} "${v}"${didYouMean(v, allowed)} (known: ${allowed.join(', ')})` : `${head}: ${allowed.join(', ')} (got "${v}")${didYouMean(v, allowed)}`;
      return { path, message: msg, at: 'value' };
    }
    case 'pattern':
      return { path, message: custom ? `${custom} (got ${JSON.stringify(err.data)})` : `${JSON.stringify(err.data)} does not match ${String(params.pattern)}`, at: 'value' };
    case 'minItems':
    case 'maxItems': {
      const n = Number(params.limit);
      const count = Array.isArray(err.data) ? err.data.length : 0;
      const bound = err.keyword === 'minItems' ? 'at least' : 'at most';
      const exact = parent.minItems === parent.maxItems ? 'exactly' : bound;
      return { path, message: `needs ${exact} ${n} item${n === 1 ? '' : 's'}, has ${count}`, at: 'value' };
    }
    case 'minLength':
      return { path, message: 'must not be empty', at: 'value' };
    case 'maxLength':
      return { path, message: `is longer than ${String(params.limit)} characters`, at: 'value' };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `${String(err.data)} is out of range (${String(params.comparison)} ${String(params.limit)})`, at: 'value' };
    case 'if':
    case 'anyOf':
    case 'oneOf':
      return undefined; // the branch errors say more
    default:
      return { path, message: err.message ?? 'is invalid', at: 'value' };
  }
}

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t.map(String) : String(t).split(',');
  const words = list.map((x) => (x === 'object' ? 'a map' : x === 'array' ? 'a list' : x === 'integer' ? 'an integer' : x === 'null' ? 'nothing' : `a ${x}`));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : words[0]!;
}

function valueWords(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}
