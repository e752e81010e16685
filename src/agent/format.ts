/** Readable tables for `lab-agent neighbor` and `lab-agent rib`, in the spirit of `gobgp neighbor` / `gobgp global rib`. */
import type { AgentNeighborStatus, RibJson } from './admin-server.js';

export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function duration(secs: number): string {
  if (secs <= 0) return 'never';
  const d = Math.floor(secs / 86400);
  const h = Math.floor((secs % 86400) / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const hms = [h, m, s].map((x) => String(x).padStart(2, '0')).join(':');
  return d > 0 ? `${d}d ${hms}` : hms;
}

/** The BFD column appears only when some neighbor has BFD: its state, and our diagnostic when not Up. */
export function formatNeighbors(ns: AgentNeighborStatus[]): string {
  const bfd = ns.some((n) => n.bfd);
  const bfdCell = (n: AgentNeighborStatus) => (!n.bfd ? '-' : n.bfd.state === 'Up' || n.bfd.diag === 0 ? n.bfd.state : `${n.bfd.state}(diag ${n.bfd.diag})`);
  return table(
    ['Peer', 'AS', 'Up/Down', 'State', '#Received', 'Accepted', 'Advertised', ...(bfd ? ['BFD'] : []), 'Reason'],
    ns.map((n) => [n.address, String(n.asn), duration(n.uptimeSeconds), n.state, String(n.received), String(n.accepted), String(n.advertised), ...(bfd ? [bfdCell(n)] : []), n.state === 'Established' ? '' : n.lastError ?? n.reason]),
  );
}

export function formatRib(r: RibJson): string {
  const head = `Family ${r.family}: ${r.destinations} destinations, ${r.paths} paths`;
  if (!r.routes) return head;
  const rows = r.routes.map((x) => [
    `${x.best ? '*>' : '* '}${x.stale ? 'S' : ' '}`,
    x.prefix,
    x.nextHop,
    x.asPath.join(' ') || '-',
    x.origin,
    [...x.communities, ...x.largeCommunities].join(' '),
  ]);
  return `${head}\n${table(['', 'Network', 'Next Hop', 'AS_PATH', 'Origin', 'Communities'], rows)}`;
}
