import { shellSplit } from '../topology/index.js';

/**
 * Splits an `exec:` line into argv like a POSIX shell would, without running a shell
 * (containerlab semantics: quotes group, backslash escapes, no expansion, no pipes). Lines
 * folded with YAML `>-` arrive as one string and split the same. One splitter serves both
 * the topology (cmd/entrypoint) and the runtime (exec lines): topology/parse-values.
 */
export function splitCommand(line: string): string[] {
  const argv = shellSplit(line);
  if (typeof argv === 'string') throw new Error(argv);
  return argv;
}

/** True when argv is just an interactive shell (containerlab's `cmd: bash`): needs a TTY to stay up. */
export function isShellCommand(argv: string[] | undefined): boolean {
  if (!argv || argv.length === 0) return false;
  const base = argv[0]!.split('/').pop()!;
  return ['bash', 'sh', 'ash', 'zsh', 'dash'].includes(base) && argv.slice(1).every((a) => a === '-l' || a === '-i');
}
