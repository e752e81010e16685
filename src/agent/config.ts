/**
 * Standalone agent configuration: YAML (positions kept) → schema check (ajv, errors as file:line:col) →
 * the speaker's internal types. The user's shape (schemas/agent-config.schema.json) stays at this edge.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { KindlabError, TopologyError, type TopologyIssue, errorMessage } from '../errors.js';
import type { NeighborConfig, OriginateAttrs, SpeakerConfig } from '../bgp/index.js';
import type { Family } from '../bgp/index.js';
import { BFD_DEFAULTS, type BfdPeerConfig } from '../bfd/index.js';

export interface AgentFileNeighbor {
  address: string;
  name?: string;
  asn: number;
  port?: number;
  passive?: boolean;
  localAddress?: string;
  multihopTtl?: number;
  gtsm?: boolean;
  password?: string;
  holdTime?: number;
  keepaliveTime?: number;
  connectRetryTime?: number;
  idleHoldTime?: number;
  gracefulRestart?: { enabled?: boolean; restartTime?: number; stalePathTime?: number };
  families?: Family[];
  maxPrefixes?: number;
  nextHopSelf?: boolean;
  routeReflectorClient?: boolean;
  extendedNextHop?: boolean;
  /** BFD for this session (`true` = FRR's defaults); BFD going down tears the BGP session down at once. */
  bfd?: boolean | AgentFileBfd;
}

/** Named as FRR's bfdd profile settings (and MetalLB's BFDProfile); intervals in milliseconds. */
export interface AgentFileBfd {
  enabled?: boolean;
  transmitInterval?: number;
  receiveInterval?: number;
  detectMultiplier?: number;
  /** RFC 5883 (UDP 4784, no TTL 255 check); default: eBGP multihop (multihopTtl > 1). */
  multihop?: boolean;
  /** Multihop only: lowest TTL accepted (default 254). */
  minimumTtl?: number;
  passiveMode?: boolean;
}

export interface AgentFile {
  asn: number;
  routerId: string;
  listen?: { address?: string; port?: number };
  admin?: string;
  multipath?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  neighbors?: AgentFileNeighbor[];
  originate?: Array<{ prefix: string; nextHop?: string; med?: number; localPref?: number; communities?: string[]; largeCommunities?: string[] }>;
}

export interface AgentConfig {
  speaker: SpeakerConfig;
  admin: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  originate: Array<{ prefix: string; attrs: OriginateAttrs }>;
  /** BFD sessions, one per neighbor that asks for BFD. */
  bfd: BfdPeerConfig[];
}

import { DEFAULT_ADMIN } from './admin-addr.js';
export { DEFAULT_ADMIN };

const schemaPath = fileURLToPath(new URL('../../schemas/agent-config.schema.json', import.meta.url));
let validator: ReturnType<AjvClass['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    // Loaded on first use: the k8s-mode agent on every node imports this module (DEFAULT_ADMIN) but never
    // validates a file, and ajv's module graph costs ~8 MB of RSS.
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('ipv4', (s: string) => net.isIPv4(s));
    ajv.addFormat('ipv6', (s: string) => net.isIPv6(s));
    validator = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** Position of a JSON pointer (`/neighbors/0/asn`) in the YAML document. */
function positionOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, pointer: string, key = false): { line: number; col: number } {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const seg of pointer.split('/').slice(1)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === seg);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
      keyNode = undefined;
    } else break;
  }
  const n = ((key && keyNode) || node || keyNode) as YamlNode | undefined;
  const off = n?.range?.[0] ?? 0;
  const p = lc.linePos(off);
  return { line: p.line, col: p.col };
}

