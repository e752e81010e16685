/**
 * The `lab` command: dispatches to one thin module per command (loaded on demand, so adding a
 * command is one line in COMMANDS) and prints errors the same way for all of them.
 */
import { KindlabError } from '../errors.js';
import { formatError } from './output.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { about: string; load: () => Promise<Command> }> = {
  deploy: { about: 'create a lab from a topology file', load: async () => (await import('./deploy.js')).runDeploy },
  destroy: { about: 'remove a lab (from its labels; the file may be gone)', load: async () => (await import('./destroy.js')).runDestroy },
  inspect: { about: 'list a lab\'s nodes (table or --format json)', load: async () => (await import('./inspect.js')).runInspect },
  exec: { about: 'run a command in a node: lab exec -t FILE NODE -- CMD...', load: async () => (await import('./exec.js')).runExec },
  images: { about: 'build / list / pull / save / load images', load: async () => (await import('./images.js')).runImages },
  verify: { about: 'check a running lab: BGP sessions, routes, ping, traceroute, curl', load: async () => (await import('./verify.js')).runVerify },
  graph: { about: 'draw a lab: Mermaid, SVG, PNG or HTML (--serve PORT)', load: async () => (await import('./graph.js')).runGraph },
  kubeconfig: { about: 'print the path (or --content) of a lab cluster\'s kubeconfig', load: async () => (await import('./kubeconfig.js')).runKubeconfig },
};

function usage(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return ['usage: lab COMMAND [OPTIONS]', '', ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(w)}  ${c.about}`), '', 'add -v to any command for stack traces'].join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const dashdash = rest.indexOf('--');
  const opts = dashdash < 0 ? rest : rest.slice(0, dashdash);
  const verbose = opts.includes('-v') || opts.includes('--verbose');
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  try {
    const cmd = COMMANDS[name];
    if (!cmd) throw new KindlabError('USAGE', `unknown command "${name}"`, { detail: usage().trimEnd() });
    return await cmd.load().then((run) => run(rest));
  } catch (e) {
    const err = e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? new KindlabError('USAGE', e.message) : e;
    process.stderr.write(formatError(err, verbose));
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
