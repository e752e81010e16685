/**
 * The fast path of topology parsing: js-yaml builds the data about 4× faster than yaml's Document
 * (which keeps a node with a source range for every scalar) and with far less garbage. It knows no
 * positions, so it only takes files whose data it builds exactly as the Document path would:
 * anything it refuses (a syntax error, a duplicate key) or that the two libraries treat
 * differently (anchors, aliases and merge keys, tags, directives, collection or null keys,
 * `${VAR}` references) returns undefined and the caller takes the Document path, which writes the
 * messages and positions. Positions of a spec loaded here are resolved on demand (SourceMap).
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/**
 * Plain scalars typed as yaml's YAML 1.2 core schema types them (its tests, in its order, and the
 * same conversions), not as js-yaml's default schema (which adds timestamps, `0b`, `_` in numbers).
 * One Type per tag: js-yaml keeps only the last type of a tag.
 */
const scalar = (tag: string, first: string, forms: Array<[RegExp, (s: string) => unknown]>): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    // Each form starts with one of `first` (or is empty): most scalars (names, commands) are refused at their first character.
    resolve: (s: unknown) => typeof s === 'string' && (s.length === 0 || first.includes(s[0]!)) && forms.some(([re]) => re.test(s)),
    construct: (s: string) => forms.find(([re]) => re.test(s))![1](s),
  });

const CORE_SCHEMA_OF_YAML = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', '~nN', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', 'tTfF', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', '-+0123456789', [
      [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
    ]),
    scalar('float', '-+.0123456789', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/**
 * Text the fast path leaves to the Document path. Each test may match harmless text (an `&&` in
 * an exec line): that only costs speed. `&`/`*` are not here: anchors are seen in the loader's
 * state, and an alias needs an anchor.
 */
const DOCUMENT_ONLY: Array<[string, RegExp]> = [
  ['${', /\$\{/], // ${VAR}: substituted scalar by scalar on the Document (positions of unset variables)
  ['<<', /<</], // merge keys
  ['!', /(?:^|[\s[{,])!/], // tags
  ['%', /^%/m], // directives (%YAML 1.1 changes the schema)
  [':', /[\]}][ \t]*:(?:[ \t]|$)/m], // a flow collection as a key
  ['?', /^[ \t-]*\?(?:[ \t]|$)/m], // an explicit (complex) key
];

/** Keys js-yaml writes differently (a null key is "null" there, "" in yaml) or that need care. */
const ODD_KEYS = new Set(['null', '__proto__', '[object Object]']);

/** The data of `text` when js-yaml builds exactly what the Document path would; otherwise undefined. */
export function parseFast(text: string): { data: unknown } | undefined {
  // The character search first: a regular expression over megabytes costs more than not finding a `?`.
  if (DOCUMENT_ONLY.some(([c, re]) => text.includes(c) && re.test(text))) return undefined;
  let anchors = false;
  let data: unknown;
  try {
    data = load(text, {
      schema: CORE_SCHEMA_OF_YAML,
      // The root node closes last: by then every anchor of the document is in the loader's map.
      listener(event, state) {
        const st = state as unknown as { depth: number; anchorMap: object };
        if (event === 'close' && st.depth === 1) anchors = Object.keys(st.anchorMap).length > 0;
      },
    });
  } catch {
    return undefined;
  }
  if (anchors || !plainKeys(data)) return undefined;
  // An empty document is null on the Document path.
  return { data: data ?? null };
}

/** False when some map has a key in ODD_KEYS. An explicit stack: no recursion limit on deep files. */
function plainKeys(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    for (const k in v) {
      if (ODD_KEYS.has(k)) return false;
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  return true;
}
