/**
 * The functions a containerlab topology template can call: Go text/template's builtins and the
 * ones containerlab adds (arithmetic, seq, slice, ToJSON, and the strings/conv/net namespaces),
 * written from their documented behaviour. `and`/`or` are evaluated lazily by the executor.
 */
import { bigToIp6, ip6ToBig, numberToIpv4, parseIpv4 } from '../../lib/index.js';
import { formatValue, isMap, sprint, sprintf, sprintln, type Value } from './format.js';

export class FuncError extends Error {}

export type Func = (...args: Value[]) => Value;

/** Longest list `seq` may build: a template cannot make the topology unbounded. */
export const MAX_SEQ = 100_000;

export function truth(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** containerlab's ToInt64: numbers truncate, strings parse (base prefixes, commas dropped), booleans are 0/1. */
export function toInt(v: Value): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.replace(/,/g, '').trim();
    const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|\d+)$/.exec(s);
    if (m) {
      const body = m[2]!;
      const n = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : /^0[bB]/.test(body) ? parseInt(body.slice(2), 2) : /^0[oO]/.test(body) ? parseInt(body.slice(2), 8) : /^0[0-7]+$/.test(body) ? parseInt(body, 8) : parseInt(body, 10);
      return m[1] === '-' ? -n : n;
    }
    const f = Number(s);
    if (s !== '' && Number.isFinite(f)) return Math.trunc(f);
  }
  throw new FuncError(`could not convert ${formatValue(v, false)} to int64`);
}

function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.replace(/,/g, '').trim();
    const f = Number(s);
    if (s !== '' && Number.isFinite(f)) return f;
    return toInt(v);
  }
  throw new FuncError(`could not convert ${formatValue(v, false)} to float64`);
}

const isFloatLike = (v: Value) => (typeof v === 'number' && !Number.isInteger(v)) || (typeof v === 'string' && /[.eE]/.test(v) && !/^0[xX]/.test(v) && Number.isFinite(Number(v)));

function arith(op: (a: number, b: number) => number): Func {
  return (a, b) => {
    if (isFloatLike(a) || isFloatLike(b)) return op(toFloat(a), toFloat(b));
    return Math.trunc(op(toInt(a), toInt(b)));
  };
}

/** containerlab's seq: end | start end | start end step, inclusive, the step's sign following the direction. */
function seq(...n: Value[]): number[] {
  if (n.length < 1 || n.length > 3) throw new FuncError(`expected 1, 2, or 3 arguments, got ${n.length}`);
  let start = 1;
  let end: number;
  let step = 1;
  if (n.length === 1) end = toInt(n[0]);
  else {
    start = toInt(n[0]);
    end = toInt(n[1]);
    if (n.length === 3) step = toInt(n[2]);
  }
  if (step === 0) return [];
  if ((end < start && step > 0) || (end > start && step < 0)) step = -step;
  end -= (end - start) % step;
  const count = Math.abs((end - start) / step) + 1;
  if (count > MAX_SEQ) throw new FuncError(`seq would make ${count} numbers (at most ${MAX_SEQ})`);
  return Array.from({ length: count }, (_, i) => start + i * step);
}

/** Go's comparison kinds: numbers, strings, booleans; nil compares unequal to everything else. */
function kind(v: Value): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}

function eq(a: Value, ...rest: Value[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  if (kind(a) === 'other') throw new FuncError('invalid type for comparison');
  return rest.some((b) => {
    const ka = kind(a);
    const kb = kind(b);
    if (kb === 'other') throw new FuncError('invalid type for comparison');
    if (ka !== kb) {
      if (ka === 'nil' || kb === 'nil') return false;
      throw new FuncError('incompatible types for comparison');
    }
    return a === b || (ka === 'nil' && kb === 'nil');
  });
}

function lt(a: Value, b: Value): boolean {
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'nil' || kb === 'nil' || ka === 'other' || kb === 'other' || ka === 'bool') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

function index(item: Value, ...keys: Value[]): Value {
  let v = item;
  for (const k of keys) {
    if (Array.isArray(v) || typeof v === 'string') {
      const i = toInt(k);
      if (i < 0 || i >= v.length) throw new FuncError(`index out of range: ${i}`);
      v = typeof v === 'string' ? Buffer.from(v, 'utf8')[i] : v[i];
    } else if (isMap(v)) {
      v = Object.prototype.hasOwnProperty.call(v, String(k)) ? v[String(k)] : undefined;
    } else if (v === undefined || v === null) {
      throw new FuncError('index of untyped nil');
    } else throw new FuncError(`can't index item of type ${typeof v}`);
  }
  return v;
}

function len(v: Value): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new FuncError(`len of ${v === undefined || v === null ? 'nil pointer' : `type ${typeof v}`}`);
}