function message(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown key "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
  if (e.keyword === 'not' && e.instancePath.endsWith('/holdTime')) return 'hold time must be 0 or at least 3 (RFC 4271 §4.2)';
  if (e.keyword === 'enum') return `${e.message}: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  return e.message ?? e.keyword;
}

/** Parses and checks a config text; throws TopologyError (code BGP_CONFIG) listing every problem with its position. */
export function parseAgentConfig(text: string, file: string): AgentConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const issues: TopologyIssue[] = [];
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    issues.push({ file, line: p.line, col: p.col, path: '', message: e.message.split('\n')[0]! });
  }
  if (issues.length > 0) throw new TopologyError('BGP_CONFIG', issues);
  const data = doc.toJS() as unknown;
  const seen = new Set<string>();
  for (const e of validate(data)) {
    if (e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const extra = e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}` : '';
    const p = positionOf(doc, lc, e.instancePath + extra, extra !== '');
    const path = (e.instancePath || '/').slice(1).replace(/\/(\d+)/g, '[$1]').replaceAll('/', '.') || '(root)';
    const line = `${path}: ${message(e)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    issues.push({ file, ...p, path, message: message(e) });
  }
  const cfg = data as AgentFile;
  if (issues.length === 0) {
    (cfg.neighbors ?? []).forEach((n, i) => {
      if ((cfg.neighbors ?? []).findIndex((m) => m.address === n.address) !== i) {
        issues.push({ file, ...positionOf(doc, lc, `/neighbors/${i}/address`), path: `neighbors[${i}].address`, message: `duplicate neighbor ${n.address}` });
      }
    });
  }
  if (issues.length > 0) throw new TopologyError('BGP_CONFIG', issues, { hint: 'see schemas/agent-config.schema.json' });
  return toInternal(cfg);
}

export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new KindlabError('BGP_CONFIG', `cannot read ${file}: ${errorMessage(e)}`, { cause: e });
  }
  return parseAgentConfig(text, file);
}

function neighbor(n: AgentFileNeighbor, localAsn: number): NeighborConfig {
  const ebgp = n.asn !== localAsn;
  const hops = n.multihopTtl ?? (ebgp ? 1 : 64);
  const families = n.families ?? [net.isIPv6(n.address) ? 'ipv6-unicast' : 'ipv4-unicast'];
  return {
    name: n.name,
    peerAddress: n.address,
    peerAsn: n.asn,
    port: n.port,
    passive: n.passive,
    localAddress: n.localAddress,
    // GTSM (RFC 5082): send 255, accept only 255 - hops + 1 and above.
    ttl: n.gtsm ? 255 : hops,
    minTtl: n.gtsm ? 256 - hops : undefined,
    password: n.password,
    holdTime: n.holdTime,
    keepaliveTime: n.keepaliveTime,
    connectRetryTime: n.connectRetryTime,
    idleHoldTime: n.idleHoldTime,
    gracefulRestart: n.gracefulRestart?.enabled ? { enabled: true, restartTime: n.gracefulRestart.restartTime } : undefined,
    stalePathTime: n.gracefulRestart?.stalePathTime,
    families,
    maxPrefixes: n.maxPrefixes,
    nextHopSelf: n.nextHopSelf,
    routeReflectorClient: n.routeReflectorClient,
    extendedNextHop: n.extendedNextHop,
  };
}

/** The BFD session of a neighbor, or undefined when it has none. */
export function neighborBfd(n: AgentFileNeighbor, localAsn: number): BfdPeerConfig | undefined {
  const b = n.bfd === true ? {} : n.bfd === false || n.bfd === undefined ? undefined : n.bfd;
  if (!b || b.enabled === false) return undefined;
  const hops = n.multihopTtl ?? (n.asn !== localAsn ? 1 : 64);
  const multihop = b.multihop ?? (n.asn !== localAsn && hops > 1);
  return {
    peer: n.address,
    ...(n.localAddress ? { local: n.localAddress } : {}),
    minTxMs: b.transmitInterval ?? BFD_DEFAULTS.minTxMs,
    minRxMs: b.receiveInterval ?? BFD_DEFAULTS.minRxMs,
    multiplier: b.detectMultiplier ?? BFD_DEFAULTS.multiplier,
    ...(multihop ? { multihop: true, ...(b.minimumTtl !== undefined ? { minTtl: b.minimumTtl } : {}) } : {}),
    ...(b.passiveMode ? { passive: true } : {}),
  };
}

function toInternal(f: AgentFile): AgentConfig {
  const listenAddr = f.listen?.address ?? '::';
  return {
    speaker: {
      asn: f.asn,
      routerId: f.routerId,
      listen: { address: listenAddr, port: f.listen?.port ?? 179 },
      neighbors: (f.neighbors ?? []).map((n) => neighbor(n, f.asn)),
      multipath: f.multipath,
    },
    admin: f.admin ?? DEFAULT_ADMIN,
    logLevel: f.logLevel ?? 'info',
    bfd: (f.neighbors ?? []).flatMap((n) => neighborBfd(n, f.asn) ?? []),
    originate: (f.originate ?? []).map((o) => ({
      prefix: o.prefix,
      attrs: { communities: o.communities, largeCommunities: o.largeCommunities, med: o.med, localPref: o.localPref, nextHop: o.nextHop },
    })),
  };
}
