/**
 * A budget for repeated log lines: at most `burst` lines per `windowMs`; the lines dropped are
 * counted and reported with the next line allowed, so a flood of malformed UPDATEs from one peer
 * logs a handful of lines and a count, not one line per message.
 */
export class LogBudget {
  private windowStart = -Infinity;
  private used = 0;
  private dropped = 0;

  constructor(private readonly burst = 5, private readonly windowMs = 10_000) {}

  /** Whether to log now; `suppressed` is how many lines were dropped since the last one logged. */
  take(now: number): { log: boolean; suppressed: number } {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= this.burst) {
      this.dropped++;
      return { log: false, suppressed: 0 };
    }
    this.used++;
    const suppressed = this.dropped;
    this.dropped = 0;
    return { log: true, suppressed };
  }
}
