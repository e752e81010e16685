/**
 * Parsers for the string-encoded node properties: shell-like command lines, port
 * publications and bind mounts. Each returns a value or an error message.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { isIPv4, isIPv6 } from 'node:net';
import type { BindMount, PortMapping } from './types.js';

/**
 * Splits a command line into argv like a POSIX shell would, without expansion:
 * whitespace separates words, '…' is literal, "…" allows \" \\ \$ \` escapes,
 * a backslash outside quotes escapes the next character.
 */
export function shellSplit(line: string): string[] | string {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return `unterminated single quote in ${JSON.stringify(line)}`;
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1]!)) j++;
        cur += line[j];
      }
      if (j >= line.length) return `unterminated double quote in ${JSON.stringify(line)}`;
      i = j;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length && line[i + 1] !== '\n') cur += line[i + 1];
      i++;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const PORT_RE = /^(?:(\[[0-9A-Fa-f:.]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/;

/**
 * `[host-ip:]host-port:container-port[/proto]` or a bare container port. The host address
 * defaults to 127.0.0.1: a lab never publishes on every interface unless asked (0.0.0.0).
 * A bare container port gets hostPort 0 (Docker picks a free port).
 */
export function parsePort(spec: string | number): PortMapping | string {
  const s = String(spec).trim();
  if (/\d+-\d+/.test(s)) return `port ranges are not supported ("${s}"); list each port`;
  const m = PORT_RE.exec(s);
  if (!m) return `"${s}" is not a port publication (expected [host-ip:]host-port:container-port[/tcp|udp], e.g. "127.0.0.1:8080:80")`;
  let hostIp = m[1] ?? '127.0.0.1';
  if (hostIp.startsWith('[')) hostIp = hostIp.slice(1, -1);
  if (!isIPv4(hostIp) && !isIPv6(hostIp)) return `"${hostIp}" in "${s}" is not an IP address`;
  if (m[1] && m[2] === undefined) return `"${s}" names a host address but no host port (expected host-ip:host-port:container-port)`;
  const hostPort = m[2] === undefined ? 0 : Number(m[2]);
  const containerPort = Number(m[3]);
  for (const [what, p] of [['host', hostPort], ['container', containerPort]] as const) {
    if (p > 65535 || (p === 0 && (what === 'container' || m[2] !== undefined))) return `${what} port ${p} in "${s}" is out of range (1-65535)`;
  }
  return { hostIp, hostPort, containerPort, protocol: (m[4] ?? 'tcp') as 'tcp' | 'udp' };
}

/** Resolves a host path like containerlab: `~` is the home directory, relative paths are relative to the topology file's directory. */
export function resolveHostPath(p: string, dir: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(dir, p);
}

const BIND_OPTIONS = new Set(['ro', 'rw', 'z', 'Z', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'nocopy']);

/** `host-path:container-path[:opts]`; options other than ro/rw are accepted only when Docker knows them. */
export function parseBind(spec: string, dir: string): (BindMount & { options: string[] }) | string {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) return `"${spec}" is not a bind (expected host-path:container-path[:ro])`;
  const [src, target, opts] = parts as [string, string, string | undefined];
  if (!target.startsWith('/')) return `container path "${target}" in "${spec}" must be absolute`;
  const options = opts ? opts.split(',') : [];
  const bad = options.find((o) => !BIND_OPTIONS.has(o));
  if (bad !== undefined) return `unknown bind option "${bad}" in "${spec}" (use ro or rw)`;
  if (options.includes('ro') && options.includes('rw')) return `bind "${spec}" is both ro and rw`;
  return { source: resolveHostPath(src, dir), target, readOnly: options.includes('ro'), options };
}

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, p: 1e15, pb: 1e15, e: 1e18, eb: 1e18,
  ki: 2 ** 10, kib: 2 ** 10, mi: 2 ** 20, mib: 2 ** 20, gi: 2 ** 30, gib: 2 ** 30, ti: 2 ** 40, tib: 2 ** 40, pi: 2 ** 50, pib: 2 ** 50, ei: 2 ** 60, eib: 2 ** 60,
};

/**
 * A size as containerlab reads `memory`/`shm-size` (go-humanize's ParseBytes): `1G` and `1GB` are
 * 10^9 bytes, `1GiB` is 2^30, case does not matter, a space before the unit is allowed. Whole bytes,
 * or undefined when the text is not a size.
 */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([A-Za-z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * A dotenv file as containerlab reads env-files (godotenv): `KEY=VALUE` or `KEY: VALUE` lines,
 * optional `export `, blank lines and `#` comments skipped, values in '…' taken literally, in "…"
 * with \n and \" escapes, unquoted values trimmed and cut at ` #`. Returns the map or a message
 * naming the line at fault.
 */
export function parseEnvFile(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) return `line ${i + 1}: expected KEY=VALUE, got ${JSON.stringify(line)}`;
    const key = m[1]!;
    if (!ENV_KEY.test(key)) return `line ${i + 1}: "${key}" is not a variable name`;
    let v = m[2]!;
    const q = v[0];
    if (q === "'" || q === '"') {
      const end = v.lastIndexOf(q);
      if (end === 0) return `line ${i + 1}: unterminated ${q === '"' ? 'double' : 'single'} quote`;
      v = v.slice(1, end);
      if (q === '"') v = v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
    } else {
      v = v.replace(/\s+#.*$/, '').trim();
    }
    out[key] = v;
  }
  return out;
}
