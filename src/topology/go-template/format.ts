/**
 * Go's fmt as templates print values: %v of the JSON-like values a topology template sees
 * (strings, numbers, booleans, nil, lists, maps with sorted keys), fmt.Sprint/Sprintln spacing,
 * and the printf verbs topology files use.
 */

export type Value = unknown;

export const isMap = (v: Value): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A float as Go's %v prints it: shortest digits, exponent form below 1e-4 and from 1e21. */
function formatFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 21) return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(x);
}

/** `%v`. Undefined (a missing map key) prints as Go's `<no value>`, nil as `<nil>`. */
export function formatValue(v: Value, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, false)).join(' ')}]`;
  if (typeof v === 'function') return '<func>';
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatValue(v[k], false)}`).join(' ')}]`;
  }
  return String(v);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, false);
  });
  return out;
}

export function sprintln(args: Value[]): string {
  return `${args.map((a) => formatValue(a, false)).join(' ')}\n`;
}

function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function typeName(v: Value): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** fmt.Sprintf for the verbs %v %s %q %d %x %X %o %b %c %f %F %e %g %t and %%, with flags, width and precision. */
export function sprintf(format: string, args: Value[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/.exec(format.slice(i + 1));
    if (!m) {
      out += '%!(NOVERB)';
      break;
    }
    i += m[0].length;
    const [, flags = '', widthText, precText, verb] = m as unknown as [string, string, string | undefined, string | undefined, string];
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    const prec = precText === undefined ? undefined : Number(precText || '0');
    let s = verbText(verb, arg, flags, prec);
    const width = widthText ? Number(widthText) : 0;
    if (s.length < width) {
      if (flags.includes('-')) s = s.padEnd(width);
      else if (flags.includes('0') && /[dxXobfFeEg]/.test(verb) && typeof arg === 'number') {
        const sign = /^[+-]/.test(s) ? s[0]! : '';
        s = sign + s.slice(sign.length).padStart(width - sign.length, '0');
      } else s = s.padStart(width);
    }
    out += s;
  }
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${typeName(a)}=${formatValue(a, false)}`).join(', ')})`;
  return out;
}

function verbText(verb: string, arg: Value, flags: string, prec: number | undefined): string {
  const bad = () => `%!${verb}(${typeName(arg)}=${formatValue(arg, false)})`;
  const plus = (n: number, s: string) => (n >= 0 && flags.includes('+') ? `+${s}` : n >= 0 && flags.includes(' ') ? ` ${s}` : s);
  switch (verb) {
    case 'v':
      return formatValue(arg, false);
    case 's':
      return typeof arg === 'string' ? (prec === undefined ? arg : arg.slice(0, prec)) : typeof arg === 'number' || typeof arg === 'boolean' ? bad() : formatValue(arg, false);
    case 'q':
      return typeof arg === 'string' ? goQuote(arg) : typeof arg === 'number' && Number.isInteger(arg) ? `'${String.fromCodePoint(arg)}'` : bad();
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad();
    case 'c':
      return typeof arg === 'number' && Number.isInteger(arg) ? String.fromCodePoint(arg) : bad();
    case 'd':
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      if (verb !== 'd' && typeof arg === 'string') {
        const hex = Buffer.from(arg, 'utf8').toString('hex');
        return verb === 'X' ? hex.toUpperCase() : verb === 'x' ? hex : bad();
      }
      if (typeof arg !== 'number' || !Number.isInteger(arg)) return bad();
      const base = { d: 10, x: 16, X: 16, o: 8, b: 2 }[verb]!;
      let s = Math.abs(arg).toString(base);
      if (verb === 'X') s = s.toUpperCase();
      if (flags.includes('#')) s = (verb === 'x' ? '0x' : verb === 'X' ? '0X' : verb === 'o' ? '0' : '') + s;
      return plus(arg, arg < 0 ? `-${s}` : s);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (typeof arg !== 'number') return bad();
      const p = prec ?? 6;
      let s: string;
      if (verb === 'f' || verb === 'F') s = arg.toFixed(p);
      else if (verb === 'e' || verb === 'E') s = arg.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
      else s = prec === undefined ? formatFloat(arg) : String(Number(arg.toPrecision(p || 1)));
      if (verb === 'E' || verb === 'G') s = s.toUpperCase();
      return plus(arg, s);
    }
    default:
      return `%!${verb}(${typeName(arg)}=${formatValue(arg, false)})`;
  }
}
