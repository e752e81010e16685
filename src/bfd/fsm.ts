/**
 * The BFD session state machine (RFC 5880 §6.2, with the state rules of §6.8.6) as a pure table:
 * (state, event) → { next, diag, cause }. No timers, no packets: session.ts owns those.
 */
import { DIAG, type BfdState } from './packet.js';

export type BfdEvent =
  /** A valid Control packet for this session arrived; `remote` is its State field. */
  | { type: 'Recv'; remote: BfdState }
  /** The Detection Time passed without a valid packet (§6.8.4). */
  | { type: 'DetectTimeout' }
  | { type: 'AdminDown' }
  | { type: 'AdminUp' };

/**
 * Why the session is where it is. A client must not treat `neighbor-admin-down` as a failure of the path
 * (RFC 5882 §3.2): the remote only stopped BFD.
 */
export type BfdCause = 'handshake' | 'detect-timeout' | 'neighbor-down' | 'neighbor-admin-down' | 'admin-down' | 'admin-up' | 'none';

export interface BfdTransition {
  next: BfdState;
  /** New bfd.LocalDiag; undefined = unchanged. */
  diag?: number;
  cause: BfdCause;
}

const stay = (s: BfdState): BfdTransition => ({ next: s, cause: 'none' });

export function bfdTransition(state: BfdState, e: BfdEvent): BfdTransition {
  if (e.type === 'AdminDown') return state === 'AdminDown' ? stay(state) : { next: 'AdminDown', diag: DIAG.ADMINISTRATIVELY_DOWN, cause: 'admin-down' };
  if (e.type === 'AdminUp') return state === 'AdminDown' ? { next: 'Down', diag: DIAG.NONE, cause: 'admin-up' } : stay(state);
  if (state === 'AdminDown') return stay(state); // §6.8.6: packets are discarded while AdminDown
  if (e.type === 'DetectTimeout') {
    return state === 'Init' || state === 'Up' ? { next: 'Down', diag: DIAG.CONTROL_DETECTION_TIME_EXPIRED, cause: 'detect-timeout' } : stay(state);
  }
  const r = e.remote;
  if (r === 'AdminDown') {
    return state === 'Down' ? stay(state) : { next: 'Down', diag: DIAG.NEIGHBOR_SIGNALED_SESSION_DOWN, cause: 'neighbor-admin-down' };
  }
  switch (state) {
    case 'Down':
      if (r === 'Down') return { next: 'Init', diag: DIAG.NONE, cause: 'handshake' };
      if (r === 'Init') return { next: 'Up', diag: DIAG.NONE, cause: 'handshake' };
      return stay(state); // Up while we are Down: the remote must first see us Down
    case 'Init':
      if (r === 'Init' || r === 'Up') return { next: 'Up', diag: DIAG.NONE, cause: 'handshake' };
      return stay(state);
    case 'Up':
      if (r === 'Down') return { next: 'Down', diag: DIAG.NEIGHBOR_SIGNALED_SESSION_DOWN, cause: 'neighbor-down' };
      return stay(state);
  }
}
