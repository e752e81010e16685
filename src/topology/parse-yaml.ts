/**
 * parseDocument with duplicate keys refused in linear time. yaml's own `uniqueKeys` check compares
 * each new key with every earlier key of its map, which made a topology with thousands of nodes
 * load in quadratic time (issue 18 defect 8); here each map's keys go through one Set instead.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, YAMLParseError, type LineCounter, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';

export type YamlOptions = Omit<ParseOptions & DocumentOptions & SchemaOptions, 'uniqueKeys' | 'lineCounter'>;

/** The document, with a DUPLICATE_KEY error (as yaml words it) at each repeated scalar key, errors in text order. */
export function parseYaml(text: string, lineCounter: LineCounter, opts: YamlOptions = {}): Document.Parsed {
  const doc = parseDocument(text, { ...opts, lineCounter, uniqueKeys: false });
  const dups: YAMLParseError[] = [];
  // An explicit stack rather than yaml's visit(): half the time on big files, and no recursion limit.
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      for (const it of node.items) stack.push(it);
    } else if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        stack.push(pair.key, pair.value);
        // Same equality as yaml's default: scalar keys by value (each `<<` merge key is a distinct symbol).
        if (!isScalar(pair.key)) continue;
        const v = pair.key.value;
        if (seen.has(v) && !(typeof v === 'number' && Number.isNaN(v))) {
          const at = pair.key.range?.[0] ?? 0;
          dups.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        }
        seen.add(v);
      }
    }
  }
  if (dups.length > 0) {
    doc.errors.push(...dups);
    doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return doc;
}
