/**
 * `lab destroy`: removes a lab from its Docker labels and kernel marks alone, so it works when
 * the topology file is gone and on half-built labs: containers (dependants of a shared netns
 * first), veth ends we placed in external containers, the management network, host-side
 * interfaces carrying the lab's mark, named netns `kindlab-<lab>-*`, and with `cleanup`
 * the lab directory.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { labsWithRules, sweepLabRules } from './host-firewall.js';
import type { Runtime } from './docker.js';
import { LABEL_LAB, LABEL_LABDIR } from './labels.js';
import { readLabState } from './labdir.js';
import { forgetLab, readLabRecord, withLabLock } from './lab-registry.js';
import { sweepLinks } from './links.js';
import { runPool } from '../lib/index.js';
import { EngineRuntime } from './engines.js';
import { sweepEngineLinks } from './engines-mgmt.js';
import { VtepHelpers } from './cross-links.js';
import { removeLabDirCopies } from './lab-files.js';
import { StaleEndpointsError, staleEndpointsMessage } from './stale-endpoints.js';

export interface DestroyOptions {
  /** Also remove the lab directory. */
  cleanup?: boolean;
  /** Lab directory when no container label names it (e.g. from the topology file). */
  labDir?: string;
}

export interface DestroyResult {
  lab: string;
  containers: string[];
  networks: string[];
  links: string[];
  netns: string[];
  labDir?: string;
  /** `host:path` of the lab directory's copies removed on other machines (a lab over several engines). */
  labDirCopies?: string[];
  /** Hosts (`hosts:` engines) that could not be reached: their part of the lab is still there (additive). */
  unreachable?: Array<{ host: string; reason: string }>;
  /** What Docker would not remove although nothing of the lab uses it (stale endpoints), and how to clear it (additive). */
  notRemoved?: Array<{ reason: string; hint: string }>;
}

export function isEmptyResult(r: DestroyResult): boolean {
  return !r.containers.length && !r.networks.length && !r.links.length && !r.netns.length && !r.labDir && !r.unreachable?.length && !r.notRemoved?.length;
}

const NETNS_DIR = '/var/run/netns';

async function sweepNamedNetns(lab: string): Promise<string[]> {
  const names = await readdir(NETNS_DIR).catch(() => [] as string[]);
  const ours = names.filter((n) => n.startsWith(`kindlab-${lab}-`));
  for (const n of ours) await execa('ip', ['netns', 'del', n], { reject: false });
  return ours;
}

/** A directory we may delete: it holds our state or topology data, or is named lab-<name>. */
async function looksLikeLabDir(dir: string, lab: string): Promise<boolean> {
  if (basename(dir) === `lab-${lab}`) return true;
  for (const f of ['state.json', 'topology-data.json', 'deploy-state.json']) if (await stat(join(dir, f)).then(() => true, () => false)) return true;
  return false;
}

