/**
 * `lab fault link|node|bgp|agent|list|clear` and `lab capture NODE:IFACE`: CLI glue over src/faults.
 * The lab directory (where faults.json lives) comes from the topology (-t) or from the lab's
 * container labels (--name), so a fault set from one shell is listed and cleared from another.
 */
import { KindlabError } from '../errors.js';
import {
  CAPTURE_USAGE,
  FAULT_USAGE,
  FaultRunner,
  describeFault,
  isEvent,
  loadLabView,
  parseCaptureRequest,
  parseFaultRequest,
  type Fault,
} from '../faults/index.js';
import { DockerRuntime, LABEL_LAB, LABEL_LABDIR, runtimeForLab, type Runtime } from '../runtime/index.js';
import { formatTable } from '../runtime/index.js';
import { resolveLab, type TargetValues } from './target.js';

/** The lab's directory and runtime (its engines, for a lab over several: hosts.json in the lab directory). */
async function labOf(values: TargetValues, usage: string): Promise<{ labDir: string; runtime: Runtime }> {
  const target = await resolveLab(values, usage);
  const local = new DockerRuntime();
  const labDir = target.plan?.labDir ?? (await labDirFromLabels(local, target.name));
  return { labDir, runtime: await runtimeForLab(target.name, { hosts: target.plan?.hosts, labDir, local }) };
}

async function labDirFromLabels(runtime: Runtime, lab: string): Promise<string> {
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const dir = containers.map((c) => c.labels[LABEL_LABDIR]).find(Boolean);
  if (!dir) throw new KindlabError('LAB_NOT_FOUND', `no running lab named ${lab}`, { hint: 'see the labs: lab inspect --all' });
  return dir;
}

/** Runs `fn` with the lab's fault runner, then removes the helpers it started on other engines. */
async function withRunner<T>(values: TargetValues, usage: string, fn: (run: FaultRunner) => Promise<T>): Promise<T> {
  const { labDir, runtime } = await labOf(values, usage);
  const run = new FaultRunner(await loadLabView(labDir), (m) => process.stderr.write(`${m}\n`), runtime);
  try {
    return await fn(run);
  } finally {
    await run.close();
  }
}

/** Ctrl-C / SIGTERM abort `signal` (the command then restores what it changed) instead of killing us. */
function interruptible(): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const on = () => ac.abort();
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: ac.signal,
    done: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

/** A flap whose process is gone (killed hard) left the link as it was: say so. */
function staleFlap(f: Fault): string {
  if (f.type !== 'link-flap') return '';
  try {
    process.kill(f.pid, 0);
    return '';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? '; its process is gone: lab fault clear brings the link up' : '';
  }
}

export interface FaultValues extends TargetValues {
  period?: string;
  count?: string;
  format?: string;
}

export async function runFault(sub: string | undefined, values: FaultValues, words: string[]): Promise<number> {
  if (!sub) throw new KindlabError('USAGE', 'give a fault: link, node, bgp, agent, list or clear', { detail: FAULT_USAGE });
  if (sub === 'list') {
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new KindlabError('USAGE', `unknown format "${format}" (table or json)`, { detail: FAULT_USAGE });
    const file = await withRunner(values, FAULT_USAGE, (run) => run.list());
    if (format === 'json') process.stdout.write(JSON.stringify(file, null, 2) + '\n');
    else if (file.faults.length === 0) process.stdout.write(`lab ${file.lab}: no faults recorded\n`);
    else process.stdout.write(formatTable([['ID', 'SINCE', 'FAULT'], ...file.faults.map((e) => [String(e.id), e.at, describeFault(e.fault) + staleFlap(e.fault)])]) + '\n');
    return 0;
  }
  if (sub === 'clear') {
    const r = await withRunner(values, FAULT_USAGE, (run) => run.clear());
    for (const e of r.cleared) if (!isEvent(e.fault)) process.stdout.write(`restored: ${describeFault(e.fault)}\n`);
    for (const f of r.failed) process.stderr.write(`warning: could not restore ${describeFault(f.entry.fault)}: ${f.error}\n`);
    process.stdout.write(`cleared ${r.cleared.length} fault${r.cleared.length === 1 ? '' : 's'}\n`);
    return r.failed.length ? 1 : 0;
  }
  const req = parseFaultRequest(sub, words, { period: values.period, count: values.count });
  return withRunner(values, FAULT_USAGE, async (run) => {
    if (req.kind === 'link' && req.action === 'flap') {
      const { signal, done } = interruptible();
      try {
        const entry = await run.flap(req, signal, (state, round) => process.stdout.write(`${state} (${round}${req.count ? `/${req.count}` : ''})\n`));
        process.stdout.write(`flap ${entry.id} ended; the link is up\n`);
      } finally {
        done();
      }
      return 0;
    }
    const entry = await run.apply(req);
    process.stdout.write(entry ? `fault ${entry.id}: ${describeFault(entry.fault)}\n` : `done: ${words.join(' ')}\n`);
    return 0;
  });
}

export interface CaptureValues extends TargetValues {
  write?: string;
  count?: string;
  timeout?: string;
}

export async function runCapture(values: CaptureValues, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new KindlabError('USAGE', `capture takes one NODE:IFACE, not "${positionals.join(' ')}"`, { detail: CAPTURE_USAGE });
  const req = parseCaptureRequest(positionals[0], values);
  if (!values.write && process.stdout.isTTY) {
    throw new KindlabError('USAGE', 'the pcap would go to the terminal', { detail: CAPTURE_USAGE, hint: 'write it with -w FILE.pcap, or pipe it: lab capture … | wireshark -k -i -' });
  }
  return withRunner(values, CAPTURE_USAGE, async (run) => {
    const { signal, done } = interruptible();
    try {
      return await run.capture(req, values.write, signal);
    } finally {
      done();
    }
  });
}
