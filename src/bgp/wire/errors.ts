import { KindlabError } from '../../errors.js';

/** What RFC 7606 says to do with a malformed message or attribute. */
export type WireErrorAction = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard' | 'afisafi-disable';

export interface NotificationData {
  code: number;
  subcode: number;
  data: Buffer;
}

/**
 * A malformed BGP message. `notification` is what to send (for session-reset) or what would have been
 * sent under RFC 4271 (for the RFC 7606 recoverable actions); `action` is what to do.
 */
export class BgpWireError extends KindlabError {
  readonly notification: NotificationData;
  readonly action: WireErrorAction;
  constructor(message: string, notification: { code: number; subcode: number; data?: Buffer }, action: WireErrorAction = 'session-reset') {
    super('BGP_WIRE', message);
    this.notification = { code: notification.code, subcode: notification.subcode, data: notification.data ?? Buffer.alloc(0) };
    this.action = action;
  }
}

export function wireError(
  message: string,
  code: number,
  subcode: number,
  data?: Buffer,
  action: WireErrorAction = 'session-reset',
): BgpWireError {
  return new BgpWireError(message, { code, subcode, data }, action);
}
