/**
 * The RFC 4271 §8 finite state machine as a pure table: (state, event, context) → { next, actions, reason }.
 * No timers, no sockets: `session.ts` owns those and runs the returned actions in order.
 * Event names are the RFC's (§8.1); the optional DelayOpen and passive establishment attributes are supported,
 * peer oscillation damping is not (AutomaticStart_with_DampPeerOscillations behaves as AutomaticStart).
 */

export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export interface Notification {
  code: number;
  subcode: number;
  data?: Buffer;
}

export type FsmEvent =
  | { type: 'ManualStart' }
  | { type: 'ManualStop' }
  | { type: 'AutomaticStart' }
  | { type: 'ManualStart_with_PassiveTcpEstablishment' }
  | { type: 'AutomaticStart_with_PassiveTcpEstablishment' }
  | { type: 'AutomaticStop'; notification?: Notification; reason?: string }
  | { type: 'ConnectRetryTimer_Expires' }
  | { type: 'HoldTimer_Expires' }
  | { type: 'KeepaliveTimer_Expires' }
  | { type: 'DelayOpenTimer_Expires' }
  | { type: 'IdleHoldTimer_Expires' }
  | { type: 'TcpConnection_Valid' }
  | { type: 'Tcp_CR_Invalid' }
  | { type: 'Tcp_CR_Acked' }
  | { type: 'TcpConnectionConfirmed' }
  | { type: 'TcpConnectionFails'; reason?: string }
  | { type: 'BGPOpen' }
  | { type: 'BGPOpen_with_DelayOpenTimer_running' }
  | { type: 'BGPHeaderErr'; notification: Notification }
  | { type: 'BGPOpenMsgErr'; notification: Notification }
  | { type: 'OpenCollisionDump' }
  | { type: 'NotifMsgVerErr'; notification: Notification }
  | { type: 'NotifMsg'; notification: Notification }
  | { type: 'KeepAliveMsg' }
  | { type: 'UpdateMsg' }
  /** Planned restart as RFC 4724 restarting speaker: close without NOTIFICATION so the peer keeps our routes. */
  | { type: 'GracefulStop'; reason?: string }
  /** RFC 4271 §6.8 collision resolved for the second connection (or the peer restarted, RFC 4724 §4.2): carry on with it. */
  | { type: 'ConnectionSwitch'; reason: string }
  /** The peer's BFD session went from Up to Down (RFC 5882 §4.3): stop at once with Cease 6/10 "BFD Down" (RFC 9384), as FRR. */
  | { type: 'BfdDown'; reason?: string }
  | { type: 'UpdateMsgErr'; notification: Notification };

export type FsmEventType = FsmEvent['type'];
export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen';

/**
 * What the session must do, in order. Data only. For the connection actions, "the event's connection" is the
 * one whose arrival raised a Tcp* event: `complete-initialization` and `accept-second-connection` take it
 * (as the session's connection if it has none, else as the second one for collision detection, else refuse it),
 * `reject-connection` closes it; `listen-tcp` asks the owner of the listener to accept the peer's connections.
 */
export type FsmAction =
  | { do: 'initialize-resources' }
  | { do: 'release-resources' }
  | { do: 'connect-tcp' }
  | { do: 'listen-tcp' }
  | { do: 'drop-tcp' }
  | { do: 'send-open' }
  | { do: 'send-keepalive' }
  | { do: 'send-notification'; notification: Notification }
  | { do: 'start-timer'; timer: TimerName; large?: boolean }
  | { do: 'stop-timer'; timer: TimerName }
  | { do: 'reset-connect-retry-counter' }
  | { do: 'increment-connect-retry-counter' }
  | { do: 'complete-initialization' }
  | { do: 'session-established' }
  | { do: 'process-update' }
  | { do: 'delete-routes' }
  | { do: 'accept-second-connection' }
  | { do: 'reject-connection' };

export interface FsmContext {
  /** DelayOpen optional attribute (§8.1.1). */
  delayOpen?: boolean;
  /** Whether the DelayOpenTimer is running now. */
  delayOpenRunning?: boolean;
  /** Peer configured passive: never initiate TCP. */
  passive?: boolean;
}

export interface Transition {
  next: FsmState;
  actions: FsmAction[];
  reason: string;
}

