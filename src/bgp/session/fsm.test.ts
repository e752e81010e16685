import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transition, type FsmAction, type FsmContext, type FsmEvent, type FsmState } from './fsm.js';

const notif = { code: 3, subcode: 11 };
const ev = (type: FsmEvent['type']): FsmEvent =>
  (['BGPHeaderErr', 'BGPOpenMsgErr', 'NotifMsgVerErr', 'NotifMsg', 'UpdateMsgErr'].includes(type)
    ? { type, notification: notif }
    : type === 'ConnectionSwitch' ? { type, reason: 'connection collision: kept the connection initiated by the peer' } : { type }) as FsmEvent;
const does = (as: FsmAction[]) => as.map((a) => (a.do === 'start-timer' || a.do === 'stop-timer' ? `${a.do}:${a.timer}${'large' in a && a.large ? ':large' : ''}` : a.do));
const sent = (as: FsmAction[]) => as.flatMap((a) => (a.do === 'send-notification' ? [`${a.notification.code}/${a.notification.subcode}`] : []));

interface Row {
  state: FsmState;
  event: FsmEvent['type'];
  ctx?: FsmContext;
  next: FsmState;
  includes?: string[];
  excludes?: string[];
  notification?: string | null;
}

// One row per RFC 4271 §8.2.2 rule we implement. `includes` are actions that must appear (in this order),
// `notification` the NOTIFICATION sent (null = none).
const rows: Row[] = [
  // Idle
  { state: 'Idle', event: 'ManualStart', next: 'Connect', includes: ['initialize-resources', 'reset-connect-retry-counter', 'start-timer:connectRetry', 'connect-tcp'], notification: null },
  { state: 'Idle', event: 'AutomaticStart', next: 'Connect', includes: ['connect-tcp'] },
  { state: 'Idle', event: 'ManualStart_with_PassiveTcpEstablishment', next: 'Active', includes: ['start-timer:connectRetry', 'listen-tcp'], excludes: ['connect-tcp'] },
  { state: 'Idle', event: 'ManualStart', ctx: { passive: true }, next: 'Active', excludes: ['connect-tcp'] },
  { state: 'Idle', event: 'IdleHoldTimer_Expires', next: 'Connect', includes: ['connect-tcp'] },
  { state: 'Idle', event: 'ManualStop', next: 'Idle', includes: [] , notification: null },
  { state: 'Idle', event: 'HoldTimer_Expires', next: 'Idle', notification: null },
  { state: 'Idle', event: 'BGPOpen', next: 'Idle', notification: null },
  { state: 'Idle', event: 'TcpConnectionConfirmed', next: 'Idle', includes: ['reject-connection'] },
  // Connect
  { state: 'Connect', event: 'ManualStart', next: 'Connect', includes: [] },
  { state: 'Connect', event: 'ManualStop', next: 'Idle', includes: ['drop-tcp', 'release-resources', 'reset-connect-retry-counter', 'stop-timer:connectRetry'], notification: null },
  { state: 'Connect', event: 'ConnectRetryTimer_Expires', next: 'Connect', includes: ['drop-tcp', 'start-timer:connectRetry', 'connect-tcp'] },
  { state: 'Connect', event: 'TcpConnectionConfirmed', next: 'OpenSent', includes: ['stop-timer:connectRetry', 'complete-initialization', 'send-open', 'start-timer:hold:large'] },
  { state: 'Connect', event: 'Tcp_CR_Acked', next: 'OpenSent', includes: ['send-open', 'start-timer:hold:large'] },
  { state: 'Connect', event: 'Tcp_CR_Acked', ctx: { delayOpen: true }, next: 'Connect', includes: ['stop-timer:connectRetry', 'complete-initialization', 'start-timer:delayOpen'], excludes: ['send-open'] },
  { state: 'Connect', event: 'DelayOpenTimer_Expires', next: 'OpenSent', includes: ['send-open', 'start-timer:hold:large'] },
  { state: 'Connect', event: 'BGPOpen_with_DelayOpenTimer_running', next: 'OpenConfirm', includes: ['send-open', 'send-keepalive', 'start-timer:keepalive', 'start-timer:hold'] },
  { state: 'Connect', event: 'TcpConnectionFails', next: 'Active', includes: ['start-timer:connectRetry', 'listen-tcp'] },
  { state: 'Connect', event: 'TcpConnectionFails', ctx: { delayOpenRunning: true }, next: 'Active', includes: ['start-timer:connectRetry', 'stop-timer:delayOpen'] },
  { state: 'Connect', event: 'BGPHeaderErr', next: 'Idle', includes: ['release-resources', 'drop-tcp', 'increment-connect-retry-counter'], notification: '3/11' },
  { state: 'Connect', event: 'NotifMsgVerErr', next: 'Idle', includes: ['drop-tcp', 'increment-connect-retry-counter'], notification: null },
  { state: 'Connect', event: 'NotifMsgVerErr', ctx: { delayOpenRunning: true }, next: 'Idle', excludes: ['increment-connect-retry-counter'] },
  { state: 'Connect', event: 'HoldTimer_Expires', next: 'Idle', includes: ['drop-tcp', 'increment-connect-retry-counter'], notification: null },
  { state: 'Connect', event: 'KeepAliveMsg', next: 'Idle', includes: ['drop-tcp'] },
  { state: 'Connect', event: 'TcpConnection_Valid', next: 'Connect', includes: ['accept-second-connection'] },
  { state: 'Connect', event: 'Tcp_CR_Invalid', next: 'Connect', includes: ['reject-connection'] },
  // Active
  { state: 'Active', event: 'ManualStop', next: 'Idle', includes: ['drop-tcp', 'reset-connect-retry-counter'], notification: null },
  { state: 'Active', event: 'ManualStop', ctx: { delayOpenRunning: true }, next: 'Idle', notification: '6/2' },
  { state: 'Active', event: 'ConnectRetryTimer_Expires', next: 'Connect', includes: ['start-timer:connectRetry', 'connect-tcp'] },
  { state: 'Active', event: 'ConnectRetryTimer_Expires', ctx: { passive: true }, next: 'Active', excludes: ['connect-tcp'] },
  { state: 'Active', event: 'TcpConnectionConfirmed', next: 'OpenSent', includes: ['send-open', 'start-timer:hold:large'] },
  { state: 'Active', event: 'TcpConnectionConfirmed', ctx: { delayOpen: true }, next: 'Active', includes: ['complete-initialization', 'start-timer:delayOpen'] },
  { state: 'Active', event: 'DelayOpenTimer_Expires', next: 'OpenSent', includes: ['send-open'] },
  { state: 'Active', event: 'BGPOpen_with_DelayOpenTimer_running', next: 'OpenConfirm', includes: ['send-open', 'send-keepalive'] },
  { state: 'Active', event: 'TcpConnectionFails', next: 'Idle', includes: ['start-timer:connectRetry', 'release-resources', 'increment-connect-retry-counter'] },
  { state: 'Active', event: 'BGPOpenMsgErr', next: 'Idle', notification: '3/11' },
  { state: 'Active', event: 'UpdateMsg', next: 'Idle', includes: ['drop-tcp', 'increment-connect-retry-counter'], notification: null },
  // OpenSent
  { state: 'OpenSent', event: 'ManualStart', next: 'OpenSent', includes: [] },
  { state: 'OpenSent', event: 'ManualStop', next: 'Idle', includes: ['release-resources', 'drop-tcp', 'reset-connect-retry-counter'], notification: '6/2' },
  { state: 'OpenSent', event: 'AutomaticStop', next: 'Idle', includes: ['increment-connect-retry-counter'], notification: '6/0' },
  { state: 'OpenSent', event: 'HoldTimer_Expires', next: 'Idle', includes: ['release-resources', 'drop-tcp', 'increment-connect-retry-counter'], notification: '4/0' },
  { state: 'OpenSent', event: 'TcpConnectionFails', next: 'Active', includes: ['drop-tcp', 'start-timer:connectRetry', 'listen-tcp'], notification: null },
  { state: 'OpenSent', event: 'BGPOpen', next: 'OpenConfirm', includes: ['stop-timer:connectRetry', 'send-keepalive', 'start-timer:keepalive', 'start-timer:hold'], notification: null },
  { state: 'OpenSent', event: 'BGPHeaderErr', next: 'Idle', notification: '3/11' },
  { state: 'OpenSent', event: 'BGPOpenMsgErr', next: 'Idle', notification: '3/11' },
  { state: 'OpenSent', event: 'OpenCollisionDump', next: 'Idle', notification: '6/7' },
  { state: 'OpenSent', event: 'NotifMsgVerErr', next: 'Idle', notification: null },
  { state: 'OpenSent', event: 'NotifMsg', next: 'Idle', notification: null },
  { state: 'OpenSent', event: 'KeepAliveMsg', next: 'Idle', notification: '5/1' },
  { state: 'OpenSent', event: 'UpdateMsg', next: 'Idle', notification: '5/1' },
  { state: 'OpenSent', event: 'ConnectRetryTimer_Expires', next: 'Idle', notification: '5/1' },
  { state: 'OpenSent', event: 'TcpConnectionConfirmed', next: 'OpenSent', includes: ['accept-second-connection'] },
  // OpenConfirm
  { state: 'OpenConfirm', event: 'ManualStop', next: 'Idle', includes: ['reset-connect-retry-counter'], notification: '6/2' },
  { state: 'OpenConfirm', event: 'HoldTimer_Expires', next: 'Idle', notification: '4/0' },
  { state: 'OpenConfirm', event: 'KeepaliveTimer_Expires', next: 'OpenConfirm', includes: ['send-keepalive', 'start-timer:keepalive'] },
  { state: 'OpenConfirm', event: 'TcpConnectionFails', next: 'Idle', includes: ['drop-tcp'], notification: null },
  { state: 'OpenConfirm', event: 'NotifMsg', next: 'Idle', notification: null },
  { state: 'OpenConfirm', event: 'NotifMsgVerErr', next: 'Idle', notification: null },
  { state: 'OpenConfirm', event: 'OpenCollisionDump', next: 'Idle', notification: '6/7' },
  { state: 'OpenConfirm', event: 'KeepAliveMsg', next: 'Established', includes: ['start-timer:hold', 'session-established'] },
  { state: 'OpenConfirm', event: 'BGPOpenMsgErr', next: 'Idle', notification: '3/11' },
  { state: 'OpenConfirm', event: 'UpdateMsg', next: 'Idle', notification: '5/2' },
  { state: 'OpenConfirm', event: 'BGPOpen', next: 'Idle', notification: '5/2' },
  // Graceful stop (RFC 4724 restarting speaker): any state → Idle, TCP closed, no NOTIFICATION, every timer stopped
  ...(['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const).map((state): Row => ({
    state, event: 'GracefulStop', next: 'Idle', notification: null, excludes: ['delete-routes'],
    includes: ['drop-tcp', 'stop-timer:connectRetry', 'stop-timer:hold', 'stop-timer:keepalive', 'stop-timer:delayOpen'],
  })),
  // Collision swap (RFC 4271 §6.8) / peer restart while Established (RFC 4724 §4.2): carry on in OpenSent with the other connection
  ...(['OpenSent', 'OpenConfirm', 'Established'] as const).map((state): Row => ({
    state, event: 'ConnectionSwitch', next: 'OpenSent', notification: null, excludes: ['drop-tcp', 'delete-routes', 'send-open'],
    includes: ['stop-timer:hold', 'stop-timer:keepalive', 'stop-timer:connectRetry', 'start-timer:hold:large'],
  })),
  ...(['Idle', 'Connect', 'Active'] as const).map((state): Row => ({ state, event: 'ConnectionSwitch', next: state, includes: [], notification: null })),
  // BFD down (RFC 5882 §4.3, Cease 6/10 of RFC 9384 as FRR sends): tear down what has a connection, routes only when Established
  { state: 'Established', event: 'BfdDown', next: 'Idle', includes: ['stop-timer:hold', 'stop-timer:keepalive', 'delete-routes', 'release-resources', 'drop-tcp', 'increment-connect-retry-counter'], notification: '6/10' },
  ...(['OpenSent', 'OpenConfirm'] as const).map((state): Row => ({ state, event: 'BfdDown', next: 'Idle', includes: ['drop-tcp'], excludes: ['delete-routes'], notification: '6/10' })),
  ...(['Idle', 'Connect', 'Active'] as const).map((state): Row => ({ state, event: 'BfdDown', next: state, includes: [], notification: null })),
  // Established
  { state: 'Established', event: 'ManualStart', next: 'Established', includes: [] },
  { state: 'Established', event: 'ManualStop', next: 'Idle', includes: ['delete-routes', 'release-resources', 'drop-tcp', 'reset-connect-retry-counter'], notification: '6/2' },
  { state: 'Established', event: 'AutomaticStop', next: 'Idle', includes: ['delete-routes', 'increment-connect-retry-counter'], notification: '6/0' },
  { state: 'Established', event: 'HoldTimer_Expires', next: 'Idle', includes: ['delete-routes', 'drop-tcp'], notification: '4/0' },
  { state: 'Established', event: 'KeepaliveTimer_Expires', next: 'Established', includes: ['send-keepalive', 'start-timer:keepalive'], notification: null },
  { state: 'Established', event: 'KeepAliveMsg', next: 'Established', includes: ['start-timer:hold'], notification: null },
  { state: 'Established', event: 'UpdateMsg', next: 'Established', includes: ['process-update', 'start-timer:hold'], notification: null },
  { state: 'Established', event: 'UpdateMsgErr', next: 'Idle', includes: ['delete-routes', 'drop-tcp'], notification: '3/11' },
  { state: 'Established', event: 'NotifMsg', next: 'Idle', includes: ['delete-routes'], notification: null },
  { state: 'Established', event: 'TcpConnectionFails', next: 'Idle', includes: ['delete-routes'], notification: null },
  { state: 'Established', event: 'OpenCollisionDump', next: 'Idle', includes: ['delete-routes'], notification: '6/7' },
  { state: 'Established', event: 'BGPOpen', next: 'Idle', notification: '5/3' },
  { state: 'Established', event: 'BGPHeaderErr', next: 'Idle', includes: ['delete-routes'], notification: '3/11' }, // §6.1 wins over §8.2.2
  { state: 'Established', event: 'BGPOpenMsgErr', next: 'Idle', notification: '5/3' },
  { state: 'Established', event: 'ConnectRetryTimer_Expires', next: 'Idle', notification: '5/3' },
  { state: 'Established', event: 'TcpConnectionConfirmed', next: 'Established', includes: ['accept-second-connection'] },
];

