/**
 * The node's BGP agent (`lab-agent k8s`, cluster.bgp) run inside the node daemon's process: one Node.js process
 * per Kubernetes node instead of two (the second carried ~43 MB of its own program pages). The host does what
 * agent.sh and signals did for a separate process:
 * - supervision: the agent runs while the agent.enabled marker exists, and starts again 1 s after it ended
 *   (killed or restarted); none starts while an agent process of the topology's own exec lines runs;
 * - control, over a unix socket (curl --unix-socket, the lab's fault and leave scripts):
 *     GET  /status               {"running":bool,"run":N,...}: N counts the agent's starts in this daemon
 *     POST /sync                 start or stop it as the marker says
 *     POST /kill?wait=S          as SIGKILL: sessions dropped without NOTIFICATION; waits ≤ S s for the next run
 *     POST /restart?wait=S       as SIGTERM: planned (graceful) restart; waits ≤ S s for the next run
 *     POST /stop[?graceful=false] as SIGTERM (graceful=false: as SIGINT, Cease to the peers, FIB routes removed);
 *                                not started again until a sync (remove the marker first to keep it stopped)
 *   kill/restart answer `agent run OLD -> NEW in MS ms` (what `lab fault` records).
 * - its log lines go to logs/agent.log, as the separate process's did.
 * The agent's code is loaded on the first start only: a node without an agent does not carry it.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { errorMessage } from '../../errors.js';
import type { HostedAgent } from '../../agent/index.js';
import { SUPERVISED_AGENT_MARKER, SUPERVISED_AGENT_ARGS } from './project-agent.js';
import { agentProcessPids } from './agent-takeover.js';
import type { Logger } from './sys.js';

export interface AgentHostOptions {
  /** Holds agent.enabled and agent.args (a JSON array of the agent's `k8s` flags). */
  stateDir: string;
  /** Where the agent's log lines go. */
  logFile: string;
  /** The control socket. */
  socket: string;
  log: Logger;
  /** How long after the agent ended it starts again while the marker exists (1 s, as agent.sh). */
  restartDelayMs?: number;
}

export interface AgentHostStatus {
  running: boolean;
  /** How many times this daemon started the agent (a new run after a kill or restart has a higher number). */
  run: number;
  /** ms since the epoch of the current run's start. */
  since?: number;
  pid: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AgentHost {
  private agent: HostedAgent | undefined;
  private run = 0;
  private since: number | undefined;
  /** One start/stop at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private server: http.Server | undefined;
  private closed = false;
  private logStream: fs.WriteStream | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** The topology's own agent process noted (once) as the reason none starts. */
  private externalNoted = false;

  constructor(private readonly o: AgentHostOptions) {}

  status(): AgentHostStatus {
    return { running: !!this.agent, run: this.run, ...(this.since !== undefined ? { since: this.since } : {}), pid: process.pid };
  }

  private enabled(): boolean {
    return fs.existsSync(path.join(this.o.stateDir, SUPERVISED_AGENT_MARKER));
  }

  private write = (line: string): void => {
    this.logStream ??= (fs.mkdirSync(path.dirname(this.o.logFile), { recursive: true }), fs.createWriteStream(this.o.logFile, { flags: 'a' }));
    this.logStream.write(`${line}\n`);
  };

  /** A note of the host's own in the agent's log (what agent.sh wrote there). */
  private note(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
    this.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.chain.then(f, f);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Start or stop the agent as the marker says. */
  sync(): Promise<AgentHostStatus> {
    return this.serial(async () => {
      if (this.closed) return this.status();
      const want = this.enabled();
      if (want && !this.agent) await this.startNow();
      else if (!want && this.agent) await this.stopNow('graceful');
      return this.status();
    });
  }

  private async startNow(): Promise<void> {
    const external = agentProcessPids();
    if (external.length) {
      if (!this.externalNoted) this.note('warn', 'an agent started by the topology runs already; kindlab starts none', { pids: external });
      this.externalNoted = true;
      return;
    }
    this.externalNoted = false;
    let argv: string[];
    try {
      argv = JSON.parse(fs.readFileSync(path.join(this.o.stateDir, SUPERVISED_AGENT_ARGS), 'utf8')) as string[];
    } catch (e) {
      this.note('warn', `agent not started: ${SUPERVISED_AGENT_ARGS} unreadable`, { error: errorMessage(e) });
      return;
    }
    this.run++;
    try {
      const { startHostedK8sAgent } = await import('../../agent/index.js');
      this.agent = await startHostedK8sAgent(argv, this.write);
      this.since = Date.now();
      this.o.log({ msg: 'BGP agent started in the node daemon', run: this.run });
    } catch (e) {
      this.note('warn', 'agent exited (restarted in 1 s while agent.enabled exists)', { error: errorMessage(e) });
      this.scheduleRestart();
    }
  }

  private async stopNow(how: 'graceful' | 'cease' | 'kill'): Promise<void> {
    const a = this.agent;
    this.agent = undefined;
    this.since = undefined;
    if (!a) return;
    try {
      await (how === 'kill' ? a.kill() : a.stop(how === 'graceful'));
    } catch (e) {
      this.note('warn', 'agent stop failed', { error: errorMessage(e) });
    }
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.sync();
    }, this.o.restartDelayMs ?? 1000);
  }

