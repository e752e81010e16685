import { CEASE, FSM_ERR, HEADER, MSG, NOTIF, OPEN_ERR, ROUTE_REFRESH_ERR, UPDATE_ERR } from './constants.js';
import { wireError, type NotificationData } from './errors.js';
import { encodeMessage } from './framer.js';

export function encodeNotification(n: { code: number; subcode: number; data?: Buffer }): Buffer {
  const data = n.data ?? Buffer.alloc(0);
  const body = Buffer.alloc(2 + data.length);
  body[0] = n.code;
  body[1] = n.subcode;
  data.copy(body, 2);
  return encodeMessage(MSG.NOTIFICATION, body);
}

export function decodeNotification(body: Buffer): NotificationData {
  if (body.length < 2) {
    throw wireError('NOTIFICATION too short', NOTIF.MESSAGE_HEADER_ERROR, HEADER.BAD_MESSAGE_LENGTH);
  }
  return { code: body[0]!, subcode: body[1]!, data: Buffer.from(body.subarray(2)) };
}

const invert = (o: Record<string, number>): Map<number, string> =>
  new Map(Object.entries(o).map(([k, v]) => [v, k.toLowerCase().replaceAll('_', ' ')]));

const CODE_NAMES = invert(NOTIF);
const SUBCODE_NAMES = new Map<number, Map<number, string>>([
  [NOTIF.MESSAGE_HEADER_ERROR, invert(HEADER)],
  [NOTIF.OPEN_MESSAGE_ERROR, invert(OPEN_ERR)],
  [NOTIF.UPDATE_MESSAGE_ERROR, invert(UPDATE_ERR)],
  [NOTIF.FSM_ERROR, invert(FSM_ERR)],
  [NOTIF.CEASE, invert(CEASE)],
  [NOTIF.ROUTE_REFRESH_MESSAGE_ERROR, invert(ROUTE_REFRESH_ERR)],
]);

/** "update message error / malformed as path (3/11)". */
export function describeNotification(code: number, subcode: number): string {
  const c = CODE_NAMES.get(code) ?? `unknown code`;
  const s = SUBCODE_NAMES.get(code)?.get(subcode) ?? (subcode === 0 ? 'unspecific' : 'unknown subcode');
  return `${c} / ${s} (${code}/${subcode})`;
}

/** RFC 8203 shutdown communication carried in a Cease administrative shutdown/reset. */
export function shutdownMessage(n: NotificationData): string | undefined {
  if (n.code !== NOTIF.CEASE || (n.subcode !== CEASE.ADMINISTRATIVE_SHUTDOWN && n.subcode !== CEASE.ADMINISTRATIVE_RESET)) return undefined;
  if (n.data.length < 1 || n.data[0]! + 1 > n.data.length) return undefined;
  return n.data.subarray(1, 1 + n.data[0]!).toString('utf8');
}