const CEASE = 6;
/** Cease subcode "BFD Down" (RFC 9384). */
const BFD_DOWN = 10;
const A = {
  init: { do: 'initialize-resources' } as const,
  release: { do: 'release-resources' } as const,
  connect: { do: 'connect-tcp' } as const,
  listen: { do: 'listen-tcp' } as const,
  drop: { do: 'drop-tcp' } as const,
  open: { do: 'send-open' } as const,
  keepalive: { do: 'send-keepalive' } as const,
  zeroCounter: { do: 'reset-connect-retry-counter' } as const,
  incCounter: { do: 'increment-connect-retry-counter' } as const,
  complete: { do: 'complete-initialization' } as const,
  deleteRoutes: { do: 'delete-routes' } as const,
  start: (timer: TimerName, large?: boolean): FsmAction => (large ? { do: 'start-timer', timer, large } : { do: 'start-timer', timer }),
  stop: (timer: TimerName): FsmAction => ({ do: 'stop-timer', timer }),
  notify: (code: number, subcode: number, data?: Buffer): FsmAction => ({
    do: 'send-notification',
    notification: data ? { code, subcode, data } : { code, subcode },
  }),
};

const STARTS = new Set<FsmEventType>([
  'ManualStart',
  'AutomaticStart',
  'ManualStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_PassiveTcpEstablishment',
]);
const NEW_TCP = new Set<FsmEventType>(['TcpConnection_Valid', 'Tcp_CR_Acked', 'TcpConnectionConfirmed']);

const stay = (s: FsmState, reason: string, actions: FsmAction[] = []): Transition => ({ next: s, actions, reason });
const toIdle = (reason: string, actions: FsmAction[]): Transition => ({ next: 'Idle', actions, reason });

/** Human reason for an event that ends a session. */
export function describeEvent(e: FsmEvent): string {
  switch (e.type) {
    case 'HoldTimer_Expires':
      return 'hold timer expired';
    case 'TcpConnectionFails':
      return e.reason ? `TCP connection failed: ${e.reason}` : 'TCP connection failed';
    case 'NotifMsg':
    case 'NotifMsgVerErr':
      return `NOTIFICATION received ${e.notification.code}/${e.notification.subcode}`;
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
      return `NOTIFICATION sent ${e.notification.code}/${e.notification.subcode} (${e.type})`;
    case 'OpenCollisionDump':
      return 'connection collision: this connection dumped';
    case 'ManualStop':
      return 'administratively stopped';
    case 'AutomaticStop':
      return e.reason ?? 'automatically stopped';
    case 'GracefulStop':
      return e.reason ?? 'graceful restart: connection closed without NOTIFICATION';
    case 'ConnectionSwitch':
      return e.reason;
    case 'BfdDown':
      return e.reason ?? 'BFD down';
    default:
      return `unexpected event ${e.type}`;
  }
}

/** The transition for `event` in `state` (RFC 4271 §8.2.2). */
export function transition(state: FsmState, event: FsmEvent, ctx: FsmContext = {}): Transition {
  if (event.type === 'GracefulStop') {
    return toIdle(describeEvent(event), [A.drop, A.stop('connectRetry'), A.stop('hold'), A.stop('keepalive'), A.stop('delayOpen')]);
  }
  if (event.type === 'ConnectionSwitch') {
    if (state === 'OpenSent' || state === 'OpenConfirm' || state === 'Established') {
      return { next: 'OpenSent', actions: [A.stop('hold'), A.stop('keepalive'), A.stop('connectRetry'), A.start('hold', true)], reason: describeEvent(event) };
    }
    return stay(state, `${event.type} ignored in ${state}`);
  }
  if (event.type === 'BfdDown') {
    // Without a connection there is nothing to tear down; the restart logic keeps trying as usual.
    if (state === 'Idle' || state === 'Connect' || state === 'Active') return stay(state, `${event.type} ignored in ${state}`);
    return teardown(event, [A.notify(CEASE, BFD_DOWN)], A.incCounter, state === 'Established');
  }
  switch (state) {
    case 'Idle':
      return idle(event, ctx);
    case 'Connect':
      return connect(event, ctx);
    case 'Active':
      return active(event, ctx);
    case 'OpenSent':
      return openSent(event);
    case 'OpenConfirm':
      return openConfirm(event);
    case 'Established':
      return established(event);
  }
}

function idle(e: FsmEvent, ctx: FsmContext): Transition {
  const passiveStart =
    e.type === 'ManualStart_with_PassiveTcpEstablishment' ||
    e.type === 'AutomaticStart_with_PassiveTcpEstablishment' ||
    ((e.type === 'ManualStart' || e.type === 'AutomaticStart' || e.type === 'IdleHoldTimer_Expires') && ctx.passive);
  if (passiveStart) {
    return { next: 'Active', actions: [A.init, A.zeroCounter, A.start('connectRetry'), A.listen], reason: 'started (passive)' };
  }
  if (e.type === 'ManualStart' || e.type === 'AutomaticStart' || e.type === 'IdleHoldTimer_Expires') {
    return { next: 'Connect', actions: [A.init, A.zeroCounter, A.start('connectRetry'), A.connect, A.listen], reason: 'started' };
  }
  if (NEW_TCP.has(e.type)) return stay('Idle', 'connection refused while Idle', [{ do: 'reject-connection' }]);
  return stay('Idle', `${e.type} ignored in Idle`);
}

