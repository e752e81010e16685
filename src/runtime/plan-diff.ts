/**
 * `lab apply`: the deployed plan (recorded in `<labDir>/applied-plan.json`) against the plan of
 * the edited topology. Pure: which nodes are added, removed or changed (and why), which links are
 * added or removed, which nodes only gained or lost exec lines; then what an in-place apply does
 * with that (which containers go, which come, which links are made, which sharers restart), and
 * the `terraform plan`-like text. Source positions are not part of a node or a link: editing the
 * file elsewhere changes nothing.
 */
import { withSourceOf, type LabPlan, type LinkSpec, type NodePlan } from '../topology/index.js';

/** What a deployed lab was made from: the plan's nodes and links, as JSON. */
export interface AppliedPlan {
  nodes: NodePlan[];
  links: LinkSpec[];
  /** The parts of the plan that cannot change in place (mgmt network, cluster spec), canonical JSON. */
  fixed: string;
  /** Content hash of each manifest entry as applied, by path (absent in labs recorded before). */
  manifests?: ManifestHashes;
  /** Content hash of each node's startup-config file as its container was made with, by container. */
  startupConfigs?: Record<string, string>;
}

export interface NodeChange {
  node: string;
  /** Its name in the old plan when it differs (a cluster node whose place in the kind config moved). */
  was?: string;
  /** The node's keys whose value differs (exec apart). */
  keys: string[];
}

export interface ExecChange {
  node: string;
  added: string[];
  removed: string[];
}

export interface PlanDiff {
  addedNodes: string[];
  removedNodes: string[];
  /** The container must be made again (image, binds, startup-config... changed). */
  changedNodes: NodeChange[];
  /** Only the exec lines changed: the added lines run, nothing restarts. */
  execChanges: ExecChange[];
  addedLinks: string[];
  removedLinks: string[];
  /** Set when the lab-wide settings (mgmt, cluster) differ: not applicable in place. */
  fixedChanged: boolean;
  /** Manifest entries whose contents changed, that were added or removed. */
  manifests: ManifestChange[];
}

export interface ManifestChange {
  path: string;
  change: 'changed' | 'added' | 'removed';
}

/** Keys that say where a thing was written, or that follow from others, not what it is. */
const IGNORED_NODE_KEYS = new Set(['exec', 'dependsOn']);
/** `pos`, `keyPos`, `endpointPos`...: where in the file, not what. */
const POSITION_KEY = /^pos$|Pos$/;

function canonical(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => {
    if (POSITION_KEY.test(k)) return undefined;
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return x;
  });
}

/** A link's identity: its type and its ends (order-free). */
export function linkKey(l: LinkSpec): string {
  const ends = l.endpoints.map((e) => `${e.node}:${e.iface}`).sort();
  return l.type === 'veth' ? ends.join(' -- ') : `${ends.join(' -- ')} (${l.type})`;
}

export function appliedPlan(plan: LabPlan, files: FileHashes = {}): AppliedPlan {
  const { manifests, startupConfigs } = files;
  return { nodes: plan.nodes, links: plan.links, fixed: fixedPart(plan), ...(manifests ? { manifests } : {}), ...(startupConfigs ? { startupConfigs } : {}) };
}

function fixedPart(plan: Pick<LabPlan, 'mgmt' | 'cluster' | 'name' | 'prefix'>): string {
  const { ipv4Subnet, ipv6Subnet, network, bridge, external, mtu } = plan.mgmt;
  // the cluster's nodes are nodes of the plan (their `k8s` key): joined and removed one by one, not lab-wide
  const spec = plan.cluster?.spec;
  const cluster = spec ? Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'nodes' && k !== 'warnings')) : null;
  return canonical({ name: plan.name, prefix: plan.prefix, mgmt: { ipv4Subnet, ipv6Subnet, network, bridge, external, mtu }, cluster });
}

/** The lab-wide fields that differ, as dotted paths (`mgmt.ipv4Subnet`, `cluster.podSubnet`), for the refusal. */
export function fixedChanges(old: AppliedPlan, plan: Pick<LabPlan, 'mgmt' | 'cluster' | 'name' | 'prefix'>): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    const obj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
    if (obj(a) && obj(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], path ? `${path}.${k}` : k);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
  };
  let before: unknown;
  try {
    before = JSON.parse(old.fixed);
  } catch {
    return ['(recorded plan)'];
  }
  walk(before, JSON.parse(fixedPart(plan)), '');
  return out;
}

