/**
 * Typed errors with stable codes. Every user-facing failure is a KindlabError:
 * `shortMessage` is one line, `message` adds detail (failed command output),
 * `hint` says how to fix it, `cause` keeps the original error.
 */
export type ErrorCode =
  | 'TOPO_READ'
  | 'TOPO_PARSE'
  | 'TOPO_SCHEMA'
  | 'TOPO_REF'
  | 'TOPO_CYCLE'
  | 'TOPO_VAR'
  | 'TOPO_TEMPLATE'
  | 'IMAGE_BUILD'
  | 'IMAGE_MISSING'
  | 'IMAGE_PULL'
  | 'RUNTIME_DOCKER'
  | 'RUNTIME_EXEC'
  | 'RUNTIME_CONTAINER'
  | 'LINK_EXISTS'
  | 'LINK_CREATE'
  | 'DEPLOY'
  | 'DEPLOY_INTERRUPTED'
  | 'APPLY'
  | 'APPLY_UNSUPPORTED'
  | 'RECONFIGURE'
  | 'LAB_OWNER'
  | 'TOPO_TOO_BIG'
  | 'MGMT_SUBNET'
  | 'DESTROY'
  | 'LAB_NOT_FOUND'
  | 'NODE_NOT_FOUND'
  | 'IFACE_NOT_FOUND'
  | 'FAULT'
  | 'USAGE'
  | 'BGP_CONFIG'
  | 'BGP_ADMIN'
  | 'BGP_WIRE'
  | 'K8S_API'
  | 'CLUSTER_CONFIG'
  | 'VERIFY'
  | 'INTERNAL';

export interface KindlabErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra detail printed after the one-line message (e.g. command output). */
  detail?: string;
}

export class KindlabError extends Error {
  readonly code: ErrorCode;
  readonly shortMessage: string;
  readonly hint?: string;
  readonly detail?: string;

  constructor(code: ErrorCode, shortMessage: string, opts: KindlabErrorOptions = {}) {
    const full = opts.detail ? `${shortMessage}\n${opts.detail}` : shortMessage;
    super(full, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.shortMessage = shortMessage;
    this.hint = opts.hint;
    this.detail = opts.detail;
  }
}

/** One problem found in a topology file, with its position. */
export interface TopologyIssue {
  file: string;
  line: number;
  col: number;
  /** JSON-pointer-like path of the offending key, e.g. `topology.links[2].endpoints[0]`. */
  path: string;
  message: string;
}

export function formatIssue(i: TopologyIssue): string {
  return `${i.file}:${i.line}:${i.col} ${i.path}: ${i.message}`;
}

/** All problems of a topology, collected before failing (like kind's Validate). */
export class TopologyError extends KindlabError {
  readonly issues: TopologyIssue[];
  constructor(code: ErrorCode, issues: TopologyIssue[], opts: KindlabErrorOptions = {}) {
    // An unknown node kind leads (see topology/kind-check.ts): nothing else matters until it is fixed.
    const kindFirst = issues.length > 1 && /^unknown kind "/.test(issues[0]!.message);
    const head =
      issues.length === 1 ? formatIssue(issues[0]!)
      : kindFirst ? `${formatIssue(issues[0]!)} (${issues.length} problems in ${issues[0]!.file})`
      : `${issues.length} problems in ${issues[0]?.file ?? 'topology'}`;
    const detail = issues.length > 1 ? issues.map((i) => `  ${formatIssue(i)}`).join('\n') : opts.detail;
    super(code, head, { ...opts, detail });
    this.issues = issues;
  }
}

/** A command run in a container or on the host failed: keeps the command and its output. */
export class ExecError extends KindlabError {
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly target: string;
  constructor(target: string, command: string, exitCode: number, stdout: string, stderr: string, opts: KindlabErrorOptions = {}) {
    const out = [stdout.trim(), stderr.trim()].filter(Boolean).join('\n');
    super('RUNTIME_EXEC', `${target}: command failed (exit ${exitCode}): ${command}`, { ...opts, detail: out || opts.detail });
    this.command = command;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
    this.target = target;
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The one error-prefix wrapper: `e` as a KindlabError whose message starts with `prefix` (a step,
 * a node, a file position), keeping its code, detail and hint; `code` when `e` had none.
 */
export function withPrefix(prefix: string, e: unknown, code: ErrorCode): KindlabError {
  const k = e instanceof KindlabError ? e : undefined;
  return new KindlabError(k?.code ?? code, `${prefix}: ${k ? k.shortMessage : errorMessage(e)}`, { cause: e, detail: k?.detail, hint: k?.hint });
}
