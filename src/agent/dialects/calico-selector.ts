/**
 * Calico's selector expressions over labels: `rack == 'rack0'`, `a != "b"`, `has(x)`, `!has(x)`, `all()`,
 * `k in {'a','b'}`, `k not in {...}`, `&&`, `||`, `!expr`, parentheses. Parsed once into a predicate.
 */
export type Labels = Record<string, string>;
type Pred = (l: Labels) => boolean;

const TOKEN = /\s*(\|\||&&|==|!=|!|\(|\)|\{|\}|,|'[^']*'|"[^"]*"|[A-Za-z0-9_./-]+)/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    if (/^\s*$/.test(s.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(s);
    if (!m) throw new Error(`bad selector "${s}" at offset ${TOKEN.lastIndex}`);
    out.push(m[1]!);
  }
  return out;
}

export function parseCalicoSelector(src: string): Pred {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const take = (want?: string) => {
    const x = t[i++];
    if (x === undefined || (want !== undefined && x !== want)) throw new Error(`bad selector "${src}": expected ${want ?? 'more'}, got ${x ?? 'end'}`);
    return x;
  };
  const str = (x: string) => (/^['"]/.test(x) ? x.slice(1, -1) : x);
  const set = (): string[] => {
    take('{');
    const vals: string[] = [];
    while (peek() !== '}') {
      vals.push(str(take()));
      if (peek() === ',') take(',');
    }
    take('}');
    return vals;
  };
  const primary = (): Pred => {
    const x = take();
    if (x === '(') {
      const e = or();
      take(')');
      return e;
    }
    if (x === '!') {
      const e = primary();
      return (l) => !e(l);
    }
    if (x === 'all' && peek() === '(') {
      take('(');
      take(')');
      return () => true;
    }
    if (x === 'has' && peek() === '(') {
      take('(');
      const k = str(take());
      take(')');
      return (l) => Object.prototype.hasOwnProperty.call(l, k);
    }
    const key = str(x);
    const op = take();
    if (op === '==' || op === '!=') {
      const v = str(take());
      return op === '==' ? (l) => l[key] === v : (l) => l[key] !== v;
    }
    if (op === 'in') {
      const vs = set();
      return (l) => l[key] !== undefined && vs.includes(l[key]!);
    }
    if (op === 'not' && peek() === 'in') {
      take('in');
      const vs = set();
      return (l) => l[key] === undefined || !vs.includes(l[key]!);
    }
    throw new Error(`bad selector "${src}": unknown operator ${op}`);
  };
  const and = (): Pred => {
    let e = primary();
    while (peek() === '&&') {
      take();
      const a = e;
      const b = primary();
      e = (l) => a(l) && b(l);
    }
    return e;
  };
  const or = (): Pred => {
    let e = and();
    while (peek() === '||') {
      take();
      const a = e;
      const b = and();
      e = (l) => a(l) || b(l);
    }
    return e;
  };
  if (t.length === 0) return () => true;
  const e = or();
  if (i !== t.length) throw new Error(`bad selector "${src}": unexpected ${t[i]}`);
  return e;
}
