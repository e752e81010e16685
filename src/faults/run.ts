/**
 * Runs fault plans against a deployed lab and keeps `<labDir>/faults.json` (updated under the lab's
 * lock, so `lab fault list|clear` in another process sees every fault). Host binaries (ip, iptables,
 * tcpdump) run inside a node's network namespace with nsenter, so node images need none of them.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../lib/index.js';
import { join } from 'node:path';
import { ExecError, KindlabError } from '../errors.js';
import { DockerRuntime, netnsRunner, readLabState, withLabLock, type ExecResult, type NetnsRunner, type Runtime } from '../runtime/index.js';
import { FAULTS_FILE, parseAgentRestart, applyToFile, clearPlan, emptyFaultFile, labViewOf, linkSteps, planFault, tcpdumpArgv, tcpdumpCmd, undoSteps } from './plan.js';
import type { CaptureRequest } from './parse.js';
import type { Endpoint, Fault, FaultEntry, FaultFile, FaultRequest, LabView, NodeAction, Step } from './types.js';

export async function loadLabView(labDir: string): Promise<LabView> {
  const state = await readLabState(labDir);
  if (!state) throw new KindlabError('LAB_NOT_FOUND', `no deployed lab in ${labDir} (state.json is missing)`, { hint: 'deploy it first: lab deploy -t FILE' });
  const data: unknown = await readFile(join(labDir, 'topology-data.json'), 'utf8').then((t) => JSON.parse(t) as unknown, () => undefined);
  return labViewOf(labDir, state, data);
}

export async function readFaultFile(view: Pick<LabView, 'lab' | 'labDir'>): Promise<FaultFile> {
  let text: string;
  try {
    text = await readFile(join(view.labDir, FAULTS_FILE), 'utf8');
  } catch {
    return emptyFaultFile(view.lab);
  }
  const f = JSON.parse(text) as FaultFile;
  if (f.version !== 1 || !Array.isArray(f.faults)) throw new KindlabError('FAULT', `${join(view.labDir, FAULTS_FILE)} is not a kindlab fault record`);
  return f;
}

async function writeFaultFile(view: LabView, file: FaultFile): Promise<void> {
  await writeJsonAtomic(join(view.labDir, FAULTS_FILE), file);
}

function containerOf(view: LabView, node: string): string {
  const n = view.nodes.find((x) => x.name === node);
  if (!n) throw new KindlabError('NODE_NOT_FOUND', `lab ${view.lab} has no node "${node}"`, { hint: `nodes: ${view.nodes.map((x) => x.name).join(', ') || '(none)'}` });
  return n.container;
}

export class FaultRunner {
  private readonly netns: NetnsRunner;
  /**
   * @param runtime the lab's runtime: over several engines (hosts:), the netns steps run on each
   *   node's engine through its helper container and the docker steps go to that engine; call `close()`.
   */
  constructor(
    readonly view: LabView,
    private readonly onWait?: (message: string) => void,
    private readonly runtime: Runtime = new DockerRuntime(),
  ) {
    this.netns = netnsRunner(runtime, view.lab, { labDir: view.labDir, topo: '' });
  }

  /** Removes the helper containers started on other engines (none for a local lab). */
  async close(): Promise<void> {
    await this.netns.close();
  }

  /** Runs one step; a container step's output is returned (an agent fault reads the new agent's pid from it). */
  async run(step: Step): Promise<string | void> {
    const container = containerOf(this.view, step.node);
    if (step.in === 'docker') return this.lifecycle(container, step.node, step.action);
    if (step.in === 'container') {
      const r = await this.runtime.exec(container, step.argv, { check: false, target: step.node });
      if (r.exitCode !== 0) {
        const missing = /executable file not found|no such file/i.test(r.stderr + r.stdout);
        const shown = step.argv[0] === 'sh' && step.argv[1] === '-c' ? step.argv[0] : step.argv.join(' ');
        throw new KindlabError('FAULT', `${step.node}: ${step.hint && shown === 'sh' ? r.stderr.trim().split('\n')[0] || 'the fault' : shown} failed (exit ${r.exitCode})`, {
          detail: [r.stdout.trim(), r.stderr.trim()].filter(Boolean).join('\n') || undefined,
          ...(missing ? { hint: step.hint ?? `node ${step.node} has no ${step.argv[0]} (BGP reset works on FRR routers)` } : step.hint && r.exitCode === 3 ? { hint: step.hint } : {}),
        });
      }
      return r.stdout;
    }
    const r = await this.netns.run(container, step.argv);
    if (r.exitCode === 0 || (step.tolerate && step.tolerate.test(r.stderr))) return;
    throw new ExecError(step.node, step.argv.join(' '), r.exitCode ?? -1, r.stdout, r.stderr);
  }

  private async lifecycle(container: string, node: string, action: NodeAction): Promise<void> {
    try {
      await this.runtime.containerAction(container, action);
    } catch (e) {
      throw new KindlabError('FAULT', `node ${node}: ${e instanceof KindlabError ? e.shortMessage : String(e)}`, { cause: e });
    }
  }

  /** Read-modify-write of faults.json under the lab's lock. */
  private async update<T>(fn: (file: FaultFile) => Promise<{ file: FaultFile; result: T }>): Promise<T> {
    return withLabLock(this.view.lab, async () => {
      const { file, result } = await fn(await readFaultFile(this.view));
      await writeFaultFile(this.view, file);
      return result;
    }, { onWait: this.onWait });
  }

  /** Applies a (non-flap) request and records it; returns the new entry, if the request adds one. */
  async apply(req: FaultRequest): Promise<FaultEntry | undefined> {
    return this.update(async (file) => {
      const plan = planFault(req, this.view, file);
      if (plan.add?.type === 'link-down') plan.add = { ...plan.add, routes: await this.routesThrough(plan.add.endpoints) };
      try {
        let out = '';
        for (const s of plan.steps) out = (await this.run(s)) ?? out;
        // the supervisor's new agent, as the step saw it
        if (plan.add?.type === 'agent-kill' || plan.add?.type === 'agent-restart') plan.add = { ...plan.add, ...parseAgentRestart(out) };
      } catch (e) {
        // Half a fault is worse than none: undo what ran (the undo steps tolerate what is not there), then fail.
        if (plan.add) for (const s of undoSteps(plan.add)) await this.run(s).catch(() => undefined);
        throw e;
      }
      const r = applyToFile(file, plan, new Date());
      return { file: r.file, result: r.entry };
    });
  }

  /** The routes through each end, as `ip -o route show dev IFACE` prints them, per family. */
  private async routesThrough(endpoints: Endpoint[]): Promise<NonNullable<Extract<Fault, { type: 'link-down' }>['routes']>> {
    const out: NonNullable<Extract<Fault, { type: 'link-down' }>['routes']> = [];
    for (const e of endpoints) {
      const container = containerOf(this.view, e.node);
      for (const family of [4, 6] as const) {
        const r = await this.netns.run(container, ['ip', '-o', ...(family === 6 ? ['-6'] : []), 'route', 'show', 'dev', e.iface]);
        const routes = String(r.stdout).split('\n').filter((l) => l.trim());
        if (r.exitCode === 0 && routes.length) out.push({ node: e.node, iface: e.iface, family, routes });
      }
    }
    return out;
  }

  async list(): Promise<FaultFile> {
    return readFaultFile(this.view);
  }

  /** Undoes every recorded fault (newest first) and empties the record; returns what could not be undone. */
  async clear(): Promise<{ cleared: FaultEntry[]; failed: Array<{ entry: FaultEntry; error: string }> }> {
    return this.update(async (file) => {
      const failed: Array<{ entry: FaultEntry; error: string }> = [];
      for (const { entry, steps } of clearPlan(file)) {
        for (const s of steps) {
          try {
            await this.run(s);
          } catch (e) {
            failed.push({ entry, error: e instanceof KindlabError ? e.message : String(e) });
          }
        }
      }
      // Failed undos are dropped too: they failed because the node or link is gone (a redeploy, a destroy).
      return { file: { ...file, faults: [] }, result: { cleared: file.faults, failed } };
    });
  }

  private async recorded(id: number): Promise<boolean> {
    return (await readFaultFile(this.view)).faults.some((x) => x.id === id);
  }

  /**
   * Flaps a link in the foreground: down for the period, up for the period, `count` times or until
   * `signal` aborts or `lab fault clear`/`link … up` drops the record. The link is left up.
   */
  async flap(req: Extract<FaultRequest, { action: 'flap' }>, signal: AbortSignal, onState?: (state: 'down' | 'up', round: number) => void): Promise<FaultEntry> {
    const entry = await this.update(async (file) => {
      const plan = planFault(req, this.view, file);
      const add = plan.add?.type === 'link-flap' ? { ...plan.add, pid: process.pid } : plan.add;
      const r = applyToFile(file, { ...plan, add }, new Date());
      return { file: r.file, result: r.entry! };
    });
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    try {
      for (let round = 1; !req.count || round <= req.count; round++) {
        if (signal.aborted || !(await this.recorded(entry.id))) break;
        for (const s of linkSteps(req.endpoints, 'down')) await this.run(s);
        onState?.('down', round);
        await sleep(req.periodMs);
        // Re-checked after the down: a clear that ran meanwhile must not be left with the link down.
        if (signal.aborted || !(await this.recorded(entry.id))) break;
        for (const s of linkSteps(req.endpoints, 'up')) await this.run(s);
        onState?.('up', round);
        if (req.count && round === req.count) break;
        await sleep(req.periodMs);
      }
    } finally {
      for (const s of linkSteps(req.endpoints, 'up', true)) await this.run(s).catch(() => undefined);
      await this.update(async (file) => ({ file: { ...file, faults: file.faults.filter((x) => x.id !== entry.id) }, result: undefined }));
    }
    return entry;
  }

  /** The interface names in a node's network namespace. */
  async interfaces(node: string): Promise<string[]> {
    return linkNames(this.netns, containerOf(this.view, node), (r) => new ExecError(node, 'ip -j link show', r.exitCode, r.stdout, r.stderr));
  }

  /**
   * Captures with tcpdump in the node's netns: this machine's for a local node; for a node on another engine
   * (hosts:), the tcpdump of a helper container on that machine (its own, so another lab command does not
   * replace it), the pcap streamed back here. The pcap goes to `outFile`, or to our stdout. tcpdump's messages
   * ("listening on …", the packet count) go to our stderr. Resolves with tcpdump's exit code.
   */
  async capture(req: CaptureRequest, outFile: string | undefined, signal: AbortSignal): Promise<number> {
    const { node, iface } = req.target;
    const container = containerOf(this.view, node);
    const where = await this.netns.where(container);
    if (where !== 'local') return this.captureOn(where, req, outFile, signal);
    requireIface(await this.interfaces(node), iface, `node ${node}`);
    const pid = await this.runtime.pid(container);
    const [file, ...args] = tcpdumpArgv(pid, iface, req.count);
    const out = outFile ? await open(outFile, 'w') : undefined;
    try {
      const child = spawn(file!, args, { stdio: ['ignore', out ? out.fd : 'inherit', 'inherit'] });
      const stop = () => child.kill('SIGINT');
      signal.addEventListener('abort', stop, { once: true });
      const timer = req.timeoutMs ? setTimeout(stop, req.timeoutMs) : undefined;
      try {
        return await new Promise<number>((resolve, reject) => {
          child.on('error', (e) => reject(new KindlabError('FAULT', `cannot run ${file}: ${e.message}`, { hint: 'install tcpdump on the host (scripts/setup.sh does)' })));
          child.on('close', (code, sig) => resolve(code ?? (sig === 'SIGINT' || sig === 'SIGTERM' ? 0 : 1)));
        });
      } finally {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', stop);
      }
    } finally {
      await out?.close();
    }
  }

  /** The capture of a node on another engine (`where`: `host b`), through a helper of its own there. */
  private async captureOn(where: string, req: CaptureRequest, outFile: string | undefined, signal: AbortSignal): Promise<number> {
    const { node, iface } = req.target;
    const container = containerOf(this.view, node);
    const netns = netnsRunner(this.runtime, this.view.lab, { labDir: this.view.labDir, topo: '' }, { role: `capture-${process.pid}` });
    try {
      const ifaces = await linkNames(netns, container, (r) => new KindlabError('FAULT', `node ${node} (${where}): cannot list its interfaces`, { detail: r.stderr.trim() || undefined }));
      requireIface(ifaces, iface, `node ${node} (${where})`);
      const out = outFile ? createWriteStream(outFile) : process.stdout;
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = req.timeoutMs ? setTimeout(onAbort, req.timeoutMs) : undefined;
      try {
        const code = await netns.stream(container, tcpdumpCmd(iface, req.count), { stdout: out, stderr: process.stderr }, stop.signal);
        if (code === 127) throw new KindlabError('FAULT', `node ${node} (${where}): the helper there has no tcpdump`);
        return code;
      } catch (e) {
        if (e instanceof ExecError) throw new KindlabError('FAULT', `capture of ${node}:${iface} (${where}) failed: ${e.stderr.trim() || e.message}`, { cause: e });
        throw e;
      } finally {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (out !== process.stdout) await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
      }
    } finally {
      await netns.close();
    }
  }
}

/** The interface names in a container's netns (`ip -j link show`); `fail` makes the error when it fails. */
async function linkNames(netns: NetnsRunner, container: string, fail: (r: ExecResult) => Error): Promise<string[]> {
  const r = await netns.run(container, ['ip', '-j', 'link', 'show']);
  if (r.exitCode !== 0) throw fail(r);
  return (JSON.parse(r.stdout || '[]') as Array<{ ifname: string }>).map((l) => l.ifname);
}

/** Refuses a capture on an interface the node does not have, listing the ones it has. */
function requireIface(ifaces: string[], iface: string, who: string): void {
  if (!ifaces.includes(iface)) throw new KindlabError('IFACE_NOT_FOUND', `${who} has no interface "${iface}"`, { hint: `its interfaces: ${ifaces.join(', ')}` });
}
