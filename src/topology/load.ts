/**
 * Reads a topology file: YAML (js-yaml when it can, else yaml's Document with source positions),
 * then `${VAR}` substitution from an env map. The only I/O of topology/ besides existence checks.
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter } from 'yaml';
import { KindlabError, TopologyError, errorMessage, type TopologyIssue } from '../errors.js';
import { substituteVars, type Env } from './env-subst.js';
import { unknownKindIssues } from './kind-check.js';
import { parseYaml } from './parse-yaml.js';
import { parseFast } from './parse-fast.js';
import { SourceMap, type ParsedSource } from './source-map.js';

/** Alias expansions allowed in one document: plenty for anchors in real labs, far below an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

/** `maxBytes` overrides the size cap (benchmarks load larger files on purpose). */
export async function readTopologyText(file: string, maxBytes = MAX_TOPOLOGY_BYTES): Promise<string> {
  const tooBig = (size: number): KindlabError =>
    new KindlabError('TOPO_TOO_BIG', `topology file ${file} is ${(size / 2 ** 20).toFixed(1)} MiB; at most ${+(maxBytes / 2 ** 20).toFixed(1)} MiB is read`, {
      hint: 'a lab of thousands of nodes fits in well under 1 MiB: check that this is the topology file',
    });
  let bytes: Buffer;
  try {
    // Refused from its size alone, before a byte is read (a pipe or device has no size: checked after the read).
    const st = await stat(file);
    if (st.isFile() && st.size > maxBytes) throw tooBig(st.size);
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof KindlabError) throw e;
    throw new KindlabError('TOPO_READ', `cannot read topology file ${file}: ${errorMessage(e)}`, {
      cause: e,
      hint: 'pass the path of a containerlab-format topology file with -t',
    });
  }
  if (bytes.length > maxBytes) throw tooBig(bytes.length);
  return decodeUtf8(bytes, file);
}

/**
 * Topology files larger than this are refused before parsing. A real lab is far smaller; 20 MiB
 * (about 80,000 nodes) loads in a few seconds on the fast path, and the cap bounds memory and time.
 */
export const MAX_TOPOLOGY_BYTES = 32 * 2 ** 20;

/** UTF-8 text, or a positioned error at the first invalid byte (never silently replaced). */
export function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let at = 0;
    // Find the first byte sequence that does not decode on its own.
    while (at < bytes.length) {
      const b = bytes[at]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      if (len === 0 || at + len > bytes.length) break;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + len));
      } catch {
        break;
      }
      at += len;
    }
    const before = new TextDecoder().decode(bytes.subarray(0, at));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    throw new TopologyError('TOPO_PARSE', [{ file, line, col, path: '(file)', message: `byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at offset ${at} is not valid UTF-8 (topology files are UTF-8 text)` }]);
  }
}

/**
 * Parses YAML text (no file access); `displayName` is what messages call the file. Files the fast
 * path (js-yaml, parse-fast.ts) takes get a source map that parses the text with yaml only when a
 * position is read; the others, and every file with a YAML error, go through yaml's Document.
 */
export function parseTopologyText(text: string, displayName: string, env: Env = process.env): { map: SourceMap; data: unknown } {
  const fast = parseFast(text);
  if (fast) return { map: new SourceMap(displayName, () => positionsOf(text)), data: fast.data };
  return parseTopologyDocument(text, displayName, env);
}

/** The yaml Document of text the fast path parsed without errors: positions only. */
function positionsOf(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  return { doc: parseYaml(text, lineCounter, YAML_OPTIONS), lineCounter };
}

const YAML_OPTIONS = { prettyErrors: false, merge: true, keepSourceTokens: false } as const;

/** The Document path: positions for every node, YAML errors, `${VAR}` substitution, aliases. */
export function parseTopologyDocument(text: string, displayName: string, env: Env = process.env): { map: SourceMap; data: unknown } {
  const lineCounter = new LineCounter();
  const doc = parseYaml(text, lineCounter, YAML_OPTIONS);
  const map = new SourceMap(displayName, { doc, lineCounter });
  if (doc.errors.length > 0) {
    const issues: TopologyIssue[] = doc.errors.map((err) => {
      const offset = openerOffset(text, err.message, err.pos[0]);
      const { line, col } = map.posOfOffset(offset);
      const moved = offset !== err.pos[0] ? ' (opened here and never closed)' : '';
      return { file: displayName, line, col, path: '(yaml)', message: yamlMessage(err.message, err.code) + moved };
    });
    throw new TopologyError('TOPO_PARSE', issues, { hint: 'fix the YAML syntax at the position shown' });
  }
  const varIssues = substituteVars(doc, text, map, env);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (e) {
    // yaml refuses alias expansion past maxAliasCount (a "billion laughs" document).
    const { line, col } = map.posOfOffset(Math.max(0, text.indexOf('*')));
    throw new TopologyError('TOPO_PARSE', [{ file: displayName, line, col, path: '(yaml)', message: `YAML aliases expand too far (${errorMessage(e)}; at most ${MAX_ALIAS_COUNT} alias expansions)` }]);
  }
  if (varIssues.length > 0) throw new TopologyError('TOPO_VAR', [...unknownKindIssues(data, map), ...varIssues]);
  return { map, data };
}


/**
 * For an unclosed flow collection or quote, yaml reports where it gave up (often the next line or
 * the end of the file); point at the unmatched `[`, `{` or quote before that instead.
 */
function openerOffset(text: string, message: string, at: number): number {
  const want = /^Flow sequence/.test(message) ? '[' : /^Flow map/.test(message) ? '{' : /^Missing closing "quote/.test(message) ? '"' : /^Missing closing 'quote/.test(message) ? "'" : undefined;
  if (want === undefined) return at;
  const stack: number[] = [];
  let quote: string | undefined;
  let quoteAt = -1;
  for (let i = 0; i < Math.min(at, text.length); i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === "'" && quote === "'" && text[i + 1] === "'") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s,[{:]/.test(text[i - 1]!))) {
      quote = c;
      quoteAt = i;
    } else if (c === '[' || c === '{') stack.push(i);
    else if ((c === ']' || c === '}') && stack.length) stack.pop();
  }
  if (want === '"' || want === "'") return quote === want ? quoteAt : at;
  const open = [...stack].reverse().find((i) => text[i] === want);
  return open ?? at;
}

/** yaml's messages end with " at line N, column M" and a code excerpt: keep the first sentence. */
function yamlMessage(message: string, code: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
  if (code === 'DUPLICATE_KEY') return `${first} (duplicate key)`;
  return first;
}
