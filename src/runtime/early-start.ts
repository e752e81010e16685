/**
 * Cluster steps that need no BGP (the API server, the node daemons, nodes Ready) start during the Nodes step, once
 * every cluster node has run its exec lines and every router's start-up is done, and run beside the rest of it: a
 * router's long exec line (kube-router-bgp's router2 sleeps 5 s before it raises its VRRP address) no longer holds
 * them back. They run one after another, as in the step list; each still appears as its own deploy step, which
 * then waits for its early run and shows what it said. The agents and manifests stay after the Nodes step: an
 * agent that connects before a router's exec lines made its address waits out the dialect's connect retry.
 */
import type { Action, DeployContext } from './deploy-steps.js';

interface EarlyRun {
  done: Promise<void>;
  messages: string[];
}

export class EarlyStart {
  private readonly runs = new Map<Action, EarlyRun>();
  private readonly abort = new AbortController();

  constructor(private readonly actions: readonly Action[]) {}

  /** Starts the actions in the background, in order (once; later calls do nothing). Their ctx.signal is stop()'s. */
  start(ctx: DeployContext): void {
    if (this.runs.size > 0 || this.abort.signal.aborted) return;
    ctx.signal = this.abort.signal;
    let prev: Promise<void> = Promise.resolve();
    for (const a of this.actions) {
      const messages: string[] = [];
      const done = prev.then(() => {
        this.abort.signal.throwIfAborted();
        return a.run(ctx, (m) => messages.push(m));
      });
      // its error is thrown by its step (step()); until then it is held, not unhandled
      done.catch(() => undefined);
      this.runs.set(a, { done, messages });
      prev = done;
    }
  }

  /** Whether `start` ran. */
  get started(): boolean {
    return this.runs.size > 0;
  }

  /** The action as a deploy step: it waits for the early run (and tells what it said), or runs now if none began. */
  step(a: Action): Action {
    return {
      ...a,
      run: async (ctx, progress) => {
        const r = this.runs.get(a);
        if (!r) return a.run(ctx, progress);
        try {
          await r.done;
        } finally {
          for (const m of r.messages) progress(m);
        }
        progress('(ran beside the Nodes step)');
      },
    };
  }

  /** The deploy failed: the runs stop at their next wait, and none starts any more. */
  stop(): void {
    this.abort.abort(new Error('the deploy failed'));
  }

  /** Every early run settled: a failed deploy stops them and waits for them before it removes the lab. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }
}
