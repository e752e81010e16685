/**
 * Splits a command line into argv like a POSIX shell would, without running a shell:
 * containerlab runs each `exec:` line this way (quotes group, backslash escapes, no
 * expansion, no pipes). Lines folded with YAML `>-` arrive as one string and split the same.
 */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      const n = line[++i]!;
      if (n !== '\n') cur += n;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${line}`);
  if (inWord) out.push(cur);
  return out;
}

/** True when argv is just an interactive shell (containerlab's `cmd: bash`): needs a TTY to stay up. */
export function isShellCommand(argv: string[] | undefined): boolean {
  if (!argv || argv.length === 0) return false;
  const base = argv[0]!.split('/').pop()!;
  return ['bash', 'sh', 'ash', 'zsh', 'dash'].includes(base) && argv.slice(1).every((a) => a === '-l' || a === '-i');
}