function changedKeys(a: NodePlan, b: NodePlan): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    if (IGNORED_NODE_KEYS.has(k) || POSITION_KEY.test(k)) continue;
    if (canonical((a as unknown as Record<string, unknown>)[k]) !== canonical((b as unknown as Record<string, unknown>)[k])) out.push(k);
  }
  return out;
}

/**
 * Kept nodes keep the management address they run with (the plan hands out free addresses in
 * node order, so a node added before them would otherwise move theirs); added nodes get one no
 * kept node holds. Returns the new plan with those addresses.
 */
export function pinMgmtAddresses(old: AppliedPlan, plan: LabPlan, free: (taken: Set<string>) => string | undefined): LabPlan {
  // by container: a cluster node whose topology name moved keeps its address
  const before = new Map(old.nodes.map((n) => [n.containerName, n]));
  const taken = new Set<string>();
  const nodes = plan.nodes.map((n) => {
    const o = before.get(n.containerName);
    if (o && n.mgmtIPv4 !== undefined && o.mgmtIPv4 !== undefined) {
      taken.add(o.mgmtIPv4);
      return { ...n, mgmtIPv4: o.mgmtIPv4 };
    }
    return n;
  });
  const out = nodes.map((n) => {
    if (before.has(n.containerName) || n.mgmtIPv4 === undefined || !taken.has(n.mgmtIPv4)) {
      if (n.mgmtIPv4 !== undefined) taken.add(n.mgmtIPv4);
      return n;
    }
    const ip = free(taken);
    if (ip) taken.add(ip);
    return { ...n, mgmtIPv4: ip };
  });
  return withSourceOf(plan, { ...plan, nodes: out });
}

/**
 * Both plans with every node named by its container, the identity across plans (a cluster node
 * keeps its container when kind's place-derived name moves, cluster-node-ids.ts), references
 * (netns owner, network-mode, wait-for, link ends) likewise; and the way back to each plan's names.
 */
interface Keyed {
  old: { nodes: NodePlan[]; links: LinkSpec[] };
  now: { nodes: NodePlan[]; links: LinkSpec[] };
  /** container → the old plan's node name, and the new plan's. */
  oldName: Map<string, string>;
  newName: Map<string, string>;
  /** identity link key → the old plan's link key, and the new plan's. */
  oldLink: Map<string, string>;
  newLink: Map<string, string>;
}

function byContainer(nodes: NodePlan[], links: LinkSpec[]): { nodes: NodePlan[]; links: LinkSpec[]; names: Map<string, string>; linkNames: Map<string, string> } {
  const c = new Map(nodes.map((n) => [n.name, n.containerName]));
  const ref = (s: string) => c.get(s) ?? s;
  const out = nodes.map((n) => ({
    ...n,
    name: ref(n.name),
    netnsOwner: ref(n.netnsOwner),
    waitFor: n.waitFor.map(ref),
    networkMode: n.networkMode.type === 'container' && n.networkMode.node !== undefined ? { ...n.networkMode, node: ref(n.networkMode.node) } : n.networkMode,
    // the place in the kind config is not what the node is
    ...(n.k8s ? { k8s: { ...n.k8s, index: 0 } } : {}),
  }));
  const keyedLinks = links.map((l) => ({ ...l, endpoints: l.endpoints.map((e) => ({ ...e, node: ref(e.node) })) }) as LinkSpec);
  const linkNames = new Map(links.map((l, i) => [linkKey(keyedLinks[i]!), linkKey(l)]));
  return { nodes: out, links: keyedLinks, names: new Map(nodes.map((n) => [n.containerName, n.name])), linkNames };
}

function keyedPlans(old: AppliedPlan, plan: Pick<LabPlan, 'nodes' | 'links'>): Keyed {
  const o = byContainer(old.nodes, old.links);
  const n = byContainer(plan.nodes, plan.links);
  return { old: o, now: n, oldName: o.names, newName: n.names, oldLink: o.linkNames, newLink: n.linkNames };
}

