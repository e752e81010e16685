/**
 * Makes `lab verify` on a staged lab repeatable: before the checks, the objects the stages change
 * (stages-targets.ts) are put back as they were before the stages first ran, so a second run
 * replays the article from its start — its `kubectl annotate` lines meet no annotation left by the
 * first run, a NetworkPolicy a late stage applies does not block an early stage's curl, and so on.
 *
 * The first run records that state (the baseline) in the lab directory; later runs delete what
 * the stages created, create again what they deleted, and merge-patch back the labels,
 * annotations and spec their steps touch. Everything goes through the lab's kubectl.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EvidenceLog, shellQuote } from './context.js';
import type { Kubectl } from './stages-run.js';
import { extendBaseline, objectKey, planRestore, refOf, refText, stubOf, type Baseline, type KubeObj, type RestorePlan } from './stages-baseline.js';
import { stageTargets, type ObjectRef, type RestoreScope } from './stages-targets.js';
import type { Stage } from './stages.js';
import type { CheckResult } from './types.js';
import { errorMessage } from '../errors.js';
import { writeJsonAtomic } from '../lib/index.js';

export const RESET_NAME = 'the objects the stages change, as before the first stage';

/** `<labDir>/stages-baseline.json`. */
export function baselineFile(labDir: string): string {
  return join(labDir, 'stages-baseline.json');
}

class Step extends Error {}

/** Runs kubectl, logging it (a `get`'s JSON as the objects it names); throws Step with kubectl's message when it fails. */
async function run(kubectl: Kubectl, log: EvidenceLog, args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  const stdout = args[0] === 'get' && args.includes('json') && r.exitCode === 0 ? names(r.stdout) : r.stdout.trimEnd();
  const out = [stdout, r.stderr.trimEnd()].filter(Boolean).join('\n');
  const stdin = input === undefined ? '' : ` <<< '${names(input)}'`;
  log.add(`host$ kubectl ${shellQuote(args)}${stdin}`, out.length > 4000 ? `${out.slice(0, 4000)}\n…` : out);
  if (r.exitCode !== 0) throw new Step(`kubectl ${args[0]} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`);
  return r.stdout;
}

/** The objects of kubectl JSON, for the evidence: `pod/default/sample node/worker` (or `(none)`). */
function names(json: string): string {
  try {
    const items = itemsOf(json);
    return items.length ? items.map((o) => refText(refOf(o))).join(' ') : '(none)';
  } catch {
    return json.trimEnd();
  }
}

