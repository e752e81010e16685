import { MSG } from '../wire/constants.js';
import type { FsmState } from './fsm.js';

const NAMES: Record<number, string> = { [MSG.OPEN]: 'open', [MSG.UPDATE]: 'update', [MSG.NOTIFICATION]: 'notification', [MSG.KEEPALIVE]: 'keepalive', [MSG.ROUTE_REFRESH]: 'routeRefresh' };
const zero = () => ({ open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 } as Record<string, number>);

/** Counters and history shown by `lab-agent neighbor` and /metrics. */
export class SessionStats {
  flaps = 0;
  establishedAt: number | undefined;
  lastStateChange = 0;
  lastReason = 'configured';
  lastError: string | undefined;
  readonly received = zero();
  readonly sent = zero();

  in(type: number): void {
    const n = NAMES[type];
    if (n) this.received[n]!++;
  }
  out(type: number): void {
    const n = NAMES[type];
    if (n) this.sent[n]!++;
  }
  stateChanged(state: FsmState, reason: string, now: number): void {
    this.lastStateChange = now;
    this.lastReason = reason;
    if (state !== 'Established') this.establishedAt = undefined;
  }
}