/** The diff of two plans whose nodes are named alike (by container). */
function diffKeyed(old: { nodes: NodePlan[]; links: LinkSpec[] }, plan: { nodes: NodePlan[]; links: LinkSpec[] }, startup: Set<string> = new Set()): Omit<PlanDiff, 'fixedChanged' | 'manifests'> {
  const before = new Map(old.nodes.map((n) => [n.name, n]));
  const after = new Map(plan.nodes.map((n) => [n.name, n]));
  const diff: Omit<PlanDiff, 'fixedChanged' | 'manifests'> = { addedNodes: [], removedNodes: [], changedNodes: [], execChanges: [], addedLinks: [], removedLinks: [] };
  for (const n of plan.nodes) {
    const o = before.get(n.name);
    if (!o) {
      diff.addedNodes.push(n.name);
      continue;
    }
    const keys = changedKeys(o, n);
    // the file is copied into the node when its container is made: other contents, made again
    if (startup.has(n.name) && !keys.includes('startupConfig')) keys.push('startup-config contents');
    if (keys.length) diff.changedNodes.push({ node: n.name, keys });
    else if (canonical(o.exec) !== canonical(n.exec)) {
      diff.execChanges.push({ node: n.name, added: n.exec.filter((l) => !o.exec.includes(l)), removed: o.exec.filter((l) => !n.exec.includes(l)) });
    }
  }
  for (const o of old.nodes) if (!after.has(o.name)) diff.removedNodes.push(o.name);
  const oldLinks = new Map(old.links.map((l) => [linkKey(l), canonical(l)]));
  const newLinks = new Map(plan.links.map((l) => [linkKey(l), canonical(l)]));
  for (const [k, v] of newLinks) {
    const o = oldLinks.get(k);
    if (o === undefined) diff.addedLinks.push(k);
    else if (o !== v) {
      // same ends, other settings (addresses, MTU): made again
      diff.removedLinks.push(k);
      diff.addedLinks.push(k);
    }
  }
  for (const k of oldLinks.keys()) if (!newLinks.has(k)) diff.removedLinks.push(k);
  return diff;
}

/** Content hashes of the cluster's manifest entries, by path (manifest-hash.ts reads them). */
export type ManifestHashes = Record<string, string>;

/** The current contents of the files a plan names, hashed (manifest-hash.ts): what the recorded hashes are compared with. */
export interface FileHashes {
  manifests?: ManifestHashes;
  /** By container. */
  startupConfigs?: Record<string, string>;
}

/** Nodes (by container) whose startup-config file has other contents than their container was made with; both sides known only. */
function startupChanged(old: AppliedPlan, files: FileHashes): Set<string> {
  const before = old.startupConfigs;
  const now = files.startupConfigs;
  if (!before || !now) return new Set();
  return new Set(Object.keys(now).filter((c) => c in before && before[c] !== now[c]));
}

/**
 * `old` against `plan`, in each plan's own names (removed nodes and links by the old plan's,
 * the rest by the new one's). `manifests` are the current hashes of the plan's manifest entries:
 * compared with the recorded ones when both are known.
 */
export function diffPlans(old: AppliedPlan, plan: LabPlan, files: FileHashes = {}): PlanDiff {
  const k = keyedPlans(old, plan);
  const d = diffKeyed(k.old, k.now, startupChanged(old, files));
  const nn = (c: string) => k.newName.get(c) ?? c;
  const on = (c: string) => k.oldName.get(c) ?? c;
  const remade = new Set(d.removedLinks.filter((l) => d.addedLinks.includes(l)));
  return {
    addedNodes: d.addedNodes.map(nn),
    removedNodes: d.removedNodes.map(on),
    changedNodes: d.changedNodes.map((c) => ({ ...c, node: nn(c.node), ...(on(c.node) !== nn(c.node) ? { was: on(c.node) } : {}) })),
    execChanges: d.execChanges.map((c) => ({ ...c, node: nn(c.node) })),
    // a link made again is shown by its new name on both sides
    addedLinks: d.addedLinks.map((l) => k.newLink.get(l) ?? l),
    removedLinks: d.removedLinks.map((l) => (remade.has(l) ? k.newLink.get(l) : k.oldLink.get(l)) ?? l),
    fixedChanged: old.fixed !== fixedPart(plan),
    manifests: manifestChanges(old.manifests, files.manifests),
  };
}

function manifestChanges(before: ManifestHashes | undefined, now: ManifestHashes | undefined): ManifestChange[] {
  // a lab recorded before hashes were kept: nothing known to compare
  if (!before || !now) return [];
  const out: ManifestChange[] = [];
  for (const [path, h] of Object.entries(now)) {
    if (!(path in before)) out.push({ path, change: 'added' });
    else if (before[path] !== h) out.push({ path, change: 'changed' });
  }
  for (const path of Object.keys(before)) if (!(path in now)) out.push({ path, change: 'removed' });
  return out;
}

