/**
 * `${VAR}` substitution in a parsed YAML document, done scalar by scalar so that source
 * positions stay exact (substituting the raw text would shift every column after it).
 *
 * Forms (shell semantics):
 *   ${VAR}            value of VAR; unset → left as written (containerlab does the same), except
 *                     in an `image:` value, where it is an error naming file:line:col
 *   ${VAR:-default}   default when VAR is unset or empty
 *   ${VAR-default}    default when VAR is unset
 *   ${VAR:=default}   like :- and also assigns VAR for later references in the file
 *   ${VAR=default}    like -  and also assigns VAR
 *   $${...}           a literal `${...}` (escape, e.g. for shell code in exec lines)
 * A default written in quotes (`${VAR:=""}`, `${VAR:-'a b'}`) is the text inside them, as in
 * containerlab (an empty string, not two quote characters).
 * Only the braced form is substituted: `$VAR` in exec lines is left to the container's shell.
 * A plain (unquoted) scalar whose substituted text is a YAML number, boolean or null takes that
 * type, as it would if the text had been substituted before parsing (`mtu: ${MTU:=1500}`).
 */
import { isCollection, isPair, isScalar, Scalar, visit, type Document } from 'yaml';
import type { TopologyIssue } from '../errors.js';
import { formatPath, type PathSeg, type SourceMap } from './source-map.js';

const REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])([^}]*))?\}/g;

export type Env = Record<string, string | undefined>;

export function substituteVars(doc: Document, source: string, map: SourceMap, env: Env): TopologyIssue[] {
  const vars: Env = { ...env };
  const issues: TopologyIssue[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const raw = node.range ? source.slice(node.range[0], node.range[1]) : '';
      const fail = (name: string, message: string): void => {
        const at = raw.indexOf('${' + name);
        const offset = (node.range?.[0] ?? 0) + Math.max(at, 0);
        const { line, col } = map.posOfOffset(offset);
        issues.push({ file: map.file, line, col, path: formatPath(pathOf(ancestors, node)), message });
      };
      const out = node.value.replace(REF, (whole, escape: string, name: string, op: string | undefined, def: string | undefined) => {
        if (escape) return whole.slice(1);
        const cur = vars[name];
        if (op === undefined) {
          if (cur === undefined) {
            if (isImageValue(ancestors, node)) fail(name, `variable ${name} is not set (give a default with \${${name}:=value} or export it)`);
            return whole;
          }
          return cur;
        }
        const useDefault = op.startsWith(':') ? cur === undefined || cur === '' : cur === undefined;
        if (!useDefault) return cur!;
        const value = unquote(def ?? '');
        if (op.endsWith('=')) vars[name] = value;
        return value;
      });
      if (out === node.value) return;
      node.value = node.type === Scalar.PLAIN ? retype(out) : out;
    },
  });
  return issues;
}

/** `""` / `''` around a default are quoting, not part of the value. */
function unquote(text: string): string {
  const m = /^"(.*)"$|^'(.*)'$/s.exec(text);
  return m ? (m[1] ?? m[2] ?? '') : text;
}

/** True for the value of an `image:` key: an unresolved `${VAR}` there can never name an image. */
function isImageValue(ancestors: readonly unknown[], node: unknown): boolean {
  const parent = ancestors[ancestors.length - 1];
  return isPair(parent) && parent.value === node && isScalar(parent.key) && parent.key.value === 'image';
}

/** Re-types a plain scalar's substituted text the way the YAML core schema would. */
function retype(text: string): string | number | boolean | null {
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(~|null|Null|NULL)$/.test(text)) return null;
  return text;
}

/** Data path of a node from the ancestors list `visit` provides. */
function pathOf(ancestors: readonly unknown[], node: unknown): PathSeg[] {
  const chain = [...ancestors, node];
  const out: PathSeg[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (isPair(a)) {
      if (a.key === next) break; // the scalar is a key itself: its path is the parent's
      out.push(isScalar(a.key) ? String(a.key.value) : String(a.key));
    } else if (isCollection(a) && !isPair(next)) {
      out.push(a.items.indexOf(next as never));
    }
  }
  return out;
}
