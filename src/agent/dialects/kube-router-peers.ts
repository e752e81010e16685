/**
 * kube-router's peer and community inputs, validated the way kube-router validates them: positional lists
 * (flags and the deprecated peer.* annotations, where an empty item keeps its place), the kube-router.io/peers
 * YAML (remoteip, remoteasn, port, password, localip), reserved ASNs refused, communities as a:b, a 32-bit
 * integer or a well-known name. Bad input yields an error naming the field; never a peer with an empty address
 * or a NaN ASN. Pure.
 */
import { isIP } from 'node:net';
import { createRequire } from 'node:module';

/** yaml loads on the first peers annotation: a node's agent in another dialect does not carry it. */
let yamlMod: typeof import('yaml') | undefined;
const YAML = { parse: (text: string): unknown => (yamlMod ??= createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text) };
import { errorMessage } from '../../errors.js';

export interface KrPeer {
  ip: string;
  asn: number;
  port: number;
  password?: string;
  localIp?: string;
}

/** Positional split as kube-router does it: items keep their index; an empty string is no item at all. */
export const positional = (s: string | undefined): string[] => (s === undefined || s.trim() === '' ? [] : s.split(',').map((x) => x.trim()));

/** kube-router accepts a peer ASN only outside the reserved ranges (0, 23456, 64000-64511, 65535-131071, 4294967295). */
export function peerAsnOk(asn: number): boolean {
  return Number.isInteger(asn) && ((asn >= 1 && asn <= 23455) || (asn >= 23457 && asn <= 63999) || (asn >= 64512 && asn <= 65534) || (asn >= 131072 && asn <= 4199999999) || (asn >= 4200000000 && asn <= 4294967294));
}

/** --cluster-asn: private ranges only (64512-65535, 4200000000-4294967294). */
export const clusterAsnOk = (asn: number): boolean => Number.isInteger(asn) && ((asn >= 64512 && asn <= 65535) || (asn >= 4200000000 && asn <= 4294967294));

const uint = (s: string, max: number): number | undefined => (/^\d+$/.test(s) && Number(s) <= max ? Number(s) : undefined);
const b64 = (s: string): string | undefined => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
};

export interface PositionalInput {
  ips: string[];
  asns: string[];
  ports: string[];
  passwords: string[];
  localIps: string[];
}

/** Builds peers from positional lists; returns an error text (naming `what`) instead of any peer when one item is bad. */
export function positionalPeers(inp: PositionalInput, what: string): { peers: KrPeer[]; error?: string } {
  const fail = (m: string) => ({ peers: [], error: `${what}: ${m}` });
  const { ips, asns, ports, passwords, localIps } = inp;
  if (ips.length !== asns.length) return fail(`invalid peer router config, the number of IPs (${ips.length}) and ASN numbers (${asns.length}) must be equal`);
  if (passwords.length && passwords.length !== ips.length) return fail('the number of passwords should either be zero, or one per peer router (blank items for none)');
  if (ports.length && ports.length !== ips.length) return fail('the number of ports should either be zero, or one per peer router');
  if (localIps.length && localIps.length !== ips.length) return fail('the number of local IPs should either be zero, or one per peer router');
  const peers: KrPeer[] = [];
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i]!;
    if (isIP(ip) === 0) return fail(`could not parse "${ip}" as an IP`);
    const asn = uint(asns[i]!, 4294967295);
    if (asn === undefined) return fail(`could not parse "${asns[i]}" as an ASN`);
    if (!peerAsnOk(asn)) return fail(`reserved ASN number "${asn}" for global BGP peer`);
    const portText = ports[i] ?? '';
    const port = portText === '' ? 179 : uint(portText, 65535);
    if (port === undefined || port === 0) return fail(`could not parse "${portText}" as a port`);
    const pwText = passwords[i] ?? '';
    const password = pwText === '' ? undefined : b64(pwText);
    if (pwText !== '' && password === undefined) return fail(`password ${i + 1} is not base64`);
    const localIp = localIps[i] ?? '';
    if (localIp !== '' && isIP(localIp) === 0) return fail(`could not parse "${localIp}" as an IP`);
    peers.push({ ip, asn, port, ...(password ? { password } : {}), ...(localIp ? { localIp } : {}) });
  }
  return { peers };
}

/** The kube-router.io/peers annotation: a YAML list of {remoteip, remoteasn, port, password (base64), localip}. */
export function yamlPeers(text: string, what: string): { peers: KrPeer[]; error?: string } {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    return { peers: [], error: `${what}: ${errorMessage(e).split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) return { peers: [] };
  if (!Array.isArray(doc)) return { peers: [], error: `${what}: expected a YAML list of peers` };
  const inp: PositionalInput = { ips: [], asns: [], ports: [], passwords: [], localIps: [] };
  for (const [i, raw] of doc.entries()) {
    const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    if (e['remoteip'] === undefined || e['remoteip'] === null) return { peers: [], error: `${what}[${i}]: remoteip cannot be empty` };
    if (e['remoteasn'] === undefined || e['remoteasn'] === null) return { peers: [], error: `${what}[${i}]: remoteasn cannot be empty` };
    inp.ips.push(String(e['remoteip']).trim());
    inp.asns.push(String(e['remoteasn']).trim());
    inp.ports.push(e['port'] === undefined || e['port'] === null ? '' : String(e['port']).trim());
    inp.passwords.push(e['password'] === undefined || e['password'] === null ? '' : String(e['password']).trim());
    inp.localIps.push(e['localip'] === undefined || e['localip'] === null ? '' : String(e['localip']).trim());
  }
  return positionalPeers(inp, what);
}

const WELL_KNOWN: Record<string, string> = {
  'graceful-shutdown': '65535:0', 'accept-own': '65535:1', 'llgr-stale': '65535:6', 'no-llgr': '65535:7', blackhole: '65535:666',
  'no-export': '65535:65281', 'no-advertise': '65535:65282', 'no-export-subconfed': '65535:65283', 'no-peer': '65535:65284',
};

/**
 * One community as kube-router (GoBGP's ParseCommunity) reads it → "a:b", or undefined. Also a:b:c, read here as a
 * large community (a kindlab extension kube-router does not have).
 */
export function parseCommunity(s: string): { standard?: string; large?: string } | undefined {
  const v = s.trim();
  const n = uint(v, 4294967295);
  if (n !== undefined) return { standard: `${Math.floor(n / 65536)}:${n % 65536}` };
  const parts = v.split(':');
  if (parts.length === 2 && parts.every((p) => uint(p, 65535) !== undefined)) return { standard: `${Number(parts[0])}:${Number(parts[1])}` };
  if (parts.length === 3 && parts.every((p) => uint(p, 4294967295) !== undefined)) return { large: parts.map(Number).join(':') };
  const wk = WELL_KNOWN[v.toLowerCase()];
  return wk ? { standard: wk } : undefined;
}
