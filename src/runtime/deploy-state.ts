/**
 * `deploy-state.json` in the lab directory: which deploy steps started and finished. Written
 * before anything is created and marked complete only after the last step, so a deploy killed
 * midway (kill -9, power loss) is recognised by the next `lab deploy`, which redoes the lab.
 */
import { mkdir } from 'node:fs/promises';
import { readJsonFile, writeJsonAtomic } from '../lib/index.js';
import { join } from 'node:path';

export type DeployStatus = 'running' | 'complete' | 'interrupted' | 'failed';

export interface DeployState {
  lab: string;
  file: string;
  pid: number;
  status: DeployStatus;
  startedAt: string;
  finishedAt?: string;
  steps: Array<{ title: string; startedAt: string; finishedAt?: string; /** Wall time of the step (finished steps). */ ms?: number }>;
}

/** A finished step's wall time, for `lab deploy --timings`. */
export interface StepTiming {
  step: string;
  ms: number;
}

export const DEPLOY_STATE_FILE = 'deploy-state.json';

export function readDeployState(labDir: string): Promise<DeployState | undefined> {
  return readJsonFile<DeployState>(join(labDir, DEPLOY_STATE_FILE));
}

/** The step a deploy stopped in (the last one started and not finished), for messages. */
export function stoppedIn(s: DeployState): string | undefined {
  return [...s.steps].reverse().find((x) => !x.finishedAt)?.title;
}

/** Records a deploy's progress; every change is written at once (atomically, by rename). */
export class DeployProgress {
  private readonly state: DeployState;
  constructor(private readonly labDir: string, lab: string, file: string) {
    this.state = { lab, file, pid: process.pid, status: 'running', startedAt: new Date().toISOString(), steps: [] };
  }

  private async save(): Promise<void> {
    await mkdir(this.labDir, { recursive: true });
    await writeJsonAtomic(join(this.labDir, DEPLOY_STATE_FILE), this.state);
  }

  start(): Promise<void> {
    return this.save();
  }

  private readonly began = new Map<string, number>();

  stepStarted(title: string): Promise<void> {
    this.began.set(title, performance.now());
    this.state.steps.push({ title, startedAt: new Date().toISOString() });
    return this.save();
  }

  stepFinished(title: string): Promise<void> {
    const s = [...this.state.steps].reverse().find((x) => x.title === title);
    if (s) {
      s.finishedAt = new Date().toISOString();
      s.ms = Math.round((performance.now() - (this.began.get(title) ?? performance.now())) * 10) / 10;
    }
    return this.save();
  }

  /** Each finished step's wall time, in order. */
  timings(): StepTiming[] {
    return this.state.steps.filter((s) => s.ms !== undefined).map((s) => ({ step: s.title, ms: s.ms! }));
  }

  finish(status: DeployStatus): Promise<void> {
    this.state.status = status;
    this.state.finishedAt = new Date().toISOString();
    return this.save();
  }
}