export function isEmptyDiff(d: PlanDiff): boolean {
  return !d.fixedChanged && !d.addedNodes.length && !d.removedNodes.length && !d.changedNodes.length && !d.execChanges.length && !d.addedLinks.length && !d.removedLinks.length && !d.manifests.length;
}

/** What an in-place apply does, derived from the diff and the new plan. */
export interface ApplySteps {
  /** Containers removed (removed and changed nodes; sharers before their owners). */
  removeContainers: string[];
  /** Links deleted between nodes that stay (a removed node's links go with its container). */
  deleteLinks: string[];
  /** Containers created (added and changed nodes), in the new plan's wave order. */
  createNodes: string[];
  /** Kept sharers of a re-made owner: they hold its old namespace and are restarted into the new one. */
  restartSharers: string[];
  /** Links created: added ones and every link of a node made again. */
  createLinks: string[];
  /** Exec lines run on nodes that are not made again. */
  execLines: Array<{ node: string; lines: string[] }>;
  /** Kubernetes nodes leaving the cluster (removed or made again): drained and their Node deleted before their containers go. */
  leaveCluster: string[];
  /** Kubernetes nodes created: joined to the running cluster after their links and exec lines (Node, daemon, agent). */
  joinCluster: string[];
  /** The cluster's manifests are applied again (server-side apply) so their node selectors meet the nodes that joined. */
  reapplyObjects: boolean;
  /** Manifest entries applied again because their contents changed (or they were added), in the topology's order. */
  reapplyManifests: string[];
  /** The Kubernetes Node name of each cluster node, by node name, in the old plan and in the new one. */
  nodeNames: { before: Record<string, string>; now: Record<string, string> };
}

export function applySteps(old: AppliedPlan, plan: LabPlan, d: PlanDiff): ApplySteps {
  // worked out by container (the identity), then said in each plan's names
  const k = keyedPlans(old, plan);
  // the nodes the diff found changed (startup-config contents included: known only to it)
  const containerOf = new Map(plan.nodes.map((n) => [n.name, n.containerName]));
  const kd = diffKeyed(k.old, k.now, new Set(d.changedNodes.map((c) => containerOf.get(c.node) ?? c.node)));
  const on = (c: string) => k.oldName.get(c) ?? c;
  const nn = (c: string) => k.newName.get(c) ?? c;
  const remade = new Set([...kd.changedNodes.map((c) => c.node)]);
  const gone = new Set([...kd.removedNodes, ...remade]);
  const oldByName = new Map(k.old.nodes.map((n) => [n.name, n]));
  const sharersLast = (names: string[]) => [...names].sort((a, b) => Number(oldByName.get(a)?.netnsOwner === a) - Number(oldByName.get(b)?.netnsOwner === b));
  const removeContainers = sharersLast(k.old.nodes.filter((n) => gone.has(n.name)).map((n) => n.name));
  const restartSharers = k.now.nodes.filter((n) => n.netnsOwner !== n.name && !gone.has(n.name) && !kd.addedNodes.includes(n.name) && gone.has(n.netnsOwner)).map((n) => n.name);
  // an end whose namespace goes away takes the link with it; the others are deleted by hand
  // (a sharer's interfaces live in its owner's namespace: removing the sharer leaves them)
  const nsGone = (node: string) => gone.has(oldByName.get(node)?.netnsOwner ?? node);
  const deleteLinks = k.old.links.filter((l) => kd.removedLinks.includes(linkKey(l)) && !l.endpoints.some((e) => nsGone(e.node))).map(linkKey);
  const touches = (l: LinkSpec) => l.endpoints.some((e) => remade.has(e.node) || restartSharers.includes(e.node));
  const createLinks = k.now.links.filter((l) => kd.addedLinks.includes(linkKey(l)) || touches(l)).map(linkKey);
  const adding = new Set([...kd.addedNodes, ...remade].map(nn));
  const createNodes = plan.waves.flat().filter((n) => adding.has(n));
  const execLines = kd.execChanges.filter((c) => c.added.length).map((c) => ({ node: nn(c.node), lines: c.added }));
  const leaveCluster = k.old.nodes.filter((n) => n.k8s && gone.has(n.name)).map((n) => on(n.name));
  const newByName = new Map(plan.nodes.map((n) => [n.name, n]));
  const joinCluster = createNodes.filter((n) => newByName.get(n)?.k8s);
  const added = new Set(d.manifests.filter((m) => m.change !== 'removed').map((m) => m.path));
  const reapplyManifests = (plan.cluster?.manifests ?? []).map((m) => m.path).filter((p) => added.has(p));
  const nodeNames = (nodes: NodePlan[]) => Object.fromEntries(nodes.filter((n) => n.k8s).map((n) => [n.name, n.k8s!.nodeName]));
  return {
    removeContainers: removeContainers.map(on),
    deleteLinks: deleteLinks.map((l) => k.oldLink.get(l) ?? l),
    createNodes,
    restartSharers: restartSharers.map(nn),
    createLinks: [...new Set(createLinks.map((l) => k.newLink.get(l) ?? l))],
    execLines,
    leaveCluster,
    joinCluster,
    reapplyObjects: joinCluster.length > 0,
    reapplyManifests,
    nodeNames: { before: nodeNames(old.nodes), now: nodeNames(plan.nodes) },
  };
}

