/**
 * Parser for Go text/template: items → a tree of text, actions and control structures (if, with,
 * range with else and break/continue, define, template, block, variables). Function names are
 * checked against the function table at parse time, as Go does.
 */
import { type Item, TemplateSyntaxError, lex } from './lex.js';

export interface Pos {
  line: number;
  col: number;
}

export type Operand =
  | ({ t: 'field'; names: string[] } & Pos) // .a.b
  | ({ t: 'var'; name: string; names: string[] } & Pos) // $x.a
  | ({ t: 'dot' } & Pos)
  | ({ t: 'func'; name: string; names: string[] } & Pos) // printf, strings.Split
  | ({ t: 'sub'; pipe: Pipe; names: string[] } & Pos) // (pipeline).a
  | ({ t: 'lit'; value: unknown; text: string } & Pos); // string, number, bool, char, nil

export interface Command extends Pos {
  args: Operand[];
}

export interface Pipe extends Pos {
  decl: string[];
  /** `$x = …` (assign) rather than `$x := …` (declare). */
  assign: boolean;
  cmds: Command[];
}

export interface ControlNode extends Pos {
  t: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  alt?: Node[];
}

export type Node =
  | { t: 'text'; text: string }
  | ({ t: 'out'; pipe: Pipe } & Pos)
  | ControlNode
  | ({ t: 'template'; name: string; pipe?: Pipe } & Pos)
  | ({ t: 'break' | 'continue' } & Pos);

export type Templates = Map<string, Node[]>;

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/**
 * Parses `src` as the template `name` into `into` (with its `define`d templates). `isFunc`
 * says whether a name is a known function.
 */
