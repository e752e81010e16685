/**
 * MetalLB dialect (BGP mode; L2 is not modelled). metallb.io/v1beta2 BGPPeer → peers of the nodes its nodeSelectors
 * pick; metallb.io/v1beta1 IPAddressPool + BGPAdvertisement → the LoadBalancer IPs allocated from the pools (the
 * cluster's LB-IPAM controller writes them into status.loadBalancer.ingress), announced as MetalLB's speaker does:
 *   - only pools some BGPAdvertisement selects (ipAddressPools by name, ipAddressPoolSelectors by label, neither = all),
 *     only from nodes its nodeSelectors pick, aggregated to aggregationLength / aggregationLengthV6 (32/128 by default),
 *     with its communities (a:b, large:a:b:c, or an alias from a Community object) and localPref;
 *   - externalTrafficPolicy Local: only from nodes with a ready endpoint; Cluster: from every node while the
 *     service has a ready endpoint anywhere; never from nodes labelled node.kubernetes.io/exclude-from-external-load-balancers.
 * Objects MetalLB's webhook refuses (bad ASN/address/port, password and passwordSecret together, ebgpMultiHop on an
 * iBGP peer, an aggregation length shorter than the pool's CIDR, an unknown community alias) are refused here with the
 * object and field named; the rest keeps working. A bfdProfile gives the session BFD with that BFDProfile's timers
 * (a missing profile refuses the peer, as MetalLB does). Fields that cannot apply in the lab (vrf, echoMode) are reported.
 */
import { isIP } from 'node:net';
import type { KubeObject, Service } from '../../cluster/client/index.js';
import type { Family } from '../../bgp/index.js';
import { addAdvert, emptyIntent, finish, findNode, isLocalPolicy, loadBalancerIPs, matchesSelector, nodeAddresses, nodesWithReadyEndpoints, parseDuration, peerDefaults, svcName, type DaemonDefaults, type LabelSelector } from './common.js';
import { aggregate, ipToBig, parsePoolEntry, rangeCovers, type PoolRange } from './metallb-pools.js';
import type { AgentIntent, ClusterView, CustomKind, Dialect, PeerIntent } from './types.js';
import { objectsOf } from './view.js';

export const METALLB_GROUP = 'metallb.io';
export const METALLB_KINDS: CustomKind[] = [
  { kind: 'BGPPeer', apiVersion: 'metallb.io/v1beta2', plural: 'bgppeers', namespaced: true },
  { kind: 'IPAddressPool', apiVersion: 'metallb.io/v1beta1', plural: 'ipaddresspools', namespaced: true },
  { kind: 'BGPAdvertisement', apiVersion: 'metallb.io/v1beta1', plural: 'bgpadvertisements', namespaced: true },
  { kind: 'Community', apiVersion: 'metallb.io/v1beta1', plural: 'communities', namespaced: true },
  { kind: 'BFDProfile', apiVersion: 'metallb.io/v1beta1', plural: 'bfdprofiles', namespaced: true },
];

/**
 * MetalLB's speaker runs FRR: 120 s connect retry (FRR's `timers connect` default, MetalLB's connectTime when set)
 * and only its service announcements go to the peers.
 */
export const METALLB_FRR_DEFAULTS: DaemonDefaults = { connectRetry: 120, exportPolicy: 'originated' };
export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const specOf = (o: KubeObject): Obj => {
  const s = (o as { spec?: unknown }).spec;
  return isObj(s) ? s : {};
};
const validAsn = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 4294967295;
const validPort = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536;
const nameOf = (o: KubeObject): string => (typeof o.metadata?.name === 'string' ? o.metadata.name : '');
const selectors = (x: unknown): LabelSelector[] => (Array.isArray(x) ? x.filter(isObj) as LabelSelector[] : []);
/** MetalLB nodeSelectors: a node matches when any selector matches; none = every node. */
const anySelects = (sels: LabelSelector[], labels: Record<string, string> | undefined): boolean => sels.length === 0 || sels.some((s) => matchesSelector(s, labels));
const strList = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

/** A duration field (`90s`, `1m30s`): seconds; `undefined` when missing; NaN-free. */
function durationField(x: unknown, who: string, problems: string[]): number | undefined | false {
  if (x === undefined || x === null) return undefined;
  const s = typeof x === 'string' ? parseDuration(x, Number.NaN) : Number.NaN;
  if (!Number.isFinite(s) || s < 0) { problems.push(`${who}: ${JSON.stringify(x)} is not a duration`); return false; }
  return s;
}

