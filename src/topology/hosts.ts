/**
 * The `hosts:` section: the Docker engines one lab spans, named the way Docker users name them
 * (`unix://…`, `tcp://…` with TLS files, `ssh://user@host`, or a Docker context name), each with
 * its underlay address (what the other engines reach it on; cross-host links tunnel over it).
 * Pure: checks and parses, with positions; placement is in placement.ts.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { IssueList } from './source-map.js';
import { resolveHostPath } from './parse-values.js';
import type { EngineRef, HostSpec, NodeSpec } from './types.js';
import type { RawHost } from './raw-types.js';
import { didYouMean } from './suggest.js';
import { nodeOrigin } from './normalize-node.js';

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** `engine:` text → where the engine listens; a string is a problem. Pure. */
export function parseEngine(text: string): EngineRef | string {
  const m = /^([a-z]+):\/\/(.*)$/.exec(text);
  if (!m) return CONTEXT_NAME.test(text) ? { type: 'context', name: text } : `engine "${text}" is neither unix://PATH, tcp://HOST:PORT, ssh://[USER@]HOST[:PORT] nor a Docker context name`;
  const [, scheme, rest] = m as unknown as [string, string, string];
  if (scheme === 'unix') return rest.startsWith('/') ? { type: 'unix', path: rest } : `engine "${text}": unix:// needs an absolute socket path (unix:///var/run/docker.sock)`;
  if (scheme === 'tcp' || scheme === 'ssh') {
    const hp = /^(?:([^@/]+)@)?(\[[0-9a-fA-F:]+\]|[^:/@]+)(?::(\d+))?\/?$/.exec(rest);
    if (!hp || (scheme === 'tcp' && hp[1] !== undefined)) return `engine "${text}": expected ${scheme}://${scheme === 'ssh' ? '[USER@]' : ''}HOST[:PORT]`;
    const host = hp[2]!.replace(/^\[|\]$/g, '');
    const port = hp[3] !== undefined ? Number(hp[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) return `engine "${text}": port ${port} is out of range`;
    // no port: docker's default (tcp 2375, or 2376 with TLS, decided when connecting), ssh's from ~/.ssh/config or 22
    const p = port !== undefined ? { port } : {};
    if (scheme === 'tcp') return { type: 'tcp', host, ...p };
    return { type: 'ssh', host, ...p, ...(hp[1] !== undefined ? { user: hp[1] } : {}) };
  }
  return `engine "${text}": unknown scheme ${scheme}:// (use unix://, tcp://, ssh:// or a Docker context name)`;
}

/** The hosts section, checked: engines parse, underlays are addresses, no engine or underlay twice. */
export function normalizeHosts(raw: Record<string, RawHost | null> | undefined, dir: string, issues: IssueList, exists?: (p: string) => boolean): HostSpec[] | undefined {
  if (raw === undefined) return undefined;
  const out: HostSpec[] = [];
  const seenEngine = new Map<string, string>();
  const seenUnderlay = new Map<string, string>();
  if (Object.keys(raw).length === 0) issues.add(['hosts'], 'hosts: names no engine (remove the section, or name at least one)', 'key');
  for (const [name, h] of Object.entries(raw)) {
    const at = ['hosts', name];
    if (!h || h.engine === undefined) {
      issues.add(at, `host "${name}" has no engine (unix://…, tcp://…, ssh://… or a Docker context name)`, 'key');
      continue;
    }
    const engine = parseEngine(h.engine);
    if (typeof engine === 'string') issues.add([...at, 'engine'], engine);
    const key = h.engine.replace(/\/+$/, '');
    const twice = seenEngine.get(key);
    if (twice !== undefined) issues.add([...at, 'engine'], `engine ${h.engine} is already host "${twice}" (each host is one Docker engine)`);
    seenEngine.set(key, name);
    if (h.underlay === undefined) {
      issues.add(at, `host "${name}" has no underlay address (the address the other hosts reach it on; cross-host links tunnel over it)`, 'key');
    } else if (isIP(h.underlay) === 0) {
      issues.add([...at, 'underlay'], `underlay "${h.underlay}" is not an IP address`);
    } else {
      const other = seenUnderlay.get(h.underlay);
      if (other !== undefined) issues.add([...at, 'underlay'], `underlay ${h.underlay} is already host "${other}"'s`);
      seenUnderlay.set(h.underlay, name);
    }
    let tls: HostSpec['tls'];
    if (h.tls) {
      if (typeof engine !== 'string' && engine.type !== 'tcp') issues.add([...at, 'tls'], 'tls applies to tcp:// engines only', 'key');
      tls = {};
      // cert-path: a directory as DOCKER_CERT_PATH is, with docker's file names; a file given by itself wins
      const dirOf = h.tls['cert-path'] !== undefined ? resolveHostPath(h.tls['cert-path'], dir) : undefined;
      if (dirOf !== undefined && exists && !exists(dirOf)) issues.add([...at, 'tls', 'cert-path'], `TLS cert-path ${dirOf} does not exist`);
      for (const k of ['ca', 'cert', 'key'] as const) {
        const v = h.tls[k] ?? (dirOf !== undefined && (!exists || exists(join(dirOf, `${k}.pem`))) ? join(dirOf, `${k}.pem`) : undefined);
        if (v === undefined) continue;
        const abs = resolveHostPath(v, dir);
        if (exists && !exists(abs)) issues.add([...at, 'tls', k], `TLS ${k} file ${abs} does not exist`);
        tls[k] = abs;
      }
      if ((tls.cert === undefined) !== (tls.key === undefined)) issues.add([...at, 'tls'], 'a TLS client certificate needs both cert and key', 'key');
    }
    if (typeof engine !== 'string' && h.underlay !== undefined) {
      out.push({ name, engine: engine, engineText: h.engine, underlay: h.underlay, ...(tls ? { tls } : {}), pos: issues.map.locate(at, 'key') });
    }
  }
  return out;
}

/** Each node's `host:` names a host of the section (and a `host:` needs the section). */
export function checkNodeHosts(nodes: NodeSpec[], hosts: Record<string, unknown> | undefined, issues: IssueList): void {
  const names = Object.keys(hosts ?? {});
  for (const n of nodes) {
    if (n.host === undefined) continue;
    if (hosts === undefined) issues.addRef(nodeOrigin(n, 'host'), `host "${n.host}": the topology has no hosts section (name the Docker engines under hosts:)`);
    else if (!names.includes(n.host)) issues.addRef(nodeOrigin(n, 'host'), `host "${n.host}" is not defined${didYouMean(n.host, names)} (hosts: ${names.join(', ')})`);
  }
}
