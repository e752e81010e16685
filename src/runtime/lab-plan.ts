/**
 * A lab's plan as its commands see it. A topology that sets no management subnet gets
 * 172.20.20.0/24, as in containerlab; when another lab (or the host) already uses it, the deploy
 * moves the lab to the next free /24 and says so, and the lab directory records the subnet, so
 * every later command on that lab plans the same addresses.
 */
import { loadPlan, type LabPlan, type LoadOptions } from '../topology/index.js';
import type { Runtime } from './docker.js';
import { readAppliedPlan, readLabState } from './labdir.js';
import { pinClusterNodes } from './cluster-node-ids.js';
import { firstFreeSubnet, mgmtSubnetConflicts } from './mgmt-conflicts.js';
import { subnetSurroundings } from './mgmt.js';

/**
 * loadPlan, on the management subnet the lab's deploy recorded when its topology chose none, with
 * each cluster node on the Node (and container) it runs as (cluster-node-ids.ts: kind's names
 * follow places in the config, the running nodes do not).
 */
export async function loadLabPlan(file: string, opts: LoadOptions = {}): Promise<LabPlan> {
  const plan = await loadPlan(file, opts);
  const recorded = plan.mgmt.defaultSubnet ? (await readLabState(plan.labDir))?.mgmtSubnet : undefined;
  return pinned(recorded && recorded !== plan.mgmt.ipv4Subnet ? await loadPlan(file, { ...opts, defaultMgmtSubnet: recorded }) : plan);
}

async function pinned(plan: LabPlan): Promise<LabPlan> {
  if (!plan.nodes.some((n) => n.k8s)) return plan;
  const applied = await readAppliedPlan(plan.labDir);
  return applied ? pinClusterNodes(applied, plan) : plan;
}

/**
 * Before a deploy: a lab on the default subnet that collides with another network or the host
 * is planned again on the first free subnet (told through `notice`). A subnet the topology
 * chose is never moved: the deploy refuses it, naming what holds it.
 */
export async function planOnFreeSubnet(runtime: Runtime, plan: LabPlan, notice: (m: string) => void, opts: LoadOptions = {}): Promise<LabPlan> {
  if (!plan.mgmt.defaultSubnet) return plan;
  const { networks, host } = await subnetSurroundings(runtime);
  const conflicts = mgmtSubnetConflicts(plan.mgmt.ipv4Subnet, plan.mgmt.network, networks, host);
  if (conflicts.length === 0) return plan;
  const free = firstFreeSubnet(plan.mgmt.network, networks, host);
  if (!free) return plan;
  notice(`lab ${plan.name}: the default management subnet ${plan.mgmt.ipv4Subnet} ${conflicts[0]!.message}; using ${free} (set mgmt.ipv4-subnet to choose one)`);
  return pinned(await loadPlan(plan.file, { ...opts, defaultMgmtSubnet: free }));
}