interface MlbPeer { name: string; myAsn: number; routerId?: string; peer: PeerIntent }

function readPeer(v: ClusterView, o: KubeObject, problems: string[]): MlbPeer | undefined {
  const s = specOf(o);
  const name = nameOf(o);
  const who = `BGPPeer ${o.metadata?.namespace ?? 'default'}/${name}`;
  const refuse = (m: string): undefined => { problems.push(`${who}: ${m}; like MetalLB, this peer is refused`); return undefined; };
  if (!validAsn(s.myASN)) return refuse(`spec.myASN ${JSON.stringify(s.myASN)} is not an AS number`);
  let peerAsn: number;
  if (s.dynamicASN !== undefined && s.peerASN !== undefined) return refuse('spec.peerASN and spec.dynamicASN are mutually exclusive');
  if (s.dynamicASN === 'internal') peerAsn = s.myASN;
  else if (s.dynamicASN !== undefined) return refuse(`spec.dynamicASN ${JSON.stringify(s.dynamicASN)} needs the peer's ASN learned from its OPEN, which this agent does not do`);
  else if (!validAsn(s.peerASN)) return refuse(`spec.peerASN ${JSON.stringify(s.peerASN)} is not an AS number`);
  else peerAsn = s.peerASN;
  if (s.interface !== undefined && s.interface !== '') return refuse('spec.interface (BGP unnumbered) is not supported in this lab');
  const addr = typeof s.peerAddress === 'string' ? s.peerAddress.trim() : '';
  if (isIP(addr) === 0) return refuse(`spec.peerAddress ${JSON.stringify(s.peerAddress)} is not an IP address`);
  if (s.peerPort !== undefined && !validPort(s.peerPort)) return refuse(`spec.peerPort ${JSON.stringify(s.peerPort)} is not a port (1-65535)`);
  const hold = durationField(s.holdTime, `${who}: spec.holdTime`, problems);
  const keep = durationField(s.keepaliveTime, `${who}: spec.keepaliveTime`, problems);
  const connect = durationField(s.connectTime, `${who}: spec.connectTime`, problems);
  if (hold === false || keep === false || connect === false) return refuse('a timer is not a duration');
  if (hold !== undefined && hold !== 0 && hold < 3) return refuse(`spec.holdTime ${hold}s: must be 0 or at least 3s`);
  const holdTime = hold ?? 90;
  const keepalive = keep ?? (hold !== undefined ? Math.floor(holdTime / 3) : 30);
  if (holdTime !== 0 && keepalive > holdTime) return refuse(`spec.keepaliveTime ${keepalive}s is longer than spec.holdTime ${holdTime}s`);
  if (s.ebgpMultiHop === true && s.myASN === peerAsn) return refuse('spec.ebgpMultiHop is set on an iBGP peer (myASN = peerASN)');
  const p = peerDefaults(addr, peerAsn, `MetalLB ${who}`, METALLB_FRR_DEFAULTS);
  p.port = validPort(s.peerPort) ? s.peerPort : 179;
  p.holdTime = holdTime;
  p.keepalive = keepalive;
  if (connect !== undefined && connect > 0) p.connectRetry = connect;
  if (s.ebgpMultiHop === true) p.multihopTtl = 255;
  if (s.enableGracefulRestart === true) p.gracefulRestart = { enabled: true, restartTime: 120 };
  const own: Family = isIP(addr) === 6 ? 'ipv6-unicast' : 'ipv4-unicast';
  // FRR mode carries both families on one session unless disableMP.
  p.families = s.disableMP === true ? [own] : [own, own === 'ipv4-unicast' ? 'ipv6-unicast' : 'ipv4-unicast'];
  if (s.sourceAddress !== undefined && s.sourceAddress !== '') {
    if (typeof s.sourceAddress !== 'string' || isIP(s.sourceAddress.trim()) === 0) return refuse(`spec.sourceAddress ${JSON.stringify(s.sourceAddress)} is not an IP address`);
    p.localAddress = s.sourceAddress.trim();
  }
  const hasPw = typeof s.password === 'string' && s.password !== '';
  if (hasPw && s.passwordSecret !== undefined) return refuse('spec.password and spec.passwordSecret are mutually exclusive');
  if (hasPw) p.password = s.password as string;
  else if (s.passwordSecret !== undefined) {
    const ref = isObj(s.passwordSecret) ? s.passwordSecret : {};
    const sname = typeof ref.name === 'string' ? ref.name : '';
    const ns = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : (o.metadata?.namespace ?? 'metallb-system');
    const sec = v.secrets.find((x) => x.metadata.namespace === ns && x.metadata.name === sname);
    if (!sec) return refuse(`spec.passwordSecret: secret ${ns}/${sname} not found`);
    if (sec.type !== undefined && sec.type !== 'kubernetes.io/basic-auth') return refuse(`spec.passwordSecret: secret ${ns}/${sname} has type ${sec.type}, MetalLB needs kubernetes.io/basic-auth`);
    const pw = sec.stringData?.password ?? (sec.data?.password !== undefined ? Buffer.from(sec.data.password, 'base64').toString('utf8') : undefined);
    if (pw === undefined) return refuse(`spec.passwordSecret: secret ${ns}/${sname} has no key "password"`);
    p.password = pw;
  }
  if (s.bfdProfile !== undefined && s.bfdProfile !== '') {
    const bfd = readBfdProfile(v, o, s.bfdProfile, who, problems);
    if (typeof bfd === 'string') return refuse(bfd);
    p.bfd = bfd;
  }
  if (typeof s.vrf === 'string' && s.vrf) problems.push(`${who}: spec.vrf ${s.vrf} is not applied in this lab; the session uses the node's default VRF`);
  const routerId = typeof s.routerID === 'string' && isIP(s.routerID.trim()) === 4 ? s.routerID.trim() : undefined;
  if (s.routerID !== undefined && s.routerID !== '' && !routerId) problems.push(`${who}: spec.routerID ${JSON.stringify(s.routerID)} is not an IPv4 address; the node address is used`);
  return { name, myAsn: s.myASN, routerId, peer: p };
}