export async function destroyLab(runtime: Runtime, lab: string, opts: DestroyOptions): Promise<DestroyResult> {
  const result: DestroyResult = { lab, containers: [], networks: [], links: [], netns: [] };
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const labDir = opts.labDir ?? containers.map((c) => c.labels[LABEL_LABDIR]).find(Boolean) ?? (await readLabRecord(lab))?.labDir;
  const state = labDir ? await readLabState(labDir) : undefined;

  // Our veth ends inside containers we did not create.
  for (const ext of state?.externalNetns ?? []) {
    const pid = await runtime.pid(ext).catch(() => 0);
    if (pid) result.links.push(...(await sweepLinks(lab, pid)).map((l) => `${ext}:${l}`));
  }
  const sharers = containers.filter((c) => c.networkMode.startsWith('container:'));
  const owners = containers.filter((c) => !c.networkMode.startsWith('container:'));
  for (const group of [sharers, owners]) {
    await runPool(group, 8, async (c) => {
      await runtime.removeContainer(c.id);
      result.containers.push(c.name);
    });
  }
  // A cluster node daemon may have made a pod container while the nodes were going: a second look.
  for (const c of await runtime.listContainers({ [LABEL_LAB]: lab })) {
    await runtime.removeContainer(c.id);
    result.containers.push(c.name);
  }
  for (const n of await runtime.listNetworks({ [LABEL_LAB]: lab })) {
    try {
      await runtime.removeNetwork(n.id);
    } catch (e) {
      // Docker 20.10's stale endpoints: the rest of the lab still goes, and the user is told what is left
      if (!(e instanceof StaleEndpointsError)) throw e;
      (result.notRemoved ??= []).push(staleEndpointsMessage({ network: n.name, lab, endpoints: e.endpoints, disconnected: e.disconnected, ...(e.host ? { host: e.host } : {}) }));
      continue;
    }
    result.networks.push(n.name);
  }
  // host firewall rules the lab added, e.g. the cluster API network's fence (by comment; the network went with its label)
  const rules = await sweepLabRules(lab);
  if (rules) result.networks.push(`${rules} iptables DOCKER-USER rules (kindlab:${lab}:*)`);
  result.links.push(...(await sweepLinks(lab, 0)));
  if (runtime instanceof EngineRuntime) {
    // the lab's interfaces on each engine's machine (the mgmt VXLAN), through a helper there
    const reachable = runtime.engines.filter((e) => !runtime.unreachable.has(e.name));
    const h = new VtepHelpers(lab, { labDir: labDir ?? '', topo: '' });
    try {
      result.links.push(...(await sweepEngineLinks(reachable, lab, h)));
    } finally {
      await h.stop(reachable);
    }
  }
  result.netns.push(...(await sweepNamedNetns(lab)));
  // something left (an unreachable host, a stale network): the lab directory (hosts.json) and record stay so destroy --name finds it again
  const left = (runtime instanceof EngineRuntime && runtime.unreachable.size > 0) || !!result.notRemoved?.length;
  if (opts.cleanup && labDir && !left && (await looksLikeLabDir(labDir, lab))) {
    if (runtime instanceof EngineRuntime) {
      // the lab directory's copies on the other machines (lab-files.ts), before the local one and its probe file go
      const h = new VtepHelpers(lab, { labDir, topo: '' });
      try {
        const copies = await removeLabDirCopies(runtime.engines, labDir, h);
        if (copies.length > 0) result.labDirCopies = copies;
      } finally {
        await h.stop(runtime.engines);
      }
    }
    if (await stat(labDir).then(() => true, () => false)) {
      await rm(labDir, { recursive: true, force: true });
      result.labDir = labDir;
    }
  }
  const gone = runtime instanceof EngineRuntime ? [...runtime.unreachable] : [];
  if (gone.length > 0) result.unreachable = gone.map(([host, reason]) => ({ host, reason }));
  // a lab with an unreachable host is remembered: destroy --name finds that host again once it is back
  if (opts.cleanup && !left) await forgetLab(lab);
  result.containers.sort();
  return result;
}

/** `destroyLab` holding the lab's lock (waits for a deploy of the same lab to finish first). */
export async function destroyLabLocked(runtime: Runtime, lab: string, opts: DestroyOptions & { onWait?: (msg: string) => void }): Promise<DestroyResult> {
  return withLabLock(lab, () => destroyLab(runtime, lab, opts), { onWait: opts.onWait });
}

/** Every lab that has a container or network labelled by kindlab. */
export async function listLabNames(runtime: Runtime): Promise<string[]> {
  const names = new Set<string>();
  for (const c of await runtime.listContainers({ [LABEL_LAB]: '' })) if (c.labels[LABEL_LAB]) names.add(c.labels[LABEL_LAB]);
  for (const n of await runtime.listNetworks({ [LABEL_LAB]: '' })) if (n.labels[LABEL_LAB]) names.add(n.labels[LABEL_LAB]);
  // a lab of which only host firewall rules are left (an interrupted destroy, a hand-cleaned lab)
  for (const lab of await labsWithRules()) names.add(lab);
  return [...names].sort();
}