export function parseTemplate(name: string, src: string, isFunc: (n: string) => boolean, into: Templates = new Map()): Templates {
  const items = lex(src);
  let k = 0;
  let rangeDepth = 0;

  const peek = (): Item => items[k]!;
  const next = (): Item => items[k++]!;
  const skipSpace = () => {
    while (peek().type === 'space') k++;
  };
  const fail = (msg: string, at: Pos = peek()): never => {
    throw new TemplateSyntaxError(msg, at.line, at.col);
  };
  const expect = (type: Item['type'], what: string): Item => {
    skipSpace();
    const it = next();
    if (it.type !== type) fail(`unexpected ${describe(it)} in ${what}`, it);
    return it;
  };

  into.set(name, parseList(new Set(), 'top'));
  return into;

  /** Nodes until a keyword in `stops` ({{end}}, {{else}}); returns with k at that keyword. */
  function parseList(stops: Set<string>, context: string, openedAt?: Pos): Node[] {
    const out: Node[] = [];
    for (;;) {
      const it = peek();
      if (it.type === 'eof') {
        if (stops.size) fail(`unexpected EOF: ${context}${openedAt ? ` opened at line ${openedAt.line}` : ''} has no {{end}}`, openedAt ?? it);
        return out;
      }
      if (it.type === 'text') {
        out.push({ t: 'text', text: next().value });
        continue;
      }
      // it is {{
      const openIdx = k;
      const open = next();
      skipSpace();
      const head = peek();
      if (head.type === 'comment') {
        next();
        expect('right', 'comment');
        continue;
      }
      if (head.type === 'identifier' && KEYWORDS.has(head.value)) {
        if (stops.has(head.value)) {
          k = openIdx; // the caller reads this {{end}} / {{else}}
          return out;
        }
        next();
        out.push(...keyword(head, open, context));
        continue;
      }
      const pipe = parsePipe(true, 'command');
      expect('right', 'command');
      out.push({ t: 'out', pipe, line: open.line, col: open.col });
    }
  }

  /** The keyword action whose word was just read. */
  function keyword(word: Item, open: Item, context: string): Node[] {
    const at = { line: open.line, col: open.col };
    switch (word.value) {
      case 'if':
      case 'with':
      case 'range':
        return [control(word.value, at)];
      case 'break':
      case 'continue':
        if (rangeDepth === 0) fail(`{{${word.value}}} outside {{range}}`, word);
        expect('right', word.value);
        return [{ t: word.value, ...at }];
      case 'template': {
        const n = expect('string', 'template clause');
        skipSpace();
        const pipe = peek().type === 'right' ? undefined : parsePipe(false, 'template clause');
        expect('right', 'template clause');
        return [{ t: 'template', name: n.value, ...(pipe ? { pipe } : {}), ...at }];
      }
      case 'define':
      case 'block': {
        if (word.value === 'define' && context !== 'top') fail('{{define}} is only allowed at the top level', word);
        const n = expect('string', `${word.value} clause`);
        skipSpace();
        const pipe = word.value === 'block' ? parsePipe(false, 'block clause') : undefined;
        expect('right', `${word.value} clause`);
        const body = parseList(new Set(['end']), `{{${word.value} "${n.value}"}}`, at);
        closeEnd();
        into.set(n.value, body);
        return word.value === 'block' ? [{ t: 'template', name: n.value, ...(pipe ? { pipe } : {}), ...at }] : [];
      }
      default:
        return fail(`unexpected {{${word.value}}}`, word);
    }
  }

  /** Consumes `{{end}}` (k is at its `{{`). */
  function closeEnd(): void {
    next();
    expect('identifier', 'end');
    expect('right', 'end');
  }

  function control(kind: 'if' | 'with' | 'range', at: Pos): Node {
    const pipe = parsePipe(true, kind, kind === 'range');
    expect('right', kind);
    if (kind === 'range') rangeDepth++;
    const list = parseList(new Set(['else', 'end']), `{{${kind}}}`, at);
    if (kind === 'range') rangeDepth--;
    const node: Node = { t: kind, pipe, list, ...at };
    next(); // {{
    skipSpace();
    const w = next();
    if (w.value === 'end') {
      expect('right', 'end');
      return node;
    }
    // else: plain, or `else if` / `else with` chaining into a nested control
    skipSpace();
    const after = peek();
    if (after.type === 'identifier' && (after.value === 'if' || after.value === 'with') && kind !== 'range') {
      if (after.value !== kind) fail(`{{else ${after.value}}} inside {{${kind}}}`, after);
      next();
      node.alt = [control(kind, { line: w.line, col: w.col })];
      return node;
    }
    expect('right', 'else');
    node.alt = parseList(new Set(['end']), `{{${kind}}}`, at);
    closeEnd();
    return node;
  }

  function parsePipe(allowDecl: boolean, context: string, twoVars = false): Pipe {
    skipSpace();
    const start = peek();
    const pipe: Pipe = { decl: [], assign: false, cmds: [], line: start.line, col: start.col };
    if (allowDecl && peek().type === 'variable') {
      const save = k;
      const vars = [next().value];
      skipSpace();
      if (twoVars && peek().type === 'comma') {
        next();
        skipSpace();
        const v2 = next();
        if (v2.type !== 'variable') fail(`unexpected ${describe(v2)} in range declaration`, v2);
        vars.push(v2.value);
        skipSpace();
      }
      const op = peek();
      if (op.type === 'declare' || (op.type === 'assign' && vars.length === 1)) {
        next();
        pipe.decl = vars;
        pipe.assign = op.type === 'assign';
      } else {
        k = save;
      }
    }
    for (;;) {
      skipSpace();
      pipe.cmds.push(parseCommand(context));
      skipSpace();
      if (peek().type !== 'pipe') break;
      next();
    }
    if (pipe.cmds.some((c) => c.args.length === 0)) fail(`missing value for ${context}`, start);
    return pipe;
  }

  function parseCommand(context: string): Command {
    const first = peek();
    const cmd: Command = { args: [], line: first.line, col: first.col };
    for (;;) {
      skipSpace();
      const it = peek();
      if (it.type === 'right' || it.type === 'pipe' || it.type === 'rparen' || it.type === 'eof') break;
      cmd.args.push(parseOperand(context));
      const after = peek();
      if (after.type !== 'space' && after.type !== 'right' && after.type !== 'pipe' && after.type !== 'rparen') fail(`unexpected ${describe(after)} in operand`, after);
    }
    if (cmd.args.length === 0) fail(`missing value for ${context}`, first);
    return cmd;
  }

  function fieldChain(): string[] {
    const names: string[] = [];
    while (peek().type === 'field') names.push(next().value);
    return names;
  }

  function parseOperand(context: string): Operand {
    const it = next();
    const at = { line: it.line, col: it.col };
    switch (it.type) {
      case 'field':
        return { t: 'field', names: [it.value, ...fieldChain()], ...at };
      case 'variable':
        return { t: 'var', name: it.value, names: fieldChain(), ...at };
      case 'dot':
        if (peek().type === 'field') fail('unexpected . after term "."', peek());
        return { t: 'dot', ...at };
      case 'identifier':
        if (KEYWORDS.has(it.value)) fail(`unexpected <${it.value}> in ${context}`, it);
        if (!isFunc(it.value)) fail(`function "${it.value}" not defined`, it);
        return { t: 'func', name: it.value, names: fieldChain(), ...at };
      case 'lparen': {
        const pipe = parsePipe(true, 'parenthesized pipeline');
        expect('rparen', 'parenthesized pipeline');
        return { t: 'sub', pipe, names: fieldChain(), ...at };
      }
      case 'string':
        return { t: 'lit', value: it.value, text: JSON.stringify(it.value), ...at };
      case 'char':
        return { t: 'lit', value: Number(it.value), text: it.value, ...at };
      case 'bool':
        return { t: 'lit', value: it.value === 'true', text: it.value, ...at };
      case 'nil':
        return { t: 'lit', value: null, text: 'nil', ...at };
      case 'number':
        return { t: 'lit', value: parseNumber(it), text: it.value, ...at };
      default:
        return fail(`unexpected ${describe(it)} in ${context}`, it);
    }
  }

  function parseNumber(it: Item): number {
    const s = it.value.replace(/_/g, '');
    const neg = s.startsWith('-');
    const body = s.replace(/^[+-]/, '');
    let v: number;
    if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
    else if (/^0[oO]/.test(body)) v = parseInt(body.slice(2), 8);
    else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
    else if (/^0[0-7]+$/.test(body)) v = parseInt(body, 8);
    else v = Number(body);
    if (!Number.isFinite(v)) fail(`bad number syntax: "${it.value}"`, it);
    return neg ? -v : v;
  }
}

function describe(it: Item): string {
  switch (it.type) {
    case 'eof':
      return 'EOF';
    case 'right':
      return '"}}"';
    case 'space':
      return 'space';
    default:
      return `"${it.value}"`;
  }
}