/** MetalLB's BFDProfile defaults (its API reference: 300 ms, 300 ms, multiplier 3). */
const BFD_PROFILE_DEFAULTS = { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 } as const;

/**
 * spec.bfdProfile → the BFD settings of the session, from the BFDProfile of that name in the peer's namespace, as
 * MetalLB's FRR speaker configures bfdd. A missing profile makes MetalLB refuse the configuration ("peer X referencing
 * non existing bfd profile Y"); here only that peer is refused. echoMode cannot apply (no echo function) and is reported.
 */
function readBfdProfile(v: ClusterView, peer: KubeObject, ref: unknown, who: string, problems: string[]): NonNullable<PeerIntent['bfd']> | string {
  if (typeof ref !== 'string') return `spec.bfdProfile ${JSON.stringify(ref)} is not a profile name`;
  const ns = peer.metadata?.namespace ?? 'metallb-system';
  const prof = objectsOf(v, METALLB_GROUP, 'BFDProfile').find((b) => nameOf(b) === ref && (b.metadata?.namespace ?? 'metallb-system') === ns);
  if (!prof) return `spec.bfdProfile: peer ${nameOf(peer)} referencing non existing bfd profile ${ref}`;
  const b = specOf(prof);
  const pwho = `BFDProfile ${ns}/${ref}`;
  const int = (k: string, min: number, max: number, dflt: number): number | string => {
    const x = b[k];
    if (x === undefined || x === null) return dflt;
    return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max ? x : `${pwho}: spec.${k} ${JSON.stringify(x)} must be an integer in ${min}-${max}`;
  };
  const rx = int('receiveInterval', 10, 60000, BFD_PROFILE_DEFAULTS.receiveInterval);
  const tx = int('transmitInterval', 10, 60000, BFD_PROFILE_DEFAULTS.transmitInterval);
  const mult = int('detectMultiplier', 2, 255, BFD_PROFILE_DEFAULTS.detectMultiplier);
  const minTtl = b.minimumTtl === undefined ? undefined : int('minimumTtl', 1, 254, 254);
  for (const x of [rx, tx, mult, minTtl]) if (typeof x === 'string') return x;
  if (b.echoMode === true) problems.push(`${who}: ${pwho} spec.echoMode is not applied (the agent's BFD has no echo function); control packets alone detect a failure`);
  return {
    minTxMs: tx as number,
    minRxMs: rx as number,
    multiplier: mult as number,
    ...(b.passiveMode === true ? { passive: true } : {}),
    ...(typeof minTtl === 'number' ? { minTtl } : {}),
  };
}

interface Pool { name: string; labels: Record<string, string>; ranges: PoolRange[] }

