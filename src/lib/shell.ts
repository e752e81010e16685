/** POSIX shell quoting: the one owner of this rule. */

const SAFE = /^[\w@%+=:,./-]+$/;

/** One argument as `sh` takes it back: bare when safe, else in single quotes (newlines kept literally). */
export function shellQuoteArg(a: string): string {
  return SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Quotes argv for display on one line: control characters are written as `$'...'` escapes. */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((a) => {
      // eslint-disable-next-line no-control-regex
      if (!SAFE.test(a) && /[\x00-\x1f]/.test(a)) return `$'${a.replace(/[\\']/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/[\x00-\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
      return shellQuoteArg(a);
    })
    .join(' ');
}
