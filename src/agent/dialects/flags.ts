/** GNU/pflag-style flags as kube-router and kube-ovn take them: `--name=value`, `--name value`, `--bool`. */
export type FlagValues = Map<string, string>;

export function parseFlagArgs(argv: string[], booleans: ReadonlySet<string>): FlagValues {
  const out: FlagValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) continue;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) out.set(body.slice(0, eq), body.slice(eq + 1));
    else if (booleans.has(body)) out.set(body, 'true');
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out.set(body, argv[++i]!);
    else out.set(body, 'true');
  }
  return out;
}

export const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
