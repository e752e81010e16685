/** Command-line words of `lab fault` and `lab capture` → requests. Pure; bad input is a USAGE error naming the word. */
import { KindlabError } from '../errors.js';
import { parseDurationMs } from '../lib/index.js';
import type { AgentAction, Endpoint, FaultRequest, NodeAction } from './types.js';

export const FAULT_USAGE = `usage: lab fault link NODE:IFACE [NODE:IFACE] down|up
       lab fault link NODE:IFACE [NODE:IFACE] flap --period 2s [--count N]
       lab fault link NODE:IFACE [NODE:IFACE] loss PERCENT
       lab fault node NAME stop|start|restart|pause|unpause
       lab fault bgp NAME reset [PEER]
       lab fault agent NAME kill|restart|stop|start
       lab fault list
       lab fault clear`;

const NODE_ACTIONS: readonly NodeAction[] = ['stop', 'start', 'restart', 'pause', 'unpause'];
const AGENT_ACTIONS: readonly AgentAction[] = ['kill', 'restart', 'stop', 'start'];
const LINK_ACTIONS = ['down', 'up', 'flap', 'loss', 'corrupt'] as const;

function usage(message: string): KindlabError {
  return new KindlabError('USAGE', message, { detail: FAULT_USAGE });
}

/** `node:iface` (the node name may not hold a colon; the interface name may not be empty). */
export function parseEndpoint(word: string): Endpoint | undefined {
  const i = word.indexOf(':');
  if (i <= 0 || i === word.length - 1) return undefined;
  const node = word.slice(0, i);
  const iface = word.slice(i + 1);
  // Linux interface names: at most 15 bytes, no '/', ':' or whitespace.
  if (iface.length > 15 || /[/:\s]/.test(iface)) return undefined;
  return { node, iface };
}

/** `30`, `30%`, `12.5` → 30, 12.5; undefined unless 0…100. */
export function parsePercent(word: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(word.trim());
  if (!m) return undefined;
  const p = Number(m[1]);
  return p >= 0 && p <= 100 ? p : undefined;
}

function positiveInt(text: string, what: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw usage(`${what} must be a positive integer, not "${text}"`);
  return Number(text);
}

export interface FaultOptions {
  period?: string;
  count?: string;
}

/** `group` is `link`, `node` or `bgp`; `words` the rest of the line. */
export function parseFaultRequest(group: string, words: string[], opts: FaultOptions = {}): FaultRequest {
  if (group === 'link') return parseLink(words, opts);
  if (opts.period !== undefined || opts.count !== undefined) throw usage('--period and --count go with: lab fault link … flap');
  if (group === 'node') {
    const [node, action, ...rest] = words;
    if (!node || !action) throw usage('give a node and an action: lab fault node NAME stop|start|restart|pause|unpause');
    if (!(NODE_ACTIONS as readonly string[]).includes(action)) throw usage(`unknown node action "${action}" (${NODE_ACTIONS.join(', ')})`);
    if (rest.length) throw usage(`unexpected "${rest.join(' ')}" after lab fault node ${node} ${action}`);
    return { kind: 'node', node, action: action as NodeAction };
  }
  if (group === 'bgp') {
    const [node, action, peer, ...rest] = words;
    if (!node || action !== 'reset') throw usage('lab fault bgp NAME reset [PEER]');
    if (rest.length) throw usage(`unexpected "${rest.join(' ')}" after lab fault bgp ${node} reset ${peer}`);
    // A peer is an address or an interface name (FRR's unnumbered peers): no shell or vtysh syntax.
    if (peer !== undefined && !/^[\w.:-]+$/.test(peer)) throw usage(`"${peer}" is not a BGP peer address or interface`);
    return { kind: 'bgp', node, ...(peer !== undefined ? { peer } : {}) };
  }
  if (group === 'agent') {
    const [node, action, ...rest] = words;
    if (!node || !action) throw usage('give a node and an action: lab fault agent NAME kill|restart|stop|start');
    if (!(AGENT_ACTIONS as readonly string[]).includes(action)) throw usage(`unknown agent action "${action}" (${AGENT_ACTIONS.join(', ')})`);
    if (rest.length) throw usage(`unexpected "${rest.join(' ')}" after lab fault agent ${node} ${action}`);
    return { kind: 'agent', node, action: action as AgentAction };
  }
  throw usage(`unknown fault "${group}" (link, node, bgp, agent, list, clear)`);
}

