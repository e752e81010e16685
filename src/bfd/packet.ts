/**
 * BFD Control packet codec (RFC 5880 §4.1) and the packet checks of §6.8.6 that need no session: a pure function
 * from bytes to a packet or the reason it must be discarded. Intervals are in microseconds, as on the wire.
 */

export type BfdState = 'AdminDown' | 'Down' | 'Init' | 'Up';
export const STATE_CODES: readonly BfdState[] = ['AdminDown', 'Down', 'Init', 'Up'];

/** Diagnostic codes (§4.1). */
export const DIAG = {
  NONE: 0,
  CONTROL_DETECTION_TIME_EXPIRED: 1,
  ECHO_FUNCTION_FAILED: 2,
  NEIGHBOR_SIGNALED_SESSION_DOWN: 3,
  FORWARDING_PLANE_RESET: 4,
  PATH_DOWN: 5,
  CONCATENATED_PATH_DOWN: 6,
  ADMINISTRATIVELY_DOWN: 7,
  REVERSE_CONCATENATED_PATH_DOWN: 8,
} as const;

const DIAG_TEXT = [
  'no diagnostic',
  'control detection time expired',
  'echo function failed',
  'neighbor signaled session down',
  'forwarding plane reset',
  'path down',
  'concatenated path down',
  'administratively down',
  'reverse concatenated path down',
];

export function describeDiag(d: number): string {
  return DIAG_TEXT[d] ?? `diagnostic ${d}`;
}

export const BFD_VERSION = 1;
/** Length of the mandatory section; an authentication section adds at least 2 bytes (§4.1). */
export const MIN_LENGTH = 24;
const MIN_AUTH_LENGTH = MIN_LENGTH + 2;

export interface ControlPacket {
  diag: number;
  state: BfdState;
  poll: boolean;
  final: boolean;
  /** Control Plane Independent. */
  cpi: boolean;
  /** Authentication Present: the bytes after the mandatory section are the authentication section. */
  auth: boolean;
  demand: boolean;
  multipoint: boolean;
  detectMult: number;
  myDiscr: number;
  yourDiscr: number;
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  requiredMinEchoRxUs: number;
}

/** A packet with every flag clear and the given fields; for building what we send. */
export function controlPacket(p: Pick<ControlPacket, 'state' | 'detectMult' | 'myDiscr' | 'yourDiscr' | 'desiredMinTxUs' | 'requiredMinRxUs'> & Partial<ControlPacket>): ControlPacket {
  return { diag: 0, poll: false, final: false, cpi: false, auth: false, demand: false, multipoint: false, requiredMinEchoRxUs: 0, ...p };
}

/** Encodes the mandatory section (we never send an authentication section). */
export function encodeControl(p: ControlPacket): Buffer {
  const b = Buffer.alloc(MIN_LENGTH);
  b[0] = (BFD_VERSION << 5) | (p.diag & 0x1f);
  b[1] =
    (STATE_CODES.indexOf(p.state) << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.cpi ? 0x08 : 0) |
    (p.auth ? 0x04 : 0) |
    (p.demand ? 0x02 : 0) |
    (p.multipoint ? 0x01 : 0);
  b[2] = p.detectMult;
  b[3] = MIN_LENGTH;
  b.writeUInt32BE(p.myDiscr >>> 0, 4);
  b.writeUInt32BE(p.yourDiscr >>> 0, 8);
  b.writeUInt32BE(p.desiredMinTxUs >>> 0, 12);
  b.writeUInt32BE(p.requiredMinRxUs >>> 0, 16);
  b.writeUInt32BE(p.requiredMinEchoRxUs >>> 0, 20);
  return b;
}

export type DecodeResult = { ok: true; packet: ControlPacket } | { ok: false; reason: string };

/**
 * Decodes one datagram and applies the §6.8.6 checks that do not depend on a session: version, length against the
 * A bit and the datagram, Detect Mult 0, the Multipoint bit, My Discriminator 0, Your Discriminator 0 with a state
 * other than Down/AdminDown. `authInUse` false (we have no authentication): a packet with the A bit is discarded;
 * true: one without it is. Which session a Your Discriminator names is the demultiplexer's check.
 */
export function decodeControl(b: Buffer, opts: { authInUse?: boolean } = {}): DecodeResult {
  const bad = (reason: string): DecodeResult => ({ ok: false, reason });
  if (b.length < 4) return bad(`datagram of ${b.length} bytes is shorter than a BFD header`);
  const version = b[0]! >> 5;
  if (version !== BFD_VERSION) return bad(`version ${version}, expected ${BFD_VERSION}`);
  const auth = (b[1]! & 0x04) !== 0;
  const length = b[3]!;
  const min = auth ? MIN_AUTH_LENGTH : MIN_LENGTH;
  if (length < min) return bad(`length ${length} below the minimum ${min}${auth ? ' with the A bit' : ''}`);
  if (length > b.length) return bad(`length ${length} exceeds the ${b.length}-byte datagram`);
  const detectMult = b[2]!;
  if (detectMult === 0) return bad('detect multiplier 0');
  if ((b[1]! & 0x01) !== 0) return bad('multipoint bit set');
  const myDiscr = b.readUInt32BE(4);
  if (myDiscr === 0) return bad('my discriminator 0');
  const state = STATE_CODES[b[1]! >> 6]!;
  const yourDiscr = b.readUInt32BE(8);
  if (yourDiscr === 0 && state !== 'Down' && state !== 'AdminDown') return bad(`your discriminator 0 in state ${state}`);
  const authInUse = opts.authInUse ?? false;
  if (auth && !authInUse) return bad('authentication present but not in use');
  if (!auth && authInUse) return bad('authentication missing but in use');
  return {
    ok: true,
    packet: {
      diag: b[0]! & 0x1f,
      state,
      poll: (b[1]! & 0x20) !== 0,
      final: (b[1]! & 0x10) !== 0,
      cpi: (b[1]! & 0x08) !== 0,
      auth,
      demand: (b[1]! & 0x02) !== 0,
      multipoint: false,
      detectMult,
      myDiscr,
      yourDiscr,
      desiredMinTxUs: b.readUInt32BE(12),
      requiredMinRxUs: b.readUInt32BE(16),
      requiredMinEchoRxUs: b.readUInt32BE(20),
    },
  };
}
