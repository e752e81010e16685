/**
 * The lab's management network: one Docker bridge network per lab, internal (no NAT out)
 * unless `mgmt.external: true`. An existing network of that name is reused when its subnet
 * matches; a name clash with another subnet is an error that says so.
 */
import { KindlabError } from '../errors.js';
import type { LabPlan } from '../topology/index.js';
import { mgmtNetworkOptions } from './container-spec.js';
import type { Runtime } from './docker.js';
import { LABEL_LAB } from './labels.js';
import { readHostRoutes } from './host-routes.js';
import { mgmtSubnetConflicts, type HostRoute, type NetworkSubnets } from './mgmt-conflicts.js';

export type MgmtOutcome = 'created' | 'reused' | 'not-needed';

/** Some node or link uses the management network. */
export function mgmtNeeded(plan: LabPlan): boolean {
  return plan.nodes.some((n) => n.networkMode.type === 'bridge') || plan.links.some((l) => l.type === 'mgmt-net');
}

export async function ensureMgmtNetwork(runtime: Runtime, plan: LabPlan): Promise<MgmtOutcome> {
  if (!mgmtNeeded(plan)) return 'not-needed';
  const existing = await runtime.inspectNetwork(plan.mgmt.network);
  if (existing) {
    if (!existing.subnets.includes(plan.mgmt.ipv4Subnet)) {
      throw new KindlabError('RUNTIME_DOCKER', `management network ${plan.mgmt.network} exists with subnet ${existing.subnets.join(', ') || '(none)'}, not ${plan.mgmt.ipv4Subnet}`, {
        hint: `set mgmt.ipv4-subnet to ${existing.subnets[0] ?? 'its subnet'}, choose another mgmt.network, or remove it: docker network rm ${plan.mgmt.network}`,
      });
    }
    const owner = existing.labels[LABEL_LAB];
    if (owner !== undefined && owner !== plan.name) {
      throw new KindlabError('RUNTIME_DOCKER', `management network ${plan.mgmt.network} belongs to lab ${owner}`, {
        hint: `choose another mgmt.network, or destroy that lab: lab destroy --name ${owner}`,
      });
    }
    return 'reused';
  }
  await assertSubnetFree(runtime, plan);
  await runtime.createNetwork(mgmtNetworkOptions(plan));
  return 'created';
}

/** What a mgmt subnet would collide with: the Docker networks and the host's addresses and routes, read now. */
export async function subnetSurroundings(runtime: Runtime): Promise<{ networks: NetworkSubnets[]; host: HostRoute[] }> {
  const [nets, host] = await Promise.all([runtime.listNetworks({}), readHostRoutes()]);
  return { networks: nets.map((n) => ({ name: n.name, subnets: n.subnets, lab: n.labels[LABEL_LAB], bridge: n.bridge })), host };
}

/** Refuses a mgmt subnet that overlaps another Docker network or the host's own addresses/routes. */
export async function assertSubnetFree(runtime: Runtime, plan: LabPlan): Promise<void> {
  const { networks, host } = await subnetSurroundings(runtime);
  const conflicts = mgmtSubnetConflicts(plan.mgmt.ipv4Subnet, plan.mgmt.network, networks, host);
  if (conflicts.length === 0) return;
  const lab = networks.find((n) => n.name === conflicts[0]!.with)?.lab;
  throw new KindlabError('MGMT_SUBNET', `lab ${plan.name}: management subnet ${plan.mgmt.ipv4Subnet} ${conflicts.map((c) => c.message).join('; ')}`, {
    hint: lab ? `set mgmt.ipv4-subnet to a free subnet, or destroy that lab first: lab destroy --name ${lab}` : 'set mgmt.ipv4-subnet to a subnet the host does not use',
  });
}

/** The Linux bridge behind the lab's management network (mgmt-net links put their host end on it). */
export async function mgmtBridgeName(runtime: Runtime, plan: LabPlan): Promise<string> {
  const net = await runtime.inspectNetwork(plan.mgmt.network);
  if (!net) throw new KindlabError('RUNTIME_DOCKER', `management network ${plan.mgmt.network} does not exist; mgmt-net links need it`);
  return net.bridge;
}