function parseLink(words: string[], opts: FaultOptions): FaultRequest {
  const endpoints: Endpoint[] = [];
  let i = 0;
  for (; i < words.length && words[i]!.includes(':'); i++) {
    const e = parseEndpoint(words[i]!);
    if (!e) throw usage(`"${words[i]}" is not NODE:IFACE`);
    endpoints.push(e);
  }
  if (endpoints.length === 0) throw usage(`give the link as NODE:IFACE${words[0] ? `, not "${words[0]}"` : ''}`);
  if (endpoints.length > 2) throw usage('a link has two ends: give one or two NODE:IFACE');
  if (endpoints.length === 2 && endpoints[0]!.node === endpoints[1]!.node && endpoints[0]!.iface === endpoints[1]!.iface) {
    throw usage(`${words[0]} is given twice`);
  }
  const action = words[i];
  const rest = words.slice(i + 1);
  if (!action) throw usage('give the action: down, up, flap, loss PERCENT');
  if (!(LINK_ACTIONS as readonly string[]).includes(action)) throw usage(`unknown link action "${action}" (${LINK_ACTIONS.join(', ')})`);
  if (action !== 'flap' && (opts.period !== undefined || opts.count !== undefined)) throw usage('--period and --count go with flap');
  if (action === 'down' || action === 'up') {
    if (rest.length) throw usage(`unexpected "${rest.join(' ')}" after ${action}`);
    return { kind: 'link', endpoints, action };
  }
  if (action === 'flap') {
    if (rest.length) throw usage(`unexpected "${rest.join(' ')}" after flap`);
    if (opts.period === undefined) throw usage('flap needs --period (how long the link stays down, then up), e.g. --period 2s');
    const periodMs = parseDurationMs(opts.period);
    if (periodMs === undefined || periodMs < 100) throw usage(`--period "${opts.period}" is not a duration of at least 100ms (e.g. 2s)`);
    return { kind: 'link', endpoints, action, periodMs, ...(opts.count !== undefined ? { count: positiveInt(opts.count, '--count') } : {}) };
  }
  if (action === 'corrupt') {
    throw new KindlabError('FAULT', 'packet corruption cannot be emulated on this host', {
      hint: 'the kernel has no netem and no tc pedit action, and iptables cannot rewrite packet bytes; use loss PERCENT (a corrupted packet is dropped by its receiver anyway)',
    });
  }
  const [word, ...extra] = rest;
  if (word === undefined) throw usage('loss needs a PERCENT (0-100), e.g. loss 30');
  if (extra.length) throw usage(`unexpected "${extra.join(' ')}" after loss ${word}`);
  const percent = parsePercent(word);
  if (percent === undefined) throw usage(`loss "${word}" is not a percentage from 0 to 100`);
  return { kind: 'link', endpoints, action: 'loss', percent };
}

export interface CaptureRequest {
  target: Endpoint;
  count?: number;
  timeoutMs?: number;
}

export const CAPTURE_USAGE = 'usage: lab capture (-t FILE | --name LAB) NODE:IFACE [-w FILE.pcap] [-c COUNT] [--timeout DURATION]';

/** `lab capture NODE:IFACE [-c N] [--timeout D]`. */
export function parseCaptureRequest(target: string | undefined, opts: { count?: string; timeout?: string }): CaptureRequest {
  if (!target) throw new KindlabError('USAGE', 'give the interface as NODE:IFACE', { detail: CAPTURE_USAGE });
  const ep = parseEndpoint(target);
  if (!ep) throw new KindlabError('USAGE', `"${target}" is not NODE:IFACE`, { detail: CAPTURE_USAGE });
  const req: CaptureRequest = { target: ep };
  if (opts.count !== undefined) {
    if (!/^[1-9]\d*$/.test(opts.count)) throw new KindlabError('USAGE', `-c/--count must be a positive integer, not "${opts.count}"`, { detail: CAPTURE_USAGE });
    req.count = Number(opts.count);
  }
  if (opts.timeout !== undefined) {
    const ms = parseDurationMs(opts.timeout);
    if (ms === undefined || ms <= 0) throw new KindlabError('USAGE', `--timeout "${opts.timeout}" is not a duration (e.g. 30s)`, { detail: CAPTURE_USAGE });
    req.timeoutMs = ms;
  }
  return req;
}