/** `terraform plan`-like: `+` added, `-` removed, `~` changed in place, `-/+` made again. */
export function formatDiff(lab: string, d: PlanDiff, steps: ApplySteps): string {
  if (isEmptyDiff(d)) return `lab ${lab}: no changes; the running lab matches the topology\n`;
  const lines: string[] = [`lab ${lab}: the running lab and the topology differ:`, ''];
  const joins = new Set(steps.joinCluster);
  const leaves = new Set(steps.leaveCluster);
  const { before, now } = steps.nodeNames;
  for (const n of d.addedNodes) lines.push(`  + node ${n}${joins.has(n) ? ` (Kubernetes node ${now[n]}: joins the running cluster)` : ''}`);
  for (const c of d.changedNodes) lines.push(`-/+ node ${c.node}${c.was ? ` (was ${c.was})` : ''} (container made again: ${c.keys.join(', ')} changed${joins.has(c.node) ? '; it leaves and joins the cluster again' : ''})`);
  for (const c of d.execChanges) {
    lines.push(`  ~ node ${c.node} (exec lines)`);
    for (const l of c.added) lines.push(`      + exec: ${l}`);
    for (const l of c.removed) lines.push(`      - exec: ${l} (not undone: it already ran)`);
  }
  for (const n of d.removedNodes) lines.push(`  - node ${n}${leaves.has(n) ? ` (Kubernetes node ${before[n]}: drained, its Node deleted)` : ''}`);
  for (const s of steps.restartSharers) lines.push(`  ~ node ${s} (restarted: it shares the netns of a node made again)`);
  const remadeLinks = new Set(d.removedLinks.filter((k) => d.addedLinks.includes(k)));
  for (const k of d.addedLinks) if (!remadeLinks.has(k)) lines.push(`  + link ${k}`);
  for (const k of remadeLinks) lines.push(`-/+ link ${k} (settings changed)`);
  for (const k of d.removedLinks) if (!remadeLinks.has(k)) lines.push(`  - link ${k}`);
  const relinked = steps.createLinks.filter((k) => !d.addedLinks.includes(k));
  for (const k of relinked) lines.push(`  ~ link ${k} (made again with its node)`);
  for (const m of d.manifests) {
    if (m.change === 'changed') lines.push(`  ~ manifest ${m.path} changed: re-apply`);
    else if (m.change === 'added') lines.push(`  + manifest ${m.path}: apply`);
    else lines.push(`  - manifest ${m.path} (no longer listed: its objects stay in the cluster, delete them with kubectl)`);
  }
  if (steps.reapplyObjects) lines.push('  ~ cluster objects (the manifests applied again, for the joining nodes)');
  // a kept cluster node whose place in the kind config moved: its topology name follows the place, its Node stays
  for (const [n, node] of Object.entries(now)) {
    const was = Object.entries(before).find(([, v]) => v === node)?.[0];
    if (was !== undefined && was !== n && !d.changedNodes.some((c) => c.node === n)) lines.push(`    node ${n} (was ${was}) runs on as Kubernetes node ${node}, untouched`);
  }
  const nodes = (n: number) => `${n} node${n === 1 ? '' : 's'}`;
  const links = (n: number) => `${n} link${n === 1 ? '' : 's'}`;
  lines.push('', `Plan: ${nodes(d.addedNodes.length)} to add, ${nodes(d.changedNodes.length + d.execChanges.length)} to change, ${nodes(d.removedNodes.length)} to remove; ${links(d.addedLinks.length - remadeLinks.size)} to add, ${links(d.removedLinks.length - remadeLinks.size)} to remove.`);
  if (d.fixedChanged) lines.push('The lab-wide settings (name, prefix, mgmt network or cluster) changed: they cannot change in place.');
  return `${lines.join('\n')}\n`;
}