/** Go's json.Marshal: map keys sorted, HTML characters escaped. */
function goJson(v: Value, indent?: string, prefix = ''): string {
  const sortKeys = (x: Value): Value => (Array.isArray(x) ? x.map(sortKeys) : isMap(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])])) : x === undefined ? null : x);
  let s = JSON.stringify(sortKeys(v), null, indent) ?? 'null';
  s = s.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  return prefix ? s.replace(/\n/g, `\n${prefix}`) : s;
}

function cidrHost(hostnum: Value, prefix: Value): string {
  const text = typeof prefix === 'string' ? prefix : formatValue(prefix, false);
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) throw new FuncError(`netip.ParsePrefix("${text}"): no '/'`);
  const [, addr, lenText] = m as unknown as [string, string, string];
  const v6 = addr.includes(':');
  const bits = v6 ? 128 : 32;
  const plen = Number(lenText);
  if (plen > bits) throw new FuncError(`netip.ParsePrefix("${text}"): prefix length out of range`);
  const base = addrToBig(addr, v6);
  if (base === undefined) throw new FuncError(`netip.ParsePrefix("${text}"): bad address`);
  const host = BigInt(toInt(hostnum));
  const size = 1n << BigInt(bits - plen);
  const net = (base >> BigInt(bits - plen)) << BigInt(bits - plen);
  const off = host < 0n ? size + host : host;
  if (off < 0n || off >= size) throw new FuncError(`prefix of length ${plen} does not accommodate a host numbered ${host}`);
  const ip = net + off;
  return v6 ? bigToIp6(ip) : numberToIpv4(Number(ip));
}

/** An address as a number (undefined: not an address of that family). */
function addrToBig(a: string, v6: boolean): bigint | undefined {
  if (!v6) {
    const n = parseIpv4(a);
    return n === undefined ? undefined : BigInt(n);
  }
  try {
    return ip6ToBig(a);
  } catch {
    return undefined;
  }
}

function joinList(list: Value, sep: Value): string {
  if (!Array.isArray(list)) throw new FuncError('input to Join must be an array');
  return list.map((x) => (typeof x === 'string' ? x : x === null || x === undefined ? 'nil' : formatValue(x, false))).join(String(sep));
}

const htmlEscape = (s: string) => s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
const jsEscape = (s: string) => s.replace(/[\\'"<>&=\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
const evalArgs = (args: Value[]) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args));

/** The function table. `and`/`or` are here for name checks; the executor evaluates them lazily. */
export const FUNCS: Record<string, Func> = {
  and: (...a) => a.find((x) => !truth(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truth(x)) ?? a[a.length - 1],
  not: (a) => !truth(a),
  len,
  index,
  print: (...a) => sprint(a),
  printf: (f, ...a) => sprintf(String(f), a),
  println: (...a) => sprintln(a),
  eq,
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => lt(a, b),
  le: (a, b) => lt(a, b) || eq(a, b),
  gt: (a, b) => !lt(a, b) && !eq(a, b),
  ge: (a, b) => !lt(a, b),
  html: (...a) => htmlEscape(evalArgs(a)),
  js: (...a) => jsEscape(evalArgs(a)),
  urlquery: (...a) => encodeURIComponent(evalArgs(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  call: (fn, ...a) => {
    if (typeof fn !== 'function') throw new FuncError(`non-function of type ${typeof fn}`);
    return (fn as Func)(...a);
  },
  // containerlab's
  ToJSON: (v) => goJson(v),
  ToJSONPretty: (v, prefix, indent) => goJson(v, String(indent ?? ''), String(prefix ?? '')),
  add: arith((a, b) => a + b),
  subtract: arith((a, b) => a - b),
  mul: arith((a, b) => a * b),
  div: (a, b) => {
    const d = toFloat(b);
    if (d === 0) throw new FuncError('error: division by 0');
    return toFloat(a) / d;
  },
  idiv: (a, b) => {
    const d = toInt(b);
    if (d === 0) throw new FuncError('error: division by 0');
    return Math.trunc(toInt(a) / d);
  },
  rem: (a, b) => {
    const d = toInt(b);
    if (d === 0) throw new FuncError('expected a number: divisor is zero');
    return toInt(a) % d;
  },
  seq,
  slice: (...a) => a,
  strings: () => ({
    Split: (sep: Value, s: Value) => {
      const text = typeof s === 'string' ? s : formatValue(s, false);
      return sep === '' ? [...text] : text.split(String(sep));
    },
    ReplaceAll: (old: Value, rep: Value, s: Value) => {
      if (s === null || s === undefined) return old === '' ? 'nil' : '';
      const text = typeof s === 'string' ? s : formatValue(s, false);
      return old === '' ? text : text.split(String(old)).join(String(rep));
    },
  }),
  conv: () => ({
    Join: (list: Value, sep: Value) => joinList(list, sep),
    ToInt: (v: Value) => toInt(v),
  }),
  net: () => ({
    CIDRHost: (hostnum: Value, prefix: Value) => cidrHost(hostnum, prefix),
  }),
};

export const isFuncName = (n: string): boolean => Object.prototype.hasOwnProperty.call(FUNCS, n);