function readPools(v: ClusterView, problems: string[]): Pool[] {
  return objectsOf(v, METALLB_GROUP, 'IPAddressPool').map((o) => {
    const s = specOf(o);
    const ranges: PoolRange[] = [];
    const addrs = Array.isArray(s.addresses) ? s.addresses : [];
    addrs.forEach((a, i) => {
      const r = parsePoolEntry(a);
      if (r) ranges.push(r);
      else problems.push(`IPAddressPool ${nameOf(o)}: spec.addresses[${i}] ${JSON.stringify(a)} is neither a CIDR nor an address range; entry ignored`);
    });
    return { name: nameOf(o), labels: o.metadata?.labels ?? {}, ranges };
  });
}

/** Communities of an advertisement: `a:b` (16-bit halves), `large:a:b:c` (32-bit), or a Community alias. */
function resolveCommunities(v: ClusterView, values: string[], who: string): { communities: string[]; largeCommunities: string[] } | string {
  const aliases = new Map<string, string>();
  for (const c of objectsOf(v, METALLB_GROUP, 'Community')) {
    const list = specOf(c).communities;
    for (const e of Array.isArray(list) ? list : []) if (isObj(e) && typeof e.name === 'string' && typeof e.value === 'string') aliases.set(e.name, e.value);
  }
  const out = { communities: [] as string[], largeCommunities: [] as string[] };
  for (const raw of values) {
    const val = aliases.get(raw) ?? raw;
    const std = /^(\d+):(\d+)$/.exec(val);
    const large = /^large:(\d+):(\d+):(\d+)$/i.exec(val);
    if (std && Number(std[1]) <= 65535 && Number(std[2]) <= 65535) out.communities.push(`${Number(std[1])}:${Number(std[2])}`);
    else if (large && [large[1], large[2], large[3]].every((x) => Number(x) <= 4294967295)) out.largeCommunities.push(`${Number(large[1])}:${Number(large[2])}:${Number(large[3])}`);
    else return `${who}: community ${JSON.stringify(raw)}${aliases.has(raw) ? ` (alias of ${JSON.stringify(val)})` : ''} is neither a:b (16-bit each), large:a:b:c nor a Community alias`;
  }
  return out;
}