  /**
   * Ends the running agent as the signal would end a process (`kill` SIGKILL, `restart` SIGTERM) and, since the
   * marker stays, waits up to `waitS` for the next run. Throws when none runs (`none`) or none came (`timeout`).
   */
  async bounce(how: 'kill' | 'restart', waitS: number): Promise<{ oldRun: number; newRun: number; ms: number }> {
    const old = await this.serial(async () => {
      if (!this.agent) return undefined;
      const run = this.run;
      await this.stopNow(how === 'kill' ? 'kill' : 'graceful');
      this.note('warn', 'agent exited (restarted in 1 s while agent.enabled exists)', { how, run });
      this.scheduleRestart();
      return run;
    });
    if (old === undefined) throw new Error('none');
    const t0 = Date.now();
    while (Date.now() - t0 < waitS * 1000) {
      if (this.agent && this.run > old) return { oldRun: old, newRun: this.run, ms: Date.now() - t0 };
      await sleep(50);
    }
    throw new Error('timeout');
  }

  /**
   * An uncaught error thrown by the agent's code (its stack is in dist/agent, bgp or bfd): as the crash of a separate
   * agent process would, the agent goes (as killed) and starts again 1 s later, and the node daemon keeps running.
   * Returns false for an error that is not the agent's (the daemon then exits as before).
   */
  crashed(e: unknown): boolean {
    const stack = e instanceof Error ? (e.stack ?? '') : '';
    if (!this.agent || !/[/\\](agent|bgp|bfd)[/\\][^\n]*\.js/.test(stack.split('\n').slice(1).join('\n'))) return false;
    this.note('error', 'agent crashed: uncaught error', { error: errorMessage(e), stack });
    void this.bounce('kill', 0).catch(() => undefined);
    return true;
  }

  /** Stops the agent (graceful: a planned restart; else Cease) without removing the marker; returns whether one ran. */
  stop(graceful = true): Promise<boolean> {
    return this.serial(async () => {
      const ran = !!this.agent;
      if (this.restartTimer) clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      await this.stopNow(graceful ? 'graceful' : 'cease');
      return ran;
    });
  }

  /** Listens on the control socket (replacing a stale one of an earlier run). */
  async listen(): Promise<void> {
    fs.mkdirSync(path.dirname(this.o.socket), { recursive: true });
    fs.rmSync(this.o.socket, { force: true });
    const server = http.createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.socket, () => resolve());
    });
    // as agent.sh's loop did: the marker is looked at every 2 s (a deploy that could not reach the socket still starts it)
    this.poll = setInterval(() => {
      if (!this.restartTimer && this.enabled() !== !!this.agent) void this.sync();
    }, 2000);
    this.poll.unref();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    const send = (code: number, body: string): void => void res.writeHead(code, { 'content-type': 'text/plain' }).end(`${body}\n`);
    const wait = Number(url.searchParams.get('wait') ?? 15);
    if (!Number.isFinite(wait) || wait < 0) return send(400, `wait=${url.searchParams.get('wait')}: seconds, a number ≥ 0`);
    try {
      if (req.method === 'GET' && url.pathname === '/status') return send(200, JSON.stringify(this.status()));
      if (req.method !== 'POST') return send(405, 'GET /status, POST /sync|/kill|/restart|/stop');
      switch (url.pathname) {
        case '/sync':
          return send(200, JSON.stringify(await this.sync()));
        case '/stop':
          await this.stop(url.searchParams.get('graceful') !== 'false');
          return send(200, 'stopped');
        case '/kill':
        case '/restart': {
          try {
            const r = await this.bounce(url.pathname === '/kill' ? 'kill' : 'restart', wait);
            return send(200, `agent run ${r.oldRun} -> ${r.newRun} in ${r.ms} ms`);
          } catch (e) {
            if (errorMessage(e) === 'none') return send(409, 'no BGP agent runs on this node');
            return send(504, `no new agent within ${wait} s: is agent.enabled there? ${this.o.logFile} says why`);
          }
        }
        default:
          return send(404, `no ${url.pathname}`);
      }
    } catch (e) {
      send(500, errorMessage(e));
    }
  }

  /** The daemon is ending: the agent stops as SIGTERM stopped it (a planned restart). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.poll) clearInterval(this.poll);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await this.serial(() => this.stopNow('graceful'));
    await new Promise<void>((r) => (this.logStream ? this.logStream.end(() => r()) : r()));
  }
}