const list = (items: KubeObj[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

function itemsOf(stdout: string): KubeObj[] {
  if (!stdout.trim()) return [];
  const o = JSON.parse(stdout) as KubeObj & { items?: KubeObj[] };
  return Array.isArray(o.items) ? o.items : [o];
}

/** The objects as they are now, by key (absent ones missing); one kubectl call, or one per object if the batch fails (e.g. a kind the cluster does not serve yet). */
async function fetchAll(kubectl: Kubectl, log: EvidenceLog, refs: ObjectRef[]): Promise<Map<string, KubeObj>> {
  const out = new Map<string, KubeObj>();
  if (refs.length === 0) return out;
  const get = ['get', '-f', '-', '-o', 'json', '--ignore-not-found'];
  let items: KubeObj[] | undefined;
  try {
    items = itemsOf(await run(kubectl, log, get, list(refs.map(stubOf))));
  } catch (e) {
    if (!(e instanceof Step)) throw e;
  }
  if (!items) {
    items = [];
    for (const r of refs) {
      const one = await kubectl(get, list([stubOf(r)]));
      if (one.exitCode === 0) items.push(...itemsOf(one.stdout));
    }
  }
  for (const o of items) out.set(objectKey(refOf(o)), o);
  return out;
}

async function readBaseline(file: string, cluster: string): Promise<Baseline> {
  try {
    const b = JSON.parse(await readFile(file, 'utf8')) as Baseline;
    if (b.version === 1 && b.cluster === cluster && Array.isArray(b.entries)) return b;
  } catch {
    // none yet (first run) or unreadable: start again from the state now
  }
  return { version: 1, cluster, entries: [] };
}

async function writeBaseline(file: string, b: Baseline): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeJsonAtomic(file, b);
}

function describePlan(p: RestorePlan): string {
  const parts = [
    p.remove.length ? `deleted ${p.remove.map(refText).join(', ')}` : '',
    p.recreate.length ? `created again ${p.recreate.map((o) => refText(refOf(o))).join(', ')}` : '',
    p.patch.length ? `put back ${p.patch.map((x) => `${refText(x.ref)} (${x.fields.join(', ')})`).join('; ')}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

async function execute(kubectl: Kubectl, log: EvidenceLog, p: RestorePlan): Promise<void> {
  const failures: string[] = [];
  const attempt = async (args: string[], input: string) => {
    try {
      await run(kubectl, log, args, input);
    } catch (e) {
      if (!(e instanceof Step)) throw e;
      failures.push(e.message);
    }
  };
  // delete first (and wait until gone), so that the stages' apply lines create them afresh
  if (p.remove.length) await attempt(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=60s'], list(p.remove.map(stubOf)));
  if (p.recreate.length) await attempt(['create', '-f', '-'], list(p.recreate));
  for (const x of p.patch) await attempt(['patch', '-f', '-', '--type', 'merge', '-p', JSON.stringify(x.patch)], JSON.stringify(stubOf(x.ref)));
  if (failures.length) throw new Step(failures.join('; '));
}

export interface ResetOptions {
  kubectl: Kubectl;
  /** The lab directory, where the baseline is kept. */
  labDir: string;
  /** The topology file's directory: kubectl lines' relative -f paths. */
  baseDir: string;
}

/**
 * Records the baseline (first run) or puts the cluster back to it (later runs). Undefined when
 * the stages change no cluster object (only checks, or kubectl exec lines).
 */
export async function resetStages(stages: readonly Stage[], opts: ResetOptions): Promise<CheckResult | undefined> {
  const targets = stageTargets(stages, opts.baseDir, (f) => readFileSync(f, 'utf8'));
  if (targets.length === 0) return undefined;
  const log = new EvidenceLog();
  const start = Date.now();
  let passed = false;
  let detail: string;
  try {
    const cluster = (await run(opts.kubectl, log, ['get', 'namespace', 'kube-system', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const file = baselineFile(opts.labDir);
    const before = await readBaseline(file, cluster);
    const known: Array<{ ref: ObjectRef; scope: RestoreScope }> = [];
    const queried = new Map<string, KubeObj[]>();
    for (const t of targets) {
      if (t.via === 'ref') {
        known.push({ ref: t.ref, scope: t.scope });
        continue;
      }
      const args = ['get', ...t.args, '-o', 'json', '--ignore-not-found'];
      let found = queried.get(args.join('\0'));
      if (!found) queried.set(args.join('\0'), (found = itemsOf(await run(opts.kubectl, log, args))));
      for (const o of found) known.push({ ref: refOf(o), scope: t.scope });
    }
    // the baseline's objects and any new ones, each once
    const refs = new Map(before.entries.map((e) => [objectKey(e.ref), e.ref]));
    for (const k of known) if (!refs.has(objectKey(k.ref))) refs.set(objectKey(k.ref), k.ref);
    const current = await fetchAll(opts.kubectl, log, [...refs.values()]);
    const baseline = extendBaseline(before, known, current);
    await writeBaseline(file, baseline);
    const plan = planRestore(baseline, current);
    const changes = describePlan(plan);
    await execute(opts.kubectl, log, plan);
    passed = true;
    const absent = baseline.entries.filter((e) => !e.object).length;
    detail = changes || `${baseline.entries.length} objects as before the first stage${before.entries.length === 0 ? ` (recorded now; ${absent} made by the stages)` : ''}`;
  } catch (e) {
    detail = e instanceof Step ? e.message : `could not put the stages' objects back: ${errorMessage(e).split('\n')[0]}`;
  }
  return { kind: 'reset', name: RESET_NAME, passed, detail, evidence: log.evidence(true), durationMs: Date.now() - start, attempts: 1 };
}
