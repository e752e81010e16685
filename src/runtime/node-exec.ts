/**
 * One command line of a node (`exec:` or a stage's exec): split like a shell, without a shell
 * (containerlab semantics), and run in the node's container or, for the host kind and
 * `target: host` stage commands, on the host itself.
 */
import { execa } from 'execa';
import { ExecError } from '../errors.js';
import { splitCommand } from './argv.js';
import type { ExecResult, Runtime } from './docker.js';

/** `container` undefined: run on the host. `target` names the node in errors. Throws ExecError on a non-zero exit. */
export async function runCommand(runtime: Runtime, container: string | undefined, line: string, target: string): Promise<ExecResult> {
  const argv = splitCommand(line);
  if (container !== undefined) return runtime.exec(container, argv, { target });
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore' });
  const result = { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? (r.failed ? r.message : '')) };
  if (result.exitCode !== 0) throw new ExecError(`${target} (on the host)`, line, result.exitCode, result.stdout, result.stderr);
  return result;
}