/** Connect and Active share most rows; `state` is the one we are in. */
function connectOrActive(state: 'Connect' | 'Active', e: FsmEvent, ctx: FsmContext): Transition | undefined {
  if (STARTS.has(e.type)) return stay(state, `${e.type} ignored in ${state}`);
  switch (e.type) {
    case 'ManualStop': {
      const notify = state === 'Active' && ctx.delayOpenRunning ? [A.notify(CEASE, 2)] : [];
      return toIdle(describeEvent(e), [...notify, A.drop, A.release, A.zeroCounter, A.stop('connectRetry')]);
    }
    case 'DelayOpenTimer_Expires':
      return { next: 'OpenSent', actions: [A.stop('connectRetry'), A.stop('delayOpen'), A.complete, A.open, A.start('hold', true)], reason: 'delay open timer expired' };
    case 'TcpConnection_Valid':
      return stay(state, 'incoming connection accepted', [{ do: 'accept-second-connection' }]);
    case 'Tcp_CR_Invalid':
      return stay(state, 'incoming connection rejected', [{ do: 'reject-connection' }]);
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      if (ctx.delayOpen) return stay(state, 'TCP up, delaying OPEN', [A.stop('connectRetry'), A.complete, A.start('delayOpen')]);
      return { next: 'OpenSent', actions: [A.stop('connectRetry'), A.complete, A.open, A.start('hold', true)], reason: 'TCP connection established' };
    case 'BGPOpen_with_DelayOpenTimer_running':
      return {
        next: 'OpenConfirm',
        actions: [A.stop('connectRetry'), A.stop('delayOpen'), A.complete, A.open, A.keepalive, A.start('keepalive'), A.start('hold')],
        reason: 'OPEN received while delaying ours',
      };
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      return toIdle(describeEvent(e), [A.notify(e.notification.code, e.notification.subcode, e.notification.data), A.stop('connectRetry'), A.release, A.drop, A.incCounter]);
    case 'NotifMsgVerErr':
      return toIdle(describeEvent(e), ctx.delayOpenRunning
        ? [A.stop('connectRetry'), A.stop('delayOpen'), A.release, A.drop]
        : [A.stop('connectRetry'), A.release, A.drop, A.incCounter]);
    default:
      return undefined;
  }
}

function connect(e: FsmEvent, ctx: FsmContext): Transition {
  const shared = connectOrActive('Connect', e, ctx);
  if (shared) return shared;
  switch (e.type) {
    case 'ConnectRetryTimer_Expires':
      return stay('Connect', 'connect retry timer expired, reconnecting', [A.drop, A.start('connectRetry'), A.stop('delayOpen'), A.connect]);
    case 'TcpConnectionFails':
      if (ctx.delayOpenRunning) {
        return { next: 'Active', actions: [A.start('connectRetry'), A.stop('delayOpen'), A.listen], reason: describeEvent(e) };
      }
      // RFC 4271 goes to Idle here; with automatic restart we wait in Active for the connect retry timer instead,
      // which is what every implementation does (and keeps the listener up).
      return { next: 'Active', actions: [A.drop, A.start('connectRetry'), A.listen], reason: describeEvent(e) };
    default:
      return toIdle(describeEvent(e), [A.stop('connectRetry'), A.stop('delayOpen'), A.release, A.drop, A.incCounter]);
  }
}

function active(e: FsmEvent, ctx: FsmContext): Transition {
  const shared = connectOrActive('Active', e, ctx);
  if (shared) return shared;
  switch (e.type) {
    case 'ConnectRetryTimer_Expires':
      if (ctx.passive) return stay('Active', 'waiting for the peer to connect', [A.start('connectRetry')]);
      return { next: 'Connect', actions: [A.start('connectRetry'), A.connect, A.listen], reason: 'connect retry timer expired' };
    case 'TcpConnectionFails':
      return toIdle(describeEvent(e), [A.start('connectRetry'), A.stop('delayOpen'), A.release, A.incCounter]);
    default:
      return toIdle(describeEvent(e), [A.stop('connectRetry'), A.release, A.drop, A.incCounter]);
  }
}

