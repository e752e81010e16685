import { KindlabError } from '../../errors.js';
/**
 * BGP session tables as each speaker prints them, parsed into one shape: FRR (`vtysh -c 'show bgp
 * summary json'`), BIRD (`birdc show protocols all`), GoBGP (`gobgp neighbor -j`) and our agent
 * (`lab-agent neighbor --json`). Pure functions over the command output.
 */

export interface Session {
  /** Peer address, or the interface for FRR unnumbered sessions. */
  peer: string;
  /** The speaker's own word for the state (Established, Active, Idle...). */
  state: string;
  established: boolean;
  remoteAs?: number;
  /** Prefixes received (accepted) from the peer, when the speaker reports it. */
  prefixes?: number;
  /** Protocol name (BIRD) or interface (FRR unnumbered), for messages. */
  label?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** FRR: peers of every address family, merged by peer (prefix counts summed over families). */
export function parseFrrSummary(stdout: string): Session[] {
  const data = JSON.parse(stdout || '{}') as unknown;
  if (!isObj(data)) throw new KindlabError('VERIFY', 'expected a JSON object from show bgp summary json');
  const byPeer = new Map<string, Session>();
  // `show bgp summary json` is keyed by family; with VRFs (`... vrf all`) one more level.
  const families = Object.values(data).every((v) => isObj(v) && isObj((v as Obj)['ipv4Unicast'] ?? (v as Obj)['ipv6Unicast'])) ? Object.values(data).flatMap((v) => Object.values(v as Obj)) : Object.values(data);
  for (const fam of families) {
    if (!isObj(fam) || !isObj(fam['peers'])) continue;
    for (const [peer, p] of Object.entries(fam['peers'] as Obj)) {
      if (!isObj(p)) continue;
      const state = String(p['state'] ?? p['peerState'] ?? 'unknown');
      const prev = byPeer.get(peer);
      const pfx = typeof p['pfxRcd'] === 'number' ? (p['pfxRcd'] as number) : typeof p['acceptedPrefixCounter'] === 'number' ? (p['acceptedPrefixCounter'] as number) : undefined;
      const s: Session = prev ?? { peer, state, established: state === 'Established' };
      if (typeof p['remoteAs'] === 'number') s.remoteAs = p['remoteAs'] as number;
      if (pfx !== undefined) s.prefixes = (prev?.prefixes ?? 0) + pfx;
      if (p['idType'] === 'interface') s.label = 'unnumbered';
      byPeer.set(peer, s);
    }
  }
  return [...byPeer.values()];
}

/** BIRD 2: every BGP protocol of `show protocols all`. */
export function parseBirdProtocols(stdout: string): Session[] {
  const out: Session[] = [];
  let cur: (Session & { imported?: number }) | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+\S+(?:\s+\S+)?\s*(.*)$/.exec(line);
    if (head) {
      if (cur) out.push(cur);
      const info = head[3]!.trim().split(/\s+/)[0] ?? '';
      cur = { peer: '', label: head[1]!, state: info || head[2]!, established: info === 'Established' };
      continue;
    }
    if (/^\S/.test(line)) {
      if (cur) out.push(cur);
      cur = undefined;
      continue;
    }
    if (!cur) continue;
    let m: RegExpExecArray | null;
    if ((m = /^\s+BGP state:\s+(\S+)/.exec(line))) {
      cur.state = m[1]!;
      cur.established = m[1] === 'Established';
    } else if ((m = /^\s+Neighbor address:\s+(\S+)/.exec(line))) cur.peer = m[1]!.replace(/%.*$/, '');
    else if ((m = /^\s+Neighbor AS:\s+(\d+)/.exec(line))) cur.remoteAs = Number(m[1]);
    else if ((m = /^\s+Routes:\s+(\d+) imported/.exec(line))) cur.prefixes = (cur.prefixes ?? 0) + Number(m[1]);
  }
  if (cur) out.push(cur);
  return out.map((s) => ({ ...s, peer: s.peer || s.label! }));
}

/** GoBGP 3: `gobgp neighbor -j` (OpenConfig-shaped JSON; session-state as a word or number). */
export function parseGobgpNeighbors(stdout: string): Session[] {
  const data = JSON.parse(stdout || '[]') as unknown;
  if (!Array.isArray(data)) throw new KindlabError('VERIFY', 'expected a JSON array from gobgp neighbor -j');
  const STATES = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];
  return data.filter(isObj).map((n) => {
    const conf = (isObj(n['conf']) ? n['conf'] : {}) as Obj;
    const st = (isObj(n['state']) ? n['state'] : {}) as Obj;
    const raw = st['session_state'] ?? st['session-state'] ?? 'unknown';
    const state = typeof raw === 'number' ? (STATES[raw] ?? String(raw)) : String(raw).toLowerCase();
    const afis = (Array.isArray(n['afi_safis']) ? n['afi_safis'] : Array.isArray(n['afi-safis']) ? n['afi-safis'] : []) as unknown[];
    let prefixes: number | undefined;
    for (const a of afis.filter(isObj)) {
      const s = (isObj(a['state']) ? a['state'] : {}) as Obj;
      const v = s['accepted'] ?? s['received'];
      if (typeof v === 'number') prefixes = (prefixes ?? 0) + v;
    }
    const peer = String(conf['neighbor_address'] ?? conf['neighbor-address'] ?? st['neighbor_address'] ?? st['neighbor-address'] ?? '');
    const asn = conf['peer_asn'] ?? conf['peer-as'] ?? st['peer_asn'] ?? st['peer-as'];
    return { peer, state, established: state === 'established', ...(typeof asn === 'number' ? { remoteAs: asn } : {}), ...(prefixes !== undefined ? { prefixes } : {}) };
  });
}

/** Our agent: `lab-agent neighbor --json` (the contract in docs/architecture.md). */
export function parseAgentNeighbors(stdout: string): Session[] {
  const data = JSON.parse(stdout || '[]') as unknown;
  if (!Array.isArray(data)) throw new KindlabError('VERIFY', 'expected a JSON array from lab-agent neighbor --json');
  return data.filter(isObj).map((n) => {
    const state = String(n['state'] ?? 'unknown');
    const prefixes = typeof n['accepted'] === 'number' ? (n['accepted'] as number) : typeof n['received'] === 'number' ? (n['received'] as number) : undefined;
    return { peer: String(n['address']), state, established: state.toLowerCase() === 'established', ...(typeof n['asn'] === 'number' ? { remoteAs: n['asn'] as number } : {}), ...(prefixes !== undefined ? { prefixes } : {}) };
  });
}
