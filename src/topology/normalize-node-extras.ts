/**
 * The containerlab node keys beyond the basics: healthcheck, stages, dns, aliases, certificate,
 * cgroup-parent, env-files and resource limits. Each is converted to native values and checked,
 * every problem reported at the position of the value at fault (inherited ones in their layer).
 */
import { isIP } from 'node:net';
import type { RawHealthcheck } from './raw-types.js';
import { noStages, type ResolvedProps } from './inherit.js';
import { parseBytes, parseEnvFile, resolveHostPath, shellSplit } from './parse-values.js';
import type { IssueList, PathSeg } from './source-map.js';
import { STAGES, type DnsConfig, type Healthcheck, type NodeCertificate, type NodeResources, type NodeStages, type SourcePos, type StageWait } from './types.js';
import { parseDurationMs } from '../lib/index.js';

export interface ExtrasContext {
  dir: string;
  issues: IssueList;
  exists?: (path: string) => boolean;
  /** Reads a file the topology names (env-files); omitted → not read (the text-only pipeline). */
  readText?: (path: string) => string;
}

/** Docker refuses less than 6 MB of memory for a container. */
const MIN_MEMORY = 6 * 1024 * 1024;
/** containerlab's defaults for node certificates: RSA 2048, one year. */
export const CERT_DEFAULT_KEY_SIZE = 2048;
export const CERT_DEFAULT_VALIDITY_MS = 365 * 24 * 3600 * 1000;
const NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;

export function healthcheck(r: ResolvedProps, issues: IssueList): Healthcheck | undefined {
  const h: RawHealthcheck | undefined = r.props.healthcheck;
  if (h === undefined) return undefined;
  const test = h.test ?? [];
  const kind = test[0];
  if (kind !== undefined) {
    if (!['NONE', 'CMD', 'CMD-SHELL'].includes(kind)) {
      issues.add([...r.at('healthcheck'), 'test', 0], `healthcheck test starts with "${kind}": use CMD (argv follows), CMD-SHELL (one shell command follows) or NONE`);
    } else if (kind === 'NONE' && test.length > 1) {
      issues.add([...r.at('healthcheck'), 'test'], 'healthcheck test NONE takes no command');
    } else if (kind !== 'NONE' && (test.length < 2 || test.slice(1).some((t) => t.trim() === ''))) {
      issues.add([...r.at('healthcheck'), 'test'], `healthcheck test ${kind} needs a non-empty command after it`);
    } else if (kind === 'CMD-SHELL' && test.length > 2) {
      issues.add([...r.at('healthcheck'), 'test'], 'healthcheck test CMD-SHELL takes one shell command string (use CMD for an argv list)');
    }
  }
  return {
    test: [...test],
    ...(h.interval ? { intervalS: h.interval } : {}),
    ...(h.timeout ? { timeoutS: h.timeout } : {}),
    ...(h.retries ? { retries: h.retries } : {}),
    ...(h['start-period'] ? { startPeriodS: h['start-period'] } : {}),
  };
}

/** Where each stage wait-for entry is in the file (its own layer), for the cross-node checks. */
const WAIT_PATHS = new WeakMap<StageWait, PathSeg[]>();

export function stageWaitPath(w: StageWait): PathSeg[] | undefined {
  return WAIT_PATHS.get(w);
}

/** The stages of a node for which no layer declares any: shared and frozen, as stageOf's empty stage. */
const NO_NODE_STAGES: NodeStages = Object.freeze(
  Object.fromEntries(STAGES.map((st) => [st, Object.freeze({ waitFor: Object.freeze([]), onEnter: Object.freeze([]), onExit: Object.freeze([]) })])),
) as unknown as NodeStages;

/** Stages as merged by inherit.ts; wait-for without a stage means `create`. Node references are checked in normalize.ts. */
export function stages(name: string, r: ResolvedProps, issues: IssueList, containerBeforeCreate = false): NodeStages {
  if (noStages(r.stages)) return NO_NODE_STAGES;
  const locate = (p: Parameters<IssueList['add']>[0]): SourcePos => issues.map.locate(p);
  const out = {} as NodeStages;
  for (const st of STAGES) {
    const rs = r.stages[st];
    out[st] = {
      waitFor: rs.waitFor.map((w) => {
        const sw: StageWait = { node: w.node, stage: w.stage ?? 'create', pos: locate([...w.path, 'node']) };
        WAIT_PATHS.set(sw, [...w.path, 'node']);
        return sw;
      }),
      onEnter: [],
      onExit: [],
    };
    for (const e of rs.exec) {
      if (e.command.trim() === '') {
        issues.add([...e.path, ...(typeof e.path.at(-1) === 'number' && e.path.at(-2) === 'exec' ? ['command'] : [])], 'exec command is empty');
        continue;
      }
      const argv = shellSplit(e.command);
      if (typeof argv === 'string') issues.add(e.path, argv);
      const item = { command: e.command, target: e.target ?? 'container', pos: locate(e.path) } as const;
      if (st === 'create' && e.phase === 'on-enter' && item.target === 'container' && !containerBeforeCreate) {
        issues.add(e.path, 'a create on-enter command runs before the container exists: use phase on-exit, or target: host');
      }
      (e.phase === 'on-exit' ? out[st].onExit : out[st].onEnter).push(item);
    }
    rs.waitFor.forEach((w) => {
      if (w.node === name) issues.add([...w.path, 'node'], `node "${name}" cannot wait for itself`);
    });
  }
  return out;
}