for (const r of rows) {
  const ctxs = r.ctx ? ` ${JSON.stringify(r.ctx)}` : '';
  test(`FSM ${r.state} + ${r.event}${ctxs} → ${r.next}`, () => {
    const t = transition(r.state, ev(r.event), r.ctx);
    assert.equal(t.next, r.next, t.reason);
    assert.ok(t.reason.length > 0);
    const d = does(t.actions);
    if (r.includes) {
      let at = -1;
      for (const want of r.includes) {
        const i = d.indexOf(want, at + 1);
        assert.ok(i > at, `expected ${want} after position ${at} in [${d.join(', ')}]`);
        at = i;
      }
      if (r.includes.length === 0 && r.next === r.state) assert.deepEqual(d, []);
    }
    for (const no of r.excludes ?? []) assert.ok(!d.includes(no), `did not expect ${no} in [${d.join(', ')}]`);
    if (r.notification !== undefined) assert.deepEqual(sent(t.actions), r.notification === null ? [] : [r.notification]);
  });
}

test('FSM: every state answers every event without throwing, and a session-ending row always drops TCP', () => {
  const states: FsmState[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
  const events = [...new Set(rows.map((r) => r.event))];
  for (const s of states) {
    for (const e of events) {
      const t = transition(s, ev(e));
      if (s !== 'Idle' && t.next === 'Idle') assert.ok(does(t.actions).includes('drop-tcp') || s === 'Active', `${s}+${e}`);
    }
  }
});
