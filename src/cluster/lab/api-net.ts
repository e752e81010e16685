/**
 * Publishing the API server on 127.0.0.1.
 *
 * Why a second network: the lab's management network is Docker-internal (no way out), and Docker
 * does not publish ports of containers on internal networks. So the control-plane container
 * alone also joins a small per-lab bridge network, `kindlab-<lab>-api`, which is NOT internal,
 * and publishes `127.0.0.1:<port>` → 6443 through it (port: kind's apiServerPort, else one
 * Docker picks). To keep that network from being a way out (or in):
 *   - its IP masquerade is disabled (`com.docker.network.bridge.enable_ip_masquerade=false`);
 *   - two DOCKER-USER rules drop every FORWARDED packet entering or leaving its bridge.
 * The host's own connection to the published port (docker-proxy, or DNAT of locally generated
 * packets) is not forwarded traffic, so it still works; nothing else crosses the bridge.
 * The alternative, a kubeconfig pointing at the control-plane's management address, would tie
 * the kubeconfig to an internal subnet and ignore kind's apiServerPort.
 * The rules carry the comment `kindlab:<lab>:api`; destroy removes them by that comment, and
 * the network by its lab label.
 * Its subnet is a /28 from 100.64.0.0/10 (shared address space, RFC 6598) picked by a hash of the
 * lab name: left to Docker, the pool hands out 172.x/192.168.x ranges that lab topologies use on
 * their own links, and a clash would shadow lab routes inside the control-plane container.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { KindlabError, errorMessage } from '../../errors.js';
import type { LabPlan } from '../../topology/index.js';
import { API_RULE_PURPOSE, apiNetwork } from './plan.js';
import type { Runtime } from '../../runtime/index.js';
import type { ClusterDeployState } from './files.js';
import { fenceBridge, labLabels, sweepLabRules } from '../../runtime/index.js';

/**
 * The host port the API is published on: kind's apiServerPort, else a free loopback port chosen
 * now (as kind does) and fixed in the container's port binding, so it stays the same when the
 * container restarts and the kubeconfig stays valid.
 */
export async function reserveApiPort(plan: LabPlan, hostIp: string, state: ClusterDeployState): Promise<number> {
  const fixed = plan.cluster?.spec.apiServerPort;
  if (fixed) return fixed;
  let port = state.apiPort;
  if (port === undefined) {
    port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, hostIp, () => {
        const a = srv.address();
        srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
      });
    });
    state.apiPort = port;
  }
  return port;
}

/** The port chosen by reserveApiPort in this deploy ('' lets Docker pick one, when none was). */
export function apiHostPort(plan: LabPlan, state: ClusterDeployState): string {
  const fixed = plan.cluster?.spec.apiServerPort;
  return String(fixed || state.apiPort || '');
}

const API_SLOTS = 1 << 18; // /28 blocks in 100.64.0.0/10

/** The n-th candidate /28 for a lab's API network (n > 0 after an overlap with another lab's). */
export function apiSubnet(lab: string, attempt = 0): { subnet: string; gateway: string } {
  const h = createHash('sha256').update(lab).digest().readUInt32BE(0);
  const slot = (h + attempt * 7919) % API_SLOTS;
  const base = (100 << 24) + (64 << 16) + slot * 16;
  const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  return { subnet: `${ip(base)}/28`, gateway: ip(base + 1) };
}

/** Creates the API network (if missing) and its DROP rules (if missing). Idempotent. */
export async function ensureApiNetwork(runtime: Runtime, plan: LabPlan): Promise<'created' | 'reused'> {
  const { network, bridge, comment } = apiNetwork(plan);
  const existing = await runtime.inspectNetwork(network);
  if (!existing) {
    for (let attempt = 0; ; attempt++) {
      const { subnet, gateway } = apiSubnet(plan.name, attempt);
      try {
        await runtime.createNetwork({
          Name: network,
          Driver: 'bridge',
          CheckDuplicate: true,
          Internal: false,
          IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
          Options: { 'com.docker.network.bridge.name': bridge, 'com.docker.network.bridge.enable_ip_masquerade': 'false', 'com.docker.network.bridge.enable_icc': 'false' },
          Labels: { ...labLabels(plan.name, plan.labDir, plan.file), 'kindlab.role': 'api' },
        });
        break;
      } catch (e) {
        // Another lab's API network holds this block: try the next candidate.
        if (attempt < 8 && /overlap/i.test(errorMessage(e))) continue;
        throw e;
      }
    }
  }
  await fenceBridge(bridge, comment);
  return existing ? 'reused' : 'created';
}

/** Connects the running control-plane container and returns the published host address. */
export async function connectControlPlane(runtime: Runtime, plan: LabPlan, container: string): Promise<{ hostIp: string; hostPort: number }> {
  const { network } = apiNetwork(plan);
  await runtime.connectNetwork(network, container);
  for (let i = 0; i < 50; i++) {
    const b = await runtime.publishedPort(container, '6443/tcp');
    if (b) return b;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new KindlabError('RUNTIME_DOCKER', `${container}: Docker published no host port for the API server (6443/tcp)`, { hint: `see: docker port ${container}` });
}

/** Undo of ensureApiNetwork (deploy rollback; destroy does the same from labels). */
export async function removeApiNetwork(runtime: Runtime, plan: LabPlan): Promise<void> {
  await sweepLabRules(plan.name, API_RULE_PURPOSE);
  await runtime.removeNetwork(apiNetwork(plan).network);
}
