/**
 * The node's Service NAT state, read back from `iptables-save -t nat` (the node daemon's KINDLAB-*
 * chains), as virtual services with their real servers: what `ipvsadm -Ln` shows on a
 * kube-router node with IPVS. Pure.
 *
 *   KINDLAB-SERVICES   -d VIP/32 -p P --dport N -j KINDLAB-SVC-… | KINDLAB-EXT-…
 *   KINDLAB-NODEPORTS  -p P --dport N -j KINDLAB-EXT-…
 *   KINDLAB-EXT-…      -j KINDLAB-SVC-… | KINDLAB-SVL-…   (eTP Local: SVL, the local endpoints)
 *   KINDLAB-SVC/SVL-…  [-m recent --rcheck --seconds T] -j KINDLAB-SEP-…  (ClientIP affinity = persistent T)
 *   KINDLAB-SEP-…      -j DNAT --to-destination IP:PORT
 */

export interface RealServer {
  address: string;
  port: number;
}

export interface VirtualService {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** The VIP (cluster, external or LoadBalancer IP), or `*` for a NodePort (every local address). */
  address: string;
  port: number;
  kind: 'ClusterIP' | 'ExternalIP' | 'NodePort';
  /** `namespace/name:port` from the rule comment. */
  service: string;
  /** ClientIP session affinity timeout (ipvsadm's `persistent`). */
  persistentSeconds?: number;
  /** eTP Local: only this node's endpoints. */
  localOnly: boolean;
  servers: RealServer[];
}

interface Rule {
  text: string;
  target: string;
}

const opt = (text: string, name: string): string | undefined => new RegExp(`(?:^|\\s)${name} (\\S+)`).exec(text)?.[1];
const comment = (text: string): string => /--comment (?:"([^"]*)"|(\S+))/.exec(text)?.slice(1).find((x) => x !== undefined) ?? '';

function rulesByChain(save: string): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const line of save.split('\n')) {
    const m = /^-A (KINDLAB-\S+) (.*)$/.exec(line.trim());
    if (!m) continue;
    const target = opt(m[2]!, '-j') ?? '';
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), { text: m[2]!, target }]);
  }
  return out;
}

function balance(chains: Map<string, Rule[]>, chain: string): { servers: RealServer[]; persistentSeconds?: number } {
  const servers: RealServer[] = [];
  let persistentSeconds: number | undefined;
  for (const r of chains.get(chain) ?? []) {
    if (!r.target.startsWith('KINDLAB-SEP-')) continue;
    const secs = /--rcheck --seconds (\d+)/.exec(r.text)?.[1];
    if (secs) persistentSeconds = Number(secs);
    for (const sep of chains.get(r.target) ?? []) {
      const to = opt(sep.text, '--to-destination');
      const m = to && /^(.+):(\d+)$/.exec(to);
      if (m && !servers.some((s) => s.address === m[1] && s.port === Number(m[2]))) servers.push({ address: m[1]!, port: Number(m[2]) });
    }
  }
  return { servers, ...(persistentSeconds !== undefined ? { persistentSeconds } : {}) };
}

/** Follows a portal's jump (SVC directly, or EXT → SVC/SVL) to the endpoints. */
function resolve(chains: Map<string, Rule[]>, target: string): { servers: RealServer[]; persistentSeconds?: number; localOnly: boolean } {
  if (target.startsWith('KINDLAB-SVC-')) return { ...balance(chains, target), localOnly: false };
  const ext = chains.get(target) ?? [];
  const svl = ext.find((r) => r.target.startsWith('KINDLAB-SVL-'));
  const svc = ext.find((r) => r.target.startsWith('KINDLAB-SVC-') && !/--src-type LOCAL|-s \S+/.test(r.text));
  if (svl) return { ...balance(chains, svl.target), localOnly: true };
  return { ...(svc ? balance(chains, svc.target) : { servers: [] }), localOnly: !svc };
}

export function parseServiceNat(save: string): VirtualService[] {
  const chains = rulesByChain(save);
  const out: VirtualService[] = [];
  const add = (r: Rule, address: string, kind: VirtualService['kind']) => {
    const port = Number(opt(r.text, '--dport'));
    const protocol = (opt(r.text, '-p') ?? 'tcp').toUpperCase() as VirtualService['protocol'];
    const service = comment(r.text).replace(/ (cluster IP|external IP)$/, '');
    out.push({ protocol, address, port, kind, service, ...resolve(chains, r.target) });
  };
  for (const r of chains.get('KINDLAB-SERVICES') ?? []) {
    const d = opt(r.text, '-d');
    if (!d || !/^KINDLAB-(SVC|EXT)-/.test(r.target)) continue;
    add(r, d.replace(/\/32$/, ''), r.target.startsWith('KINDLAB-SVC-') ? 'ClusterIP' : 'ExternalIP');
  }
  for (const r of chains.get('KINDLAB-NODEPORTS') ?? []) if (r.target.startsWith('KINDLAB-EXT-')) add(r, '*', 'NodePort');
  return out;
}

/** ipvsadm -Ln's layout. The scheduler is `random` (iptables statistic), not IPVS's rr. */
export function formatServiceNat(vs: VirtualService[]): string {
  const lines = ['kindlab Service NAT (iptables, no IPVS): virtual services and their real servers', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight'];
  for (const v of vs) {
    const flags = [v.persistentSeconds !== undefined ? `persistent ${v.persistentSeconds}` : '', v.localOnly ? 'local' : ''].filter(Boolean).join(' ');
    lines.push(`${v.protocol.padEnd(4)} ${`${v.address}:${v.port}`.padEnd(21)} random ${flags}`.trimEnd() + `   # ${v.kind} ${v.service}`);
    for (const s of v.servers) lines.push(`  -> ${`${s.address}:${s.port}`.padEnd(28)} Masq    1`);
  }
  return lines.join('\n');
}
