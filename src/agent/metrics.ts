/** Prometheus text exposition of the speaker's state (pure: status in, text out). */
import type { NeighborStatus } from '../bgp/index.js';

const STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const;
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(neighbors: NeighborStatus[], rib: Array<{ family: string; destinations: number; paths: number }>, extra: { updatesIn: number; uptimeSeconds: number }): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, rows: Array<[Record<string, string>, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) {
      const l = Object.entries(labels).map(([k, x]) => `${k}="${esc(x)}"`).join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const peer = (n: NeighborStatus) => ({ peer: n.address, peer_asn: String(n.asn) });
  metric('lab_agent_bgp_session_state', 'gauge', 'BGP FSM state: 1 for the current state.', neighbors.flatMap((n) => STATES.map((s): [Record<string, string>, number] => [{ ...peer(n), state: s }, n.state === s ? 1 : 0])));
  metric('lab_agent_bgp_session_established', 'gauge', '1 when the session is Established.', neighbors.map((n) => [peer(n), n.state === 'Established' ? 1 : 0]));
  metric('lab_agent_bgp_session_uptime_seconds', 'gauge', 'Seconds since the session was established.', neighbors.map((n) => [peer(n), n.uptimeSeconds]));
  metric('lab_agent_bgp_session_flaps_total', 'counter', 'Times the session left Established.', neighbors.map((n) => [peer(n), n.flaps]));
  metric('lab_agent_bgp_routes_received', 'gauge', 'Prefixes received from the peer (Adj-RIB-In).', neighbors.map((n) => [peer(n), n.received]));
  metric('lab_agent_bgp_routes_accepted', 'gauge', 'Prefixes accepted from the peer.', neighbors.map((n) => [peer(n), n.accepted]));
  metric('lab_agent_bgp_routes_advertised', 'gauge', 'Prefixes advertised to the peer (Adj-RIB-Out).', neighbors.map((n) => [peer(n), n.advertised]));
  const msgs = (dir: 'received' | 'sent') =>
    neighbors.flatMap((n) => Object.entries(n.messages[dir]).map(([type, v]): [Record<string, string>, number] => [{ ...peer(n), type }, v]));
  metric('lab_agent_bgp_messages_received_total', 'counter', 'BGP messages received, by type.', msgs('received'));
  metric('lab_agent_bgp_messages_sent_total', 'counter', 'BGP messages sent, by type.', msgs('sent'));
  metric('lab_agent_bgp_updates_processed_total', 'counter', 'UPDATE messages applied to the RIB.', [[{}, extra.updatesIn]]);
  metric('lab_agent_bgp_rib_destinations', 'gauge', 'Destinations in the Loc-RIB.', rib.map((r) => [{ family: r.family }, r.destinations]));
  metric('lab_agent_bgp_rib_paths', 'gauge', 'Paths in the Loc-RIB.', rib.map((r) => [{ family: r.family }, r.paths]));
  metric('lab_agent_uptime_seconds', 'gauge', 'Seconds since the agent started.', [[{}, extra.uptimeSeconds]]);
  return `${out.join('\n')}\n`;
}
