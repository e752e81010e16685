/**
 * The kubelet's probe workers as a state machine (pure; the clock is passed in): one worker per
 * probe of one run of a container. A worker probes first once initialDelaySeconds have passed
 * since the container started, then every periodSeconds; its result flips to success after
 * successThreshold successes in a row and to failure after failureThreshold failures in a row.
 * Readiness starts failed, liveness starts succeeded, startup starts failed and stops probing once
 * it succeeds. While a container has a startup probe that has not succeeded, its liveness and
 * readiness probes do not run. A liveness or startup worker that reaches failure asks for the
 * container to be killed (and restarted per restartPolicy); the next run gets new workers.
 */
import type { Probe } from '../client/types.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Kubernetes' defaults: period 10 s, timeout 1 s, thresholds 1 and 3 (liveness and startup must succeed once). */
export function probeTiming(p: Probe, kind: ProbeKind): ProbeTiming {
  const pos = (v: number | undefined, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  return {
    initialDelayMs: Math.max(0, p.initialDelaySeconds ?? 0) * 1000,
    periodMs: pos(p.periodSeconds, 10) * 1000,
    timeoutMs: pos(p.timeoutSeconds, 1) * 1000,
    successThreshold: kind === 'readiness' ? pos(p.successThreshold, 1) : 1,
    failureThreshold: pos(p.failureThreshold, 3),
  };
}

export class ProbeWorker {
  /** The probe's current result (what readiness/started/liveness read). */
  result: boolean;
  /** Set once a liveness/startup worker reached failureThreshold: the container is to be killed (once). */
  tripped = false;
  private successes = 0;
  private failures = 0;
  private next: number;
  private busy = false;

  constructor(readonly kind: ProbeKind, readonly timing: ProbeTiming, startedMs: number) {
    this.result = kind === 'liveness';
    this.next = startedMs + timing.initialDelayMs;
  }

  /** Whether a probe is to run now. A startup worker that succeeded, or a tripped one, probes no more. */
  due(nowMs: number): boolean {
    if (this.busy || this.tripped || (this.kind === 'startup' && this.result)) return false;
    return nowMs >= this.next;
  }

  /** A probe started at `nowMs`: the next one is a period later. */
  begin(nowMs: number): void {
    this.busy = true;
    this.next = nowMs + this.timing.periodMs;
  }

  /** The probe's outcome. `changed`: the result flipped; `kill`: the container is to be killed now. */
  record(ok: boolean): { changed: boolean; kill: boolean } {
    this.busy = false;
    const before = this.result;
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= this.timing.successThreshold) this.result = true;
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= this.timing.failureThreshold) this.result = false;
    }
    const kill = this.kind !== 'readiness' && !ok && this.failures >= this.timing.failureThreshold && !this.tripped;
    if (kill) this.tripped = true;
    return { changed: before !== this.result, kill };
  }
}

/** The workers of one run of a container, gated as the kubelet gates them. */
export class ContainerProbes {
  readonly liveness: ProbeWorker | undefined;
  readonly readiness: ProbeWorker | undefined;
  readonly startup: ProbeWorker | undefined;

  constructor(probes: { liveness?: Probe | undefined; readiness?: Probe | undefined; startup?: Probe | undefined }, startedMs: number) {
    this.liveness = probes.liveness ? new ProbeWorker('liveness', probeTiming(probes.liveness, 'liveness'), startedMs) : undefined;
    this.readiness = probes.readiness ? new ProbeWorker('readiness', probeTiming(probes.readiness, 'readiness'), startedMs) : undefined;
    this.startup = probes.startup ? new ProbeWorker('startup', probeTiming(probes.startup, 'startup'), startedMs) : undefined;
  }

  /** The startup probe passed (or there is none): `containerStatuses[].started`. */
  get started(): boolean {
    return !this.startup || this.startup.result;
  }

  /** Ready: started and the readiness probe passes (or there is none). */
  get ready(): boolean {
    return this.started && (!this.readiness || this.readiness.result);
  }

  /** The workers due now: the startup probe alone until it succeeds, then liveness and readiness. */
  due(nowMs: number): ProbeWorker[] {
    if (!this.started) return this.startup!.due(nowMs) ? [this.startup!] : [];
    return [this.liveness, this.readiness].filter((w): w is ProbeWorker => !!w && w.due(nowMs));
  }
}
