/**
 * Shell completion beyond yargs' own (commands and options): topology files after `-t`, lab names
 * (Docker labels) after `--name`, and node names of the `-t` topology for `lab exec` and `lab node stop|start|restart`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { COMMANDS, VERBOSE } from './spec.js';

/** Options that take a value: the word after them is that value, not a positional. */
const VALUE_OPTIONS = new Set(['-t', '--topo', '--name', '-f', '--format', '-o', '--output', '--max-workers', '--renderer', '--wait', '--timeout', '--concurrency', '--serve', '--direction']);

/** Where the word being completed sits. Pure. */
export type Slot = { type: 'topo' } | { type: 'lab' } | { type: 'node'; topo?: string } | { type: 'default' };

/** `words` as the shell gives them: `lab`, the words typed, and the (possibly empty) current word last. */
export function slotOf(words: string[]): Slot {
  const current = words[words.length - 1] ?? '';
  const prev = words.length >= 2 ? words[words.length - 2]! : '';
  if (prev === '-t' || prev === '--topo') return { type: 'topo' };
  if (prev === '--name') return { type: 'lab' };
  const typed = words.slice(1, -1);
  const cmdAt = typed.findIndex((w) => !w.startsWith('-') && COMMANDS[w]);
  // `lab exec NODE` and `lab node stop|start|restart NODE`
  const lifecycle = typed[cmdAt] === 'node' && ['stop', 'start', 'restart'].includes(typed[cmdAt + 1] ?? '');
  if (cmdAt < 0 || (typed[cmdAt] !== 'exec' && !lifecycle) || current.startsWith('-') || typed.includes('--')) return { type: 'default' };
  let topo: string | undefined;
  let positionals = 0;
  for (let i = cmdAt + (lifecycle ? 2 : 1); i < typed.length; i++) {
    const w = typed[i]!;
    if (w === '-t' || w === '--topo') topo = typed[i + 1];
    else if (w.startsWith('--topo=')) topo = w.slice('--topo='.length);
    if (VALUE_OPTIONS.has(w)) i++;
    else if (!w.startsWith('-')) positionals++;
  }
  return positionals === 0 ? { type: 'node', topo } : { type: 'default' };
}

/** YAML files and directories that complete `current` (a path prefix). */
export async function topologyFiles(current: string): Promise<string[]> {
  const dir = current.endsWith('/') ? current : dirname(current);
  const base = current.endsWith('/') ? '' : basename(current);
  const entries = await readdir(dir || '.', { withFileTypes: true }).catch(() => []);
  const prefix = dir === '.' && !current.startsWith('./') ? '' : dir.endsWith('/') ? dir : `${dir}/`;
  return entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .filter((e) => e.isDirectory() || /\.ya?ml$/.test(e.name))
    .map((e) => `${prefix}${e.name}${e.isDirectory() ? '/' : ''}`)
    .sort();
}

/** The node names of a topology file (its `topology.nodes` keys); none when it cannot be read. */
export async function topologyNodes(file: string): Promise<string[]> {
  try {
    const doc = parse(await readFile(file, 'utf8')) as { topology?: { nodes?: Record<string, unknown> } } | null;
    return Object.keys(doc?.topology?.nodes ?? {}).sort();
  } catch {
    return [];
  }
}

/** Labs on this Docker engine (by the kindlab.lab label); none when Docker does not answer. */
export async function runningLabs(): Promise<string[]> {
  try {
    const { DockerRuntime, listLabNames } = await import('../runtime/index.js');
    return await listLabNames(new DockerRuntime());
  } catch {
    return [];
  }
}

function isZsh(): boolean {
  return !!(process.env['SHELL']?.includes('zsh') || process.env['ZSH_NAME']?.includes('zsh'));
}

/** zsh's `_describe` takes `word:description`; bash gets the bare word. */
function described(word: string, about: string, zsh: boolean): string {
  return zsh ? `${word.replace(/:/g, '\\:')}:${about.replace(/\n/g, ' ')}` : word;
}

/**
 * Commands (no command typed yet) or the options of the command typed (with `-` typed), from the
 * same table that builds the parser. Pure but for `zsh` (defaults to $SHELL).
 */
export function commandWords(words: string[], zsh = isZsh()): string[] | undefined {
  const current = words[words.length - 1] ?? '';
  const typed = words.slice(1, -1);
  const cmdAt = typed.findIndex((w) => !w.startsWith('-') && COMMANDS[w]);
  if (cmdAt < 0) {
    if (current.startsWith('-')) return [described('--help', 'show help', zsh), described('--version', 'print the kindlab version', zsh)];
    return Object.entries(COMMANDS).map(([name, c]) => described(name, c.about, zsh));
  }
  let spec = COMMANDS[typed[cmdAt]!]!;
  const sub = typed.slice(cmdAt + 1).find((w) => !w.startsWith('-'));
  const subSpec = sub ? Object.values(spec.subcommands ?? {}).find((s) => s.command.split(' ')[0] === sub || s.aliases?.includes(sub)) : undefined;
  if (spec.subcommands && !subSpec) {
    if (!current.startsWith('-')) return Object.entries(spec.subcommands).map(([name, s]) => described(name, s.about, zsh));
  }
  if (subSpec) spec = subSpec;
  if (!current.startsWith('-')) return undefined;
  const given = new Set(typed);
  const out: string[] = [];
  for (const [key, o] of Object.entries({ ...spec.options, verbose: VERBOSE, help: { type: 'boolean' as const, short: 'h', describe: 'show help' } })) {
    if (given.has(`--${key}`) || (o.short && given.has(`-${o.short}`))) continue;
    if (current.startsWith('--') || !o.short) out.push(described(`--${key}`, o.describe, zsh));
    else out.push(described(`-${o.short}`, o.describe, zsh), described(`--${key}`, o.describe, zsh));
  }
  return out;
}

/** yargs' completion function (the form that can fall back to yargs' own completion). */
export function completer(words: string[]) {
  return (current: string, _argv: unknown, defaultCompletion: () => void, done: (completions: string[]) => void): void => {
    const slot = slotOf(words.length ? words : [current]);
    const answer = (p: Promise<string[]>) => void p.then((list) => done(list.filter((w) => w.startsWith(current))));
    if (slot.type === 'topo') answer(topologyFiles(current));
    else if (slot.type === 'lab') answer(runningLabs());
    else if (slot.type === 'node' && slot.topo && !current.startsWith('-')) answer(topologyNodes(slot.topo));
    else {
      const list = commandWords(words.length ? words : [current]);
      if (list) done(list.filter((w) => w.startsWith(current)));
      else defaultCompletion();
    }
  };
}