export function computeMetallb(v: ClusterView, nodeName: string): AgentIntent {
  const node = findNode(v, nodeName);
  if (!node) return emptyIntent('metallb', nodeName, [`node ${nodeName} not found`]);
  const problems: string[] = [];
  const labels = node.metadata.labels ?? {};
  const peerObjs = [...objectsOf(v, METALLB_GROUP, 'BGPPeer')].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const mine: MlbPeer[] = [];
  for (const o of peerObjs) {
    if (!anySelects(selectors(specOf(o).nodeSelectors), labels)) continue;
    const p = readPeer(v, o, problems);
    if (!p) continue;
    const dup = mine.find((m) => m.peer.address === p.peer.address);
    if (dup) { problems.push(`BGPPeer ${p.name}: peer ${p.peer.address} is already defined by BGPPeer ${dup.name}; like MetalLB, the duplicate is refused`); continue; }
    if (mine.length && p.myAsn !== mine[0]!.myAsn) {
      problems.push(`BGPPeer ${p.name}: spec.myASN ${p.myAsn} differs from ${mine[0]!.myAsn} of BGPPeer ${mine[0]!.name}; MetalLB's FRR speaker runs one AS per node, so this peer is refused`);
      continue;
    }
    mine.push(p);
  }
  if (mine.length === 0) return emptyIntent('metallb', nodeName, problems);
  const routerId = mine.find((m) => m.routerId)?.routerId ?? nodeAddresses(node).v4 ?? '';
  if (!routerId) problems.push(`node ${nodeName} has no IPv4 InternalIP and no BGPPeer sets spec.routerID`);
  const intent: AgentIntent = {
    dialect: 'metallb', node: nodeName, localAsn: mine[0]!.myAsn, routerId, peers: mine.map((m) => m.peer), advertise: [],
    installRoutes: false, ibgpMesh: false, problems,
  };
  if (Object.prototype.hasOwnProperty.call(labels, EXCLUDE_LABEL)) return finish(intent);
  const pools = readPools(v, problems);
  const myPeerNames = new Set(mine.map((m) => m.name));
  for (const ad of [...objectsOf(v, METALLB_GROUP, 'BGPAdvertisement')].sort((a, b) => nameOf(a).localeCompare(nameOf(b)))) {
    const s = specOf(ad);
    const who = `BGPAdvertisement ${ad.metadata?.namespace ?? 'default'}/${nameOf(ad)}`;
    if (!anySelects(selectors(s.nodeSelectors), labels)) continue;
    const peerNames = strList(s.peers);
    if (peerNames.length) {
      const here = peerNames.filter((n) => myPeerNames.has(n));
      if (here.length === 0) continue;
      if (here.length < myPeerNames.size) problems.push(`${who}: spec.peers limits it to ${here.join(', ')}, but this agent sends one table to all of the node's peers (${[...myPeerNames].join(', ')})`);
    }
    const agg4 = s.aggregationLength ?? 32, agg6 = s.aggregationLengthV6 ?? 128;
    if (typeof agg4 !== 'number' || !Number.isInteger(agg4) || agg4 < 0 || agg4 > 32) { problems.push(`${who}: spec.aggregationLength ${JSON.stringify(agg4)} is not 0-32; advertisement refused`); continue; }
    if (typeof agg6 !== 'number' || !Number.isInteger(agg6) || agg6 < 0 || agg6 > 128) { problems.push(`${who}: spec.aggregationLengthV6 ${JSON.stringify(agg6)} is not 0-128; advertisement refused`); continue; }
    if (s.localPref !== undefined && (typeof s.localPref !== 'number' || !Number.isInteger(s.localPref) || s.localPref < 0 || s.localPref > 4294967295)) { problems.push(`${who}: spec.localPref ${JSON.stringify(s.localPref)} is not a 32-bit unsigned integer; advertisement refused`); continue; }
    const comms = resolveCommunities(v, strList(s.communities), who);
    if (typeof comms === 'string') { problems.push(`${comms}; advertisement refused`); continue; }
    const byName = strList(s.ipAddressPools);
    const bySel = selectors(s.ipAddressPoolSelectors);
    const selected = byName.length === 0 && bySel.length === 0 ? pools : pools.filter((p) => byName.includes(p.name) || bySel.some((sel) => matchesSelector(sel, p.labels)));
    // As MetalLB validates: no CIDR of a selected pool (a range counts as its CIDR blocks) may be more specific than the
    // aggregation length, or the aggregate would cover addresses the pool does not own.
    const tooShort = selected.flatMap((p) => p.ranges.filter((r) => r.prefixLens.some((l) => l > (r.family === 4 ? agg4 : agg6))).map(() => p.name));
    if (tooShort.length) { problems.push(`${who}: aggregation length ${agg4}/${agg6} is shorter than a CIDR of IPAddressPool ${tooShort[0]}; advertisement refused`); continue; }
    for (const svc of v.services) {
      for (const ipText of serviceIps(v, svc, nodeName)) {
        const ip = ipToBig(ipText)!;
        const pool = poolOf(svc, ip, pools);
        if (!pool || !selected.includes(pool)) continue;
        const prefix = aggregate(ip, ip.family === 4 ? agg4 : agg6);
        addAdvert(intent.advertise, {
          prefix, ...comms, ...(typeof s.localPref === 'number' ? { localPref: s.localPref } : {}),
          reason: `service ${svcName(svc)} loadBalancerIP ${ipText} from IPAddressPool ${pool.name} (${who}${isLocalPolicy(svc) ? ', eTP Local' : ''})`,
        });
      }
    }
  }
  return finish(intent);
}

/** The service's LoadBalancer IPs this node announces (eTP Local: a ready endpoint here; Cluster: one anywhere). */
function serviceIps(v: ClusterView, svc: Service, nodeName: string): string[] {
  if ((svc.spec as { loadBalancerClass?: string }).loadBalancerClass) return [];
  const ips = loadBalancerIPs(svc);
  if (!ips.length) return [];
  const ready = nodesWithReadyEndpoints(v, svc);
  if (isLocalPolicy(svc) ? !ready.has(nodeName) : ready.size === 0) return [];
  return ips;
}

function poolOf(svc: Service, ip: { family: 4 | 6; n: bigint }, pools: Pool[]): Pool | undefined {
  const named = svc.metadata.annotations?.[POOL_ANNOTATION];
  const covering = pools.filter((p) => p.ranges.some((r) => rangeCovers(r, ip)));
  return covering.find((p) => p.name === named) ?? covering[0];
}

export const metallb: Dialect<Record<string, never>> = {
  name: 'metallb',
  kinds: METALLB_KINDS,
  parseFlags: () => ({}),
  compute: (v, nodeName) => computeMetallb(v, nodeName),
};