export function dns(r: ResolvedProps, issues: IssueList): DnsConfig | undefined {
  const d = r.props.dns;
  if (d === undefined) return undefined;
  const at = r.at('dns');
  (d.servers ?? []).forEach((s, i) => {
    if (isIP(s) === 0) issues.add([...at, 'servers', i], `DNS server "${s}" is not an IP address`);
  });
  (d.search ?? []).forEach((s, i) => {
    if (!NAME.test(s)) issues.add([...at, 'search', i], `DNS search domain "${s}" is not a domain name`);
  });
  (d.options ?? []).forEach((s, i) => {
    if (/\s/.test(s) || s === '') issues.add([...at, 'options', i], `DNS option "${s}" must be one word such as ndots:2 or rotate`);
  });
  return { servers: [...(d.servers ?? [])], search: [...(d.search ?? [])], options: [...(d.options ?? [])] };
}

export function aliases(r: ResolvedProps, issues: IssueList): string[] {
  const list = r.props.aliases ?? [];
  list.forEach((a, i) => {
    if (!NAME.test(a)) issues.add(r.at('aliases', i), `alias "${a}" is not a host name (letters, digits, '-', '_', '.')`);
  });
  return [...list];
}

export function certificate(r: ResolvedProps, issues: IssueList): NodeCertificate | undefined {
  const c = r.props.certificate;
  if (!c?.issue) return undefined;
  let validityMs = CERT_DEFAULT_VALIDITY_MS;
  const v = c['validity-duration'];
  if (v !== undefined) {
    const ms = parseDurationMs(v);
    if (ms === undefined || ms <= 0) issues.add(r.at('certificate', 'validity-duration'), `certificate validity-duration "${v}" is not a positive duration such as 720h`);
    else validityMs = ms;
  }
  const sans = c.sans ?? [];
  sans.forEach((s, i) => {
    if (isIP(s) === 0 && !/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(s)) issues.add([...r.at('certificate', 'sans'), i], `SAN "${s}" is neither an IP address nor a DNS name`);
  });
  return { keySize: c['key-size'] ?? CERT_DEFAULT_KEY_SIZE, validityMs, sans: [...sans] };
}

export function cgroupParent(r: ResolvedProps, issues: IssueList): { cgroupParent?: string } {
  const v = r.props['cgroup-parent'];
  if (v === undefined) return {};
  if (v.split('/').some((s) => s === '..')) issues.add(r.at('cgroup-parent'), `cgroup-parent "${v}" must not contain ".."`);
  return { cgroupParent: v };
}

/** env-files resolved against the topology directory, read (when a reader is given) into one map: later files win. */
export function envFiles(r: ResolvedProps, ctx: ExtrasContext): { paths: string[]; env: Record<string, string> } {
  const files = r.props['env-files'] ?? [];
  const env: Record<string, string> = {};
  const paths: string[] = [];
  files.forEach((f, i) => {
    const abs = resolveHostPath(f, ctx.dir);
    paths.push(abs);
    if (ctx.exists && !ctx.exists(abs)) {
      ctx.issues.add(r.at('env-files', i), `env-file ${abs} does not exist`);
      return;
    }
    if (!ctx.readText) return;
    let text: string;
    try {
      text = ctx.readText(abs);
    } catch (e) {
      ctx.issues.add(r.at('env-files', i), `env-file ${abs} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return;
    }
    const parsed = parseEnvFile(text);
    if (typeof parsed === 'string') ctx.issues.add(r.at('env-files', i), `env-file ${abs}: ${parsed}`);
    else Object.assign(env, parsed);
  });
  return { paths, env };
}

export function resources(r: ResolvedProps, issues: IssueList): NodeResources {
  const p = r.props;
  const out: NodeResources = {};
  for (const [key, field, min] of [['memory', 'memoryBytes', MIN_MEMORY], ['shm-size', 'shmBytes', 1]] as const) {
    const v = p[key];
    if (v === undefined) continue;
    const bytes = parseBytes(v);
    if (bytes === undefined) issues.add(r.at(key), `${key} "${v}" is not a size such as 512MB or 1GiB`);
    else if (bytes < min) issues.add(r.at(key), `${key} "${v}" is too small (${key === 'memory' ? 'Docker needs at least 6MB' : 'at least 1 byte'})`);
    else out[field] = bytes;
  }
  if (p.cpu !== undefined) {
    if (!(p.cpu >= 0.01)) issues.add(r.at('cpu'), `cpu ${p.cpu} is below 0.01 (a CFS quota under 1 ms)`);
    else out.cpus = p.cpu;
  }
  if (p['cpu-set'] !== undefined) out.cpuSet = p['cpu-set'];
  return out;
}