/** The tear-down shared by OpenSent/OpenConfirm/Established. */
function teardown(e: FsmEvent, notify: FsmAction[], counter: FsmAction, routes: boolean): Transition {
  const del = routes ? [A.deleteRoutes] : [];
  return toIdle(describeEvent(e), [...notify, A.stop('connectRetry'), A.stop('hold'), A.stop('keepalive'), ...del, A.release, A.drop, counter]);
}

/** Rows common to OpenSent, OpenConfirm and Established; `fsmSubcode` is the RFC 6608 subcode for that state. */
function openCommon(state: 'OpenSent' | 'OpenConfirm' | 'Established', e: FsmEvent, fsmSubcode: number): Transition | undefined {
  const routes = state === 'Established';
  if (STARTS.has(e.type)) return stay(state, `${e.type} ignored in ${state}`);
  if (NEW_TCP.has(e.type)) return stay(state, 'second connection tracked for collision detection', [{ do: 'accept-second-connection' }]);
  switch (e.type) {
    case 'Tcp_CR_Invalid':
      return stay(state, 'incoming connection rejected', [{ do: 'reject-connection' }]);
    case 'ManualStop':
      return teardown(e, [A.notify(CEASE, 2)], A.zeroCounter, routes);
    case 'AutomaticStop': {
      const n = e.notification ?? { code: CEASE, subcode: 0 };
      return teardown(e, [A.notify(n.code, n.subcode, n.data)], A.incCounter, routes);
    }
    case 'HoldTimer_Expires':
      return teardown(e, [A.notify(4, 0)], A.incCounter, routes);
    case 'OpenCollisionDump':
      return teardown(e, [A.notify(CEASE, 7)], A.incCounter, routes);
    case 'NotifMsgVerErr':
      return teardown(e, [], state === 'Established' ? A.incCounter : A.zeroCounter, routes);
    case 'BGPHeaderErr':
      // §8.2.2 lists event 21 under "any other event" (FSM Error) in Established, but §6.1 requires the Message
      // Header Error itself; every implementation (and the peer's diagnostics) follow §6.1.
      return teardown(e, [A.notify(e.notification.code, e.notification.subcode, e.notification.data)], A.incCounter, routes);
    case 'BGPOpenMsgErr':
      if (state === 'Established') return teardown(e, [A.notify(5, fsmSubcode)], A.incCounter, routes);
      return teardown(e, [A.notify(e.notification.code, e.notification.subcode, e.notification.data)], A.incCounter, routes);
    default:
      return teardown(e, [A.notify(5, fsmSubcode)], A.incCounter, routes);
  }
}

function openSent(e: FsmEvent): Transition {
  switch (e.type) {
    case 'TcpConnectionFails':
      return { next: 'Active', actions: [A.drop, A.stop('hold'), A.start('connectRetry'), A.listen], reason: describeEvent(e) };
    case 'BGPOpen':
      return { next: 'OpenConfirm', actions: [A.stop('delayOpen'), A.stop('connectRetry'), A.keepalive, A.start('keepalive'), A.start('hold')], reason: 'OPEN received' };
    case 'NotifMsg':
      return teardown(e, [], A.incCounter, false);
    default:
      return openCommon('OpenSent', e, 1) ?? teardown(e, [A.notify(5, 1)], A.incCounter, false);
  }
}

function openConfirm(e: FsmEvent): Transition {
  switch (e.type) {
    case 'KeepaliveTimer_Expires':
      return stay('OpenConfirm', 'keepalive sent', [A.keepalive, A.start('keepalive')]);
    case 'TcpConnectionFails':
    case 'NotifMsg':
      return teardown(e, [], A.incCounter, false);
    case 'KeepAliveMsg':
      return { next: 'Established', actions: [A.start('hold'), { do: 'session-established' }], reason: 'KEEPALIVE received' };
    default:
      return openCommon('OpenConfirm', e, 2) ?? teardown(e, [A.notify(5, 2)], A.incCounter, false);
  }
}

function established(e: FsmEvent): Transition {
  switch (e.type) {
    case 'KeepaliveTimer_Expires':
      return stay('Established', 'keepalive sent', [A.keepalive, A.start('keepalive')]);
    case 'KeepAliveMsg':
      return stay('Established', 'KEEPALIVE received', [A.start('hold')]);
    case 'UpdateMsg':
      return stay('Established', 'UPDATE received', [{ do: 'process-update' }, A.start('hold')]);
    case 'UpdateMsgErr':
      return teardown(e, [A.notify(e.notification.code, e.notification.subcode, e.notification.data)], A.incCounter, true);
    case 'TcpConnectionFails':
    case 'NotifMsg':
      return teardown(e, [], A.incCounter, true);
    default:
      return openCommon('Established', e, 3) ?? teardown(e, [A.notify(5, 3)], A.incCounter, true);
  }
}
