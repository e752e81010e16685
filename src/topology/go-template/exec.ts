/**
 * Executes a parsed Go template over JSON-like data as text/template does with containerlab's
 * settings (a missing map key is `<no value>`, not an error). Bounded: output size, template
 * call depth and `seq` length are capped, so a hostile template cannot exhaust the machine.
 */
import { formatValue, isMap, type Value } from './format.js';
import { FUNCS, FuncError, truth, type Func } from './funcs.js';
import type { Command, ControlNode, Node, Operand, Pipe, Pos, Templates } from './parse.js';

export class TemplateExecError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    readonly template: string,
  ) {
    super(message);
  }
}

export interface ExecLimits {
  maxOutput: number;
  maxDepth: number;
}

class Break {}
class Continue {}

interface Var {
  name: string;
  value: Value;
}

export function executeTemplate(templates: Templates, name: string, data: Value, limits: ExecLimits): string {
  const out: string[] = [];
  let size = 0;
  let depth = 0;
  let current = name;

  const fail = (msg: string, at: Pos): never => {
    throw new TemplateExecError(msg, at.line, at.col, current);
  };
  const write = (s: string, at: Pos) => {
    size += s.length;
    if (size > limits.maxOutput) fail(`the rendered topology is over ${limits.maxOutput} bytes`, at);
    out.push(s);
  };

  const root = templates.get(name);
  if (!root) throw new TemplateExecError(`no template "${name}"`, 1, 1, name);
  const vars: Var[] = [{ name: '$', value: data }];
  walkList(data, root);
  return out.join('');

  function walkList(dot: Value, list: Node[]): void {
    for (const n of list) walk(dot, n);
  }

  function scoped(fn: () => void): void {
    const mark = vars.length;
    try {
      fn();
    } finally {
      vars.length = mark;
    }
  }

  function walk(dot: Value, n: Node): void {
    switch (n.t) {
      case 'text':
        return write(n.text, { line: 0, col: 0 });
      case 'out': {
        const v = evalPipe(dot, n.pipe);
        if (n.pipe.decl.length === 0) write(formatValue(v), n);
        return;
      }
      case 'if':
      case 'with':
        return scoped(() => {
          const v = evalPipe(dot, n.pipe);
          if (truth(v)) walkList(n.t === 'with' ? v : dot, n.list);
          else if (n.alt) walkList(dot, n.alt);
        });
      case 'range':
        return scoped(() => range(dot, n));
      case 'template': {
        const t = templates.get(n.name);
        if (!t) fail(`no such template "${n.name}"`, n);
        if (++depth > limits.maxDepth) fail(`exceeded maximum template depth (${limits.maxDepth})`, n);
        const v = n.pipe ? evalPipe(dot, n.pipe) : null;
        const saved = vars.splice(0);
        const caller = current;
        vars.push({ name: '$', value: v });
        current = n.name;
        try {
          walkList(v, t!);
        } finally {
          vars.splice(0, vars.length, ...saved);
          current = caller;
          depth--;
        }
        return;
      }
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }

  function range(dot: Value, n: ControlNode): void {
    const pipe = { ...n.pipe, decl: [] };
    const v = evalPipe(dot, pipe);
    let entries: Array<[Value, Value]>;
    if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
    else if (isMap(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
    else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v === undefined || v === null) entries = [];
    else return fail(`range can't iterate over ${formatValue(v)}`, n.pipe);
    if (entries.length === 0) {
      if (n.alt) walkList(dot, n.alt);
      return;
    }
    const mark = vars.length;
    for (const [k, x] of entries) {
      vars.length = mark;
      if (n.pipe.decl.length === 1) vars.push({ name: n.pipe.decl[0]!, value: x });
      if (n.pipe.decl.length === 2) vars.push({ name: n.pipe.decl[0]!, value: k }, { name: n.pipe.decl[1]!, value: x });
      try {
        walkList(x, n.list);
      } catch (e) {
        if (e instanceof Break) break;
        if (e instanceof Continue) continue;
        throw e;
      }
    }
  }

  function lookupVar(name: string, at: Pos): Var {
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i]!;
    return fail(`undefined variable "${name}"`, at);
  }

  function evalPipe(dot: Value, pipe: Pipe): Value {
    let v: Value = undefined;
    let piped = false;
    for (const cmd of pipe.cmds) {
      v = evalCommand(dot, cmd, piped ? [v] : []);
      piped = true;
    }
    if (pipe.decl.length === 1) {
      if (pipe.assign) lookupVar(pipe.decl[0]!, pipe).value = v;
      else vars.push({ name: pipe.decl[0]!, value: v });
    }
    return v;
  }

  function evalCommand(dot: Value, cmd: Command, final: Value[]): Value {
    const [first, ...rest] = cmd.args as [Operand, ...Operand[]];
    switch (first.t) {
      case 'func': {
        if (first.names.length === 0) return callFunc(dot, first.name, rest, final, first);
        const recv = callFunc(dot, first.name, [], [], first);
        return fieldChain(dot, recv, first.names, rest, final, first);
      }
      case 'field':
        return fieldChain(dot, dot, first.names, rest, final, first);
      case 'var':
        return fieldChain(dot, lookupVar(first.name, first).value, first.names, rest, final, first);
      case 'sub': {
        const v = evalPipe(dot, first.pipe);
        return first.names.length ? fieldChain(dot, v, first.names, rest, final, first) : noArgs(v, rest, final, first);
      }
      case 'dot':
        return noArgs(dot, rest, final, first);
      case 'lit':
        return noArgs(first.value, rest, final, first);
    }
  }

  function noArgs(v: Value, rest: Operand[], final: Value[], at: Pos): Value {
    if (rest.length || final.length) fail(`can't give argument to non-function ${formatValue(v)}`, at);
    return v;
  }

  function evalArg(dot: Value, a: Operand): Value {
    switch (a.t) {
      case 'func':
        return evalCommand(dot, { args: [a], line: a.line, col: a.col }, []);
      case 'sub':
      case 'field':
      case 'var':
        return evalCommand(dot, { args: [a], line: a.line, col: a.col }, []);
      case 'dot':
        return dot;
      case 'lit':
        return a.value;
    }
  }

  function callFunc(dot: Value, name: string, args: Operand[], final: Value[], at: Pos): Value {
    if (name === 'and' || name === 'or') {
      const all = [...args.map((a) => () => evalArg(dot, a)), ...final.map((f) => () => f)];
      if (all.length === 0) fail(`wrong number of args for ${name}: want at least 1 got 0`, at);
      let v: Value;
      for (const get of all) {
        v = get();
        if (name === 'and' ? !truth(v) : truth(v)) return v;
      }
      return v;
    }
    const fn = FUNCS[name]!;
    return invoke(fn, name, [...args.map((a) => evalArg(dot, a)), ...final], at);
  }

  function invoke(fn: Func, name: string, args: Value[], at: Pos): Value {
    try {
      return fn(...args);
    } catch (e) {
      if (e instanceof FuncError || e instanceof RangeError || e instanceof TypeError) fail(`error calling ${name}: ${e.message}`, at);
      throw e;
    }
  }

  function fieldChain(dot: Value, recv: Value, names: string[], args: Operand[], final: Value[], at: Pos): Value {
    let v = recv;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      if (v === undefined || v === null) {
        v = undefined; // a missing key further down is <no value>, as with missingkey=default
        return;
      }
      if (!isMap(v)) fail(`can't evaluate field ${name} in type ${Array.isArray(v) ? '[]interface {}' : typeof v === 'number' ? 'int' : typeof v}`, at);
      const m = v as Record<string, Value>;
      const f = Object.prototype.hasOwnProperty.call(m, name) ? m[name] : undefined;
      if (typeof f === 'function') {
        const fargs = last ? [...args.map((a) => evalArg(dot, a)), ...final] : [];
        v = invoke(f as Func, name, fargs, at);
        return;
      }
      if (last && (args.length || final.length)) fail(`${name} is not a method but has arguments`, at);
      v = f;
    });
    return v;
  }
}
