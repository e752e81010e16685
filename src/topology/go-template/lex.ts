/**
 * Lexer for Go text/template as containerlab reads topology files: text and `{{ }}` actions with
 * `{{- ` / ` -}}` trim markers and comments. Each item carries its line and column so errors name
 * the template position.
 */

export type ItemType =
  | 'text'
  | 'left' // {{
  | 'right' // }}
  | 'field' // .Name
  | 'variable' // $ or $name
  | 'identifier' // name (function or keyword)
  | 'dot' // .
  | 'string' // "…" or `…` (value already unquoted)
  | 'char' // 'x' (value: the code point as a number text)
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe' // |
  | 'declare' // :=
  | 'assign' // =
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'space'
  | 'comment'
  | 'eof';

export interface Item {
  type: ItemType;
  value: string;
  line: number;
  col: number;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/** Splits template text into items. Actions may span lines (as since Go 1.16). */
export function lex(src: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  const starts = [0];
  for (let k = 0; k < src.length; k++) if (src[k] === '\n') starts.push(k + 1);
  /** Line and column (1-based) of offset `at`. */
  const pos = (at: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - starts[lo]! + 1 };
  };
  const advanceTo = (at: number) => {
    i = at;
  };
  const push = (type: ItemType, value: string, at: number) => {
    const p = pos(at);
    out.push({ type, value, line: p.line, col: p.col });
  };

  while (i < src.length) {
    const open = src.indexOf('{{', i);
    const end = open < 0 ? src.length : open;
    let text = src.slice(i, end);
    if (open >= 0 && src[open + 2] === '-' && isSpace(src[open + 3])) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) push('text', text, i);
    advanceTo(end);
    if (open < 0) break;
    lexAction();
  }
  push('eof', '', i);
  return out;

  function lexAction(): void {
    const start = i;
    let j = i + 2;
    if (src[j] === '-' && isSpace(src[j + 1])) j += 2;
    push('left', '{{', start);
    advanceTo(j);
    // comment: {{/* … */}} with optional trim markers around it
    let k = i;
    while (isSpace(src[k])) k++;
    if (src.startsWith('/*', k)) {
      const close = src.indexOf('*/', k + 2);
      if (close < 0) throw err('unclosed comment', k);
      let after = close + 2;
      let trimRight = false;
      if (src[after] === ' ' && src[after + 1] === '-' && src.startsWith('}}', after + 2)) (trimRight = true), (after += 2);
      else while (isSpace(src[after]) && !src.startsWith('}}', after)) after++;
      if (!src.startsWith('}}', after)) throw err('comment ends before closing delimiter', close);
      push('comment', src.slice(k, close + 2), k);
      advanceTo(after);
      closeAction(trimRight);
      return;
    }
    for (;;) {
      const c = src[i];
      if (c === undefined) throw err('unclosed action', start);
      if (isSpace(c)) {
        // " -}}" closes with a trim marker
        let s = i;
        while (isSpace(src[s])) s++;
        if (src[s] === '-' && src.startsWith('}}', s + 1)) {
          advanceTo(s + 1);
          closeAction(true);
          return;
        }
        advanceTo(s);
        push('space', ' ', s);
        continue;
      }
      if (src.startsWith('}}', i)) {
        closeAction(false);
        return;
      }
      if (c === '|') {
        push('pipe', '|', i);
        advanceTo(i + 1);
      } else if (c === '(') {
        push('lparen', '(', i);
        advanceTo(i + 1);
      } else if (c === ')') {
        push('rparen', ')', i);
        advanceTo(i + 1);
      } else if (c === ',') {
        push('comma', ',', i);
        advanceTo(i + 1);
      } else if (c === ':' && src[i + 1] === '=') {
        push('declare', ':=', i);
        advanceTo(i + 2);
      } else if (c === '=') {
        push('assign', '=', i);
        advanceTo(i + 1);
      } else if (c === '"') {
        lexQuote();
      } else if (c === '`') {
        const close = src.indexOf('`', i + 1);
        if (close < 0) throw err('unterminated raw quoted string', i);
        push('string', src.slice(i + 1, close), i);
        advanceTo(close + 1);
      } else if (c === "'") {
        lexChar();
      } else if (c === '$') {
        let e = i + 1;
        while (isAlnum(src[e])) e++;
        push('variable', src.slice(i, e), i);
        advanceTo(e);
      } else if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
        if (!isAlnum(src[i + 1])) {
          push('dot', '.', i);
          advanceTo(i + 1);
        } else {
          let e = i + 1;
          while (isAlnum(src[e])) e++;
          push('field', src.slice(i + 1, e), i);
          advanceTo(e);
        }
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?)/.exec(src.slice(i));
        const text = m?.[0] ?? '';
        if (!text || text === '+' || text === '-' || text === '.' || isAlnum(src[i + text.length])) throw err(`bad number syntax: "${src.slice(i, i + Math.max(1, text.length + 1))}"`, i);
        push('number', text, i);
        advanceTo(i + text.length);
      } else if (isAlnum(c)) {
        let e = i;
        while (isAlnum(src[e])) e++;
        const word = src.slice(i, e);
        push(word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier', word, i);
        advanceTo(e);
      } else {
        throw err(`unexpected "${c}" in action`, i);
      }
    }
  }

  function closeAction(trimRight: boolean): void {
    push('right', '}}', i);
    advanceTo(i + 2);
    if (trimRight) {
      let e = i;
      while (isSpace(src[e])) e++;
      advanceTo(e);
    }
  }

  function lexQuote(): void {
    const start = i;
    let j = i + 1;
    let val = '';
    for (;;) {
      const c = src[j];
      if (c === undefined || c === '\n') throw err('unterminated quoted string', start);
      if (c === '"') break;
      if (c === '\\') {
        const [s, n] = unescape(j);
        val += s;
        j = n;
        continue;
      }
      val += c;
      j++;
    }
    push('string', val, start);
    advanceTo(j + 1);
  }

  function lexChar(): void {
    const start = i;
    let j = i + 1;
    let val: string;
    if (src[j] === '\\') {
      const [s, n] = unescape(j);
      val = s;
      j = n;
    } else {
      const cp = src.codePointAt(j);
      if (cp === undefined || src[j] === "'") throw err('empty character constant', start);
      val = String.fromCodePoint(cp);
      j += val.length;
    }
    if (src[j] !== "'") throw err('unterminated character constant', start);
    push('char', String(val.codePointAt(0)), start);
    advanceTo(j + 1);
  }

  /** A Go escape at `j` (a backslash): its text and the offset after it. */
  function unescape(j: number): [string, number] {
    const c = src[j + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    if (c !== undefined && c in simple) return [simple[c]!, j + 2];
    const hex = (len: number) => {
      const h = src.slice(j + 2, j + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw err('invalid escape in string', j);
      return [String.fromCodePoint(parseInt(h, 16)), j + 2 + len] as [string, number];
    };
    if (c === 'x') return hex(2);
    if (c === 'u') return hex(4);
    if (c === 'U') return hex(8);
    if (c !== undefined && /[0-7]/.test(c)) {
      const o = src.slice(j + 1, j + 4);
      if (!/^[0-7]{3}$/.test(o)) throw err('invalid escape in string', j);
      return [String.fromCharCode(parseInt(o, 8)), j + 4];
    }
    throw err('invalid escape in string', j);
  }

  function err(msg: string, at: number): TemplateSyntaxError {
    const p = pos(at);
    return new TemplateSyntaxError(msg, p.line, p.col);
  }
}
