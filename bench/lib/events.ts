/** Waits for the JSON-line events (see peer-main.ts) a benchmark child prints. */
import type { ChildProcess } from 'node:child_process';
import { collectLines } from './topology.js';

export interface PeerEvent {
  event: string;
  t: number;
  count?: number;
  updates?: number;
  bytes?: number;
  reason?: string;
}

export class EventStream {
  readonly seen = new Map<string, PeerEvent>();
  last: PeerEvent | undefined;
  private readonly waiters: Array<() => void> = [];
  readonly tail: string[];
  private exited = false;

  constructor(readonly name: string, proc: ChildProcess) {
    this.tail = collectLines(proc, (line) => {
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line) as PeerEvent;
      this.last = e;
      if (!this.seen.has(e.event)) this.seen.set(e.event, e);
      this.waiters.splice(0).forEach((w) => w());
    });
    proc.once('exit', () => {
      this.exited = true;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** The first `event`, or undefined once `deadline` (Date.now() ms) passes. Throws if the child fails or exits. */
  async wait(event: string, deadline: number): Promise<PeerEvent | undefined> {
    for (;;) {
      const e = this.seen.get(event);
      if (e) return e;
      const err = this.seen.get('error') ?? this.seen.get('down');
      if (err) throw new Error(`${this.name}: ${err.event} ${err.reason ?? ''}`);
      if (this.exited) throw new Error(`${this.name} exited: ${this.tail.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }
}
