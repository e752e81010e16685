import { LogWriter, rotateLog } from './container-log.js';
import type { Duplex } from 'node:stream';
import type { ContainerRunState, RestartPolicy } from './container-process.js';
import type { Engine } from './engine.js';
import type { ContainerCreate } from './real-pod-plan.js';
import type { Logger } from './sys.js';
import { errorMessage } from '../../errors.js';

export interface RealContainerOptions {
  engine: Engine;
  name: string;
  create: ContainerCreate;
  logFile: string;
  restartPolicy: RestartPolicy;
  onChange: () => void;
  log: Logger;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const MAX_BACKOFF_MS = 30_000;

/**
 * One pod container as a Docker container: created once, started again after an exit per
 * restartPolicy with the same doubling back-off as the stand-ins (container-process.ts). Its
 * output is attached before each start and appended to the same log file the stand-ins write,
 * so the node's log endpoint serves both alike.
 */
export class RealContainer {
  id: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private backoffMs = 1000;
  private attached: Duplex | undefined;
  st: ContainerRunState = { state: 'waiting', reason: 'ContainerCreating', restartCount: 0 };

  constructor(private readonly o: RealContainerOptions) {}

  /** Removes a container left under its name and creates it; false (and a waiting state) when creation fails. */
  async prepare(): Promise<boolean> {
    const { engine, create } = this.o;
    try {
      await engine.remove(create.name);
      this.id = await engine.create(create.name, create.body);
      return true;
    } catch (e) {
      this.st = { state: 'waiting', reason: 'CreateContainerError', message: errorMessage(e), restartCount: 0 };
      this.o.log({ level: 'warn', msg: 'container not created', container: this.o.name, error: errorMessage(e) });
      this.o.onChange();
      return false;
    }
  }

  /** Runs the created container (and again after exits, per restartPolicy). */
  begin(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.stopping || !this.id) return;
    const id = this.id;
    const startedAt = now();
    try {
      rotateLog(this.o.logFile);
      const out = new LogWriter(this.o.logFile);
      this.attached = await this.o.engine.attachOutput(id, this.o.create.body.Tty, (d, stream) => out.write(stream, d));
      this.attached.once('close', () => out.close());
      await this.o.engine.start(id);
    } catch (e) {
      this.attached?.destroy();
      if (this.stopping) return;
      this.o.log({ level: 'warn', msg: 'container start failed', container: this.o.name, error: errorMessage(e) });
      this.st = { state: 'waiting', reason: 'RunContainerError', message: errorMessage(e), restartCount: this.st.restartCount, ...(this.st.last ? { last: this.st.last } : {}) };
      this.o.onChange();
      return this.backOff(1, startedAt, false);
    }
    this.st = { state: 'running', startedAt, restartCount: this.st.restartCount, ...(this.st.last ? { last: this.st.last } : {}) };
    this.o.log({ msg: 'container started', container: this.o.name, docker: this.o.create.name });
    this.o.onChange();
    const code = await this.o.engine.wait(id).catch(() => 137);
    this.attached?.destroy();
    if (this.stopping) return;
    this.backOff(code, startedAt, true);
  }

  private backOff(exitCode: number, startedAt: string, ran: boolean): void {
    const finishedAt = now();
    const reason = exitCode === 0 ? 'Completed' : 'Error';
    this.o.log({ level: 'warn', msg: 'container exited', container: this.o.name, exitCode });
    const restart = this.o.restartPolicy === 'Always' || (this.o.restartPolicy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      this.st = { state: 'terminated', exitCode, reason, startedAt, finishedAt, restartCount: this.st.restartCount, ...(this.st.last ? { last: this.st.last } : {}) };
      this.o.onChange();
      return;
    }
    if (ran && Date.now() - Date.parse(startedAt) > 60_000) this.backoffMs = 1000;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.st = { state: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.o.name}`, restartCount: this.st.restartCount + 1, last: { exitCode, reason, startedAt, finishedAt } };
    this.timer = setTimeout(() => void this.run(), delay);
    this.o.onChange();
  }

  /** Stops the running container (a failed liveness or startup probe); restartPolicy decides what follows. */
  kill(graceMs: number): void {
    if (this.id && this.st.state === 'running') void this.o.engine.stop(this.id, Math.ceil(graceMs / 1000)).catch((e) => this.o.log({ level: 'warn', msg: 'container stop failed', container: this.o.name, error: errorMessage(e) }));
  }

  /** Stops (SIGTERM, SIGKILL after the grace period) and removes the container. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const id = this.id;
    if (!id) return;
    await this.o.engine.stop(id, Math.ceil(graceMs / 1000)).catch((e) => this.o.log({ level: 'warn', msg: 'container stop failed', container: this.o.name, error: errorMessage(e) }));
    await this.o.engine.remove(id).catch((e) => this.o.log({ level: 'warn', msg: 'container not removed', container: this.o.name, error: errorMessage(e) }));
    this.attached?.destroy();
  }
}
