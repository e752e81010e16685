/**
 * The `lab` command. Parsing, `--help`, strict options and shell completion come from yargs
 * (built from the pure table in spec.ts); each command's module is loaded only when it runs.
 * Errors are printed the same way for all commands (output.ts).
 */
import { setTemplateVars } from './load-options.js';
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { KindlabError } from '../errors.js';
import { completer } from './complete.js';
import { formatError } from './output.js';
import { COMMANDS, IMAGES_USAGE, VERBOSE, type CommandSpec, type OptionSpecs } from './spec.js';

/** The package version (package.json next to dist/ or src/). */
export function labVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What the command line asks for: run a command, or print text (help, version, completion) with an exit code. */
export type Parsed =
  | { kind: 'run'; command: string[]; values: Record<string, unknown>; positionals: string[] }
  | { kind: 'print'; text: string; code: number };

function lastOf(v: unknown): unknown {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function addOptions(y: Argv, options: OptionSpecs): Argv {
  for (const [key, o] of Object.entries(options)) {
    y.option(key, {
      type: o.type,
      describe: o.describe,
      ...(o.short ? { alias: o.short } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
      ...(o.type === 'string' ? { requiresArg: true } : {}),
      // A repeated single-valued option keeps its last value (duplicate-arguments-array is on for variadic positionals).
      coerce: lastOf,
    });
  }
  return y;
}

function addCommand(y: Argv, spec: CommandSpec, path: string[], chosen: (p: Parsed) => void): Argv {
  return y.command(
    spec.aliases ? [spec.command, ...spec.aliases] : spec.command,
    spec.about,
    (sub: Argv) => {
      addOptions(sub, spec.options);
      for (const [name, describe] of Object.entries(spec.positionals ?? {})) sub.positional(name, { type: 'string', describe });
      for (const [cmd, what] of spec.examples) sub.example(cmd, what);
      if (spec.epilog) sub.epilog(spec.epilog);
      for (const [name, s] of Object.entries(spec.subcommands ?? {})) addCommand(sub, s, [...path, name], chosen);
      return sub;
    },
    (argv) => {
      const rest = (argv['--'] as string[] | undefined) ?? [];
      const named = Object.keys(spec.positionals ?? {}).flatMap((k) => {
        const v = argv[k];
        return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
      });
      chosen({ kind: 'run', command: path, values: argv, positionals: [...named, ...(argv._.slice(path.length).map(String)), ...rest] });
    },
  );
}

/**
 * The yargs parser for `lab`. `onRun` receives the command the line names (yargs calls it while parsing).
 * `shell` picks the completion dialect (yargs reads it from $SHELL).
 */
export function buildParser(onRun: (p: Parsed) => void, shell?: 'bash' | 'zsh', words: string[] = []): Argv {
  const saved = process.env['SHELL'];
  if (shell) process.env['SHELL'] = shell === 'zsh' ? '/bin/zsh' : '/bin/bash';
  try {
    const y = yargs()
      .scriptName('lab')
      .usage('usage: lab COMMAND [OPTIONS]\n\nnetwork labs from containerlab topologies, on Docker')
      .parserConfiguration({
        'parse-numbers': false,
        'parse-positional-numbers': false,
        'dot-notation': false,
        // On, so that `lab images pull a b` gives every image to `[images..]` (off, yargs keeps only the last one);
        // single-valued options take their last value through lastOf.
        'duplicate-arguments-array': true,
        'populate--': true,
        'strip-aliased': true,
        'camel-case-expansion': false,
      })
      .option('verbose', { type: 'boolean', alias: VERBOSE.short, describe: VERBOSE.describe, global: true, coerce: lastOf })
      .option('vars', { type: 'string', array: true, describe: 'Go-template variables file for the topology (YAML/JSON; repeatable; default: <topology>_vars.yml beside it)', global: true })
      .help('help')
      .alias('help', 'h')
      .version('version', 'print the kindlab version', labVersion())
      .strict()
      .exitProcess(false)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .epilogue('lab COMMAND --help shows a command\'s options; add -v to any command for stack traces')
      .fail((msg: string | null, err: Error | undefined) => {
        throw err ?? new KindlabError('USAGE', msg ?? 'bad command line');
      });
    for (const [name, spec] of Object.entries(COMMANDS)) {
      if (name === 'completion') continue;
      addCommand(y, spec, [name], onRun);
    }
    y.completion('completion', COMMANDS['completion']!.about, completer(words));
    return y;
  } finally {
    if (shell) {
      if (saved === undefined) delete process.env['SHELL'];
      else process.env['SHELL'] = saved;
    }
  }
}

/** yargs' wording of a bad command line, in ours: the option named as the user wrote it. */
export function usageError(message: string, argv: string[], command: string[]): KindlabError {
  const help = `see: lab ${command.length ? `${command.join(' ')} ` : ''}--help`;
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const names = unknown[1]!.split(', ');
    const written = names.map((n) => argv.find((a) => a === `--${n}` || a.startsWith(`--${n}=`) || a === `-${n}`)?.replace(/=.*$/, ''));
    const options = written.filter((w): w is string => !!w);
    if (options.length > 0) return new KindlabError('USAGE', `Unknown option${options.length > 1 ? 's' : ''} ${options.map((o) => `'${o}'`).join(', ')}`, { hint: help });
    return new KindlabError('USAGE', `Unexpected argument${names.length > 1 ? 's' : ''} ${names.map((n) => `'${n}'`).join(', ')}`, { hint: help });
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(message);
  if (missing) {
    const n = missing[1]!;
    return new KindlabError('USAGE', `option '${n.length === 1 ? '-' : '--'}${n}' needs a value`, { hint: help });
  }
  return new KindlabError('USAGE', message, { hint: help });
}

/** Top-level names yargs answers itself. */
const BUILTIN = new Set(['help', 'version', 'completion']);

/** Parses a `lab` command line. Throws KindlabError('USAGE') for a bad one. */
export async function parse(argv: string[]): Promise<Parsed> {
  const first = argv[0];
  if (first === 'completion') {
    const shell = argv[1] ?? 'bash';
    if (argv.includes('--help') || argv.includes('-h')) return { kind: 'print', text: completionHelp(), code: 0 };
    if (shell !== 'bash' && shell !== 'zsh') throw new KindlabError('USAGE', `completion: unknown shell "${shell}" (bash or zsh)`);
    return { kind: 'print', text: await completionScript(shell), code: 0 };
  }
  if (argv.includes('--get-yargs-completions')) {
    const words = argv.slice(argv.indexOf('--get-yargs-completions') + 1);
    const list = await buildParser(() => {}, undefined, words).getCompletion(words);
    return { kind: 'print', text: list.length ? `${list.join('\n')}\n` : '', code: 0 };
  }
  if (first !== undefined && !first.startsWith('-') && !COMMANDS[first] && !BUILTIN.has(first)) {
    throw new KindlabError('USAGE', `unknown command "${first}"`, { detail: await helpText([]), hint: 'see: lab --help' });
  }
  const sub = argv[1];
  if (first === 'images' && sub !== undefined && !sub.startsWith('-') && !['build', 'list', 'ls', 'pull', 'save', 'load'].includes(sub)) {
    throw new KindlabError('USAGE', `unknown images command "${sub}"`, { detail: IMAGES_USAGE });
  }
  if (first === undefined) return { kind: 'print', text: await helpText([]), code: 1 };
  if (first === 'help') return { kind: 'print', text: await helpText(argv.slice(1, 2).filter((c) => COMMANDS[c])), code: 0 };
  let chosen: Parsed | undefined;
  const y = buildParser((p) => (chosen = p));
  const command = argv[0] && COMMANDS[argv[0]] ? [argv[0]] : [];
  const output = await new Promise<string>((resolve, reject) => {
    try {
      void y.parse(argv, {}, (err: Error | undefined, _argv: unknown, out: string) => (err ? reject(err) : resolve(out)));
    } catch (e) {
      reject(e as Error);
    }
  }).catch((e: unknown) => {
    if (e instanceof KindlabError && e.code === 'USAGE') throw usageError(e.shortMessage, argv, command);
    if (e instanceof Error && e.name === 'YError') throw usageError(e.message, argv, command);
    throw e;
  });
  if (chosen) return chosen;
  if (output) return { kind: 'print', text: `${output}\n`, code: 0 };
  // `lab images` (no subcommand) and the like: the command's own check explains.
  return { kind: 'run', command, values: {}, positionals: [] };
}

/** `lab [COMMAND] --help`. */
export async function helpText(command: string[]): Promise<string> {
  const y = buildParser(() => {});
  return new Promise<string>((resolve, reject) => {
    void y.parse([...command, '--help'], {}, (err: Error | undefined, _a: unknown, out: string) => (err ? reject(err) : resolve(`${out}\n`)));
  });
}

/** yargs' completion script for `shell`, calling `lab --get-yargs-completions`. */
export async function completionScript(shell: 'bash' | 'zsh'): Promise<string> {
  const y = buildParser(() => {}, shell);
  // yargs writes the script with console.log (its logger when no parse is under way): collect it.
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(' '));
  try {
    (y as unknown as { showCompletionScript($0: string, cmd: string): void }).showCompletionScript('lab', `completion ${shell}`);
  } finally {
    console.log = log;
  }
  const script = lines.join('\n');
  if (!script.includes('###-begin-lab-completions-###')) throw new KindlabError('USAGE', `no ${shell} completion script from yargs`);
  return `${script.trimEnd()}\n`;
}

function completionHelp(): string {
  const c = COMMANDS['completion']!;
  return [
    'lab completion [shell]',
    '',
    c.about,
    '',
    'Positionals:',
    '  shell  bash or zsh (default: bash)',
    '',
    'Examples:',
    ...c.examples.map(([cmd, what]) => `  ${cmd}  ${what}`),
    '  lab completion zsh > "${fpath[1]}/_lab"  install for zsh',
    '',
  ].join('\n');
}

/** Runs the parsed command (its module is imported here, not before). */
async function run(p: Extract<Parsed, { kind: 'run' }>): Promise<number> {
  const v = p.values as never;
  const [name, sub] = p.command;
  const vars = (p.values as { vars?: unknown }).vars;
  setTemplateVars(Array.isArray(vars) ? vars.map(String) : undefined);
  switch (name) {
    case 'deploy':
      return (await import('./deploy.js')).runDeploy(v);
    case 'apply':
      return (await import('./apply.js')).runApply(v);
    case 'redeploy':
      return (await import('./deploy.js')).runRedeploy(v);
    case 'destroy':
      return (await import('./destroy.js')).runDestroy(v);
    case 'inspect':
      return (await import('./inspect.js')).runInspect(v);
    case 'exec':
      return (await import('./exec.js')).runExec(v, p.positionals);
    case 'save':
      return (await import('./save.js')).runSave(v);
    case 'images':
      return (await import('./images.js')).runImages(sub ?? p.positionals[0], v, p.positionals.filter((x) => x !== sub));
    case 'verify':
      return (await import('./verify.js')).runVerify(v);
    case 'graph':
      return (await import('./graph.js')).runGraph(v);
    case 'capture':
      return (await import('./fault.js')).runCapture(v, p.positionals);
    case 'fault':
      return (await import('./fault.js')).runFault(sub === 'ls' ? 'list' : sub, v, p.positionals);
    case 'kubeconfig':
      return (await import('./kubeconfig.js')).runKubeconfig(v);
    case 'config':
      return (await import('./config.js')).runConfig(sub ?? p.positionals[0], v, p.positionals);
    case 'export':
      return (await import('./export.js')).runExport(sub ?? p.positionals[0], v, p.positionals.filter((x) => x !== sub));
    case 'node':
      return (await import('./node.js')).runNode(sub ?? p.positionals[0], v, p.positionals);
    case 'generate':
      return (await import('./config.js')).runGenerate(sub ?? p.positionals[0], v);
    case 'version':
      process.stdout.write(`${labVersion()}\n`);
      return 0;
    default:
      throw new KindlabError('USAGE', `unknown command "${name ?? ''}"`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const opts = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const verbose = opts.includes('-v') || opts.includes('--verbose');
  try {
    const p = await parse(argv);
    if (p.kind === 'print') {
      process.stdout.write(p.text);
      return p.code;
    }
    return await run(p);
  } catch (e) {
    process.stderr.write(formatError(e, verbose));
    return 1;
  }
}

const isMain = process.argv[1] && /(?:^|[/\\])(?:lab(?:\.js)?)$/.test(process.argv[1]);
if (isMain) {
  // `lab inspect | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(formatError(e, true));
      process.exitCode = 1;
    },
  );
}
