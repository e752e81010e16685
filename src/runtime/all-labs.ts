/**
 * `lab destroy --all` and `lab inspect --all` over every engine a lab of this machine may use: this machine's
 * engine, the engines each recorded lab's lab directory names (hosts.json, written by the deploy of a lab over
 * several hosts) and those of a `--hosts FILE`. Each lab found is then handled with the runtime of its own
 * engines (its hosts.json) plus every engine it was found on, so a lab over two engines is destroyed on both.
 * An engine that does not answer is reported with where it was named; its labs are not listed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { DockerRuntime, type Runtime } from './docker.js';
import { EngineRuntime, dockerFor, type Engine, type HostRecord } from './engines.js';
import { labsWithRules } from './host-firewall.js';
import { LABEL_LAB, LABEL_LABDIR } from './labels.js';
import { listLabRecords, readLabRecord } from './lab-registry.js';

/** The engine of the machine running `lab` (DOCKER_HOST, else Docker's socket), as a key. */
export const LOCAL_ENGINE = 'local';

/** One engine to look at: `host` undefined is this machine's. */
export interface EngineToScan {
  name: string;
  key: string;
  host?: HostRecord;
  /** Where it was named, for messages: `lab kl-x's hosts.json`, `--hosts FILE`. */
  from: string;
}

/** An engine's identity across records: its engine text without trailing slashes. Pure. */
export function engineKey(text: string): string {
  return text.replace(/\/+$/, '');
}

export function localEngineKey(env: NodeJS.ProcessEnv = process.env): string {
  return engineKey(env['DOCKER_HOST'] || 'unix:///var/run/docker.sock');
}

/**
 * The engines to look at, once each (by engine text): this machine's, then each source's hosts in order. A host
 * name already taken by another engine gets `-2`, `-3`… Pure.
 */
export function enginesToScan(localKey: string, sources: Array<{ from: string; hosts: HostRecord[] }>): EngineToScan[] {
  const out: EngineToScan[] = [{ name: LOCAL_ENGINE, key: localKey, from: 'this machine' }];
  for (const s of sources) {
    for (const h of s.hosts) {
      const key = engineKey(h.engineText);
      if (out.some((e) => e.key === key)) continue;
      let name = h.name;
      for (let i = 2; out.some((e) => e.name === name); i++) name = `${h.name}-${i}`;
      out.push({ name, key, host: h, from: s.from });
    }
  }
  return out;
}

/**
 * The engines a lab is handled on: its own hosts (hosts.json, under their names) and every other engine it was
 * found on (under its scan name, made unique). `undefined`: this machine's engine alone (the plain runtime). Pure.
 */
export function labEngines(own: HostRecord[] | undefined, foundOn: EngineToScan[], localKey: string): EngineToScan[] | undefined {
  const out: EngineToScan[] = (own ?? []).map((h) => ({ name: h.name, key: engineKey(h.engineText), host: h, from: 'its hosts.json' }));
  for (const e of foundOn) {
    if (out.some((o) => o.key === e.key)) continue;
    let name = e.name;
    for (let i = 2; out.some((o) => o.name === name); i++) name = `${e.name}-${i}`;
    out.push({ ...e, name });
  }
  if (out.length === 0 || (out.length === 1 && out[0]!.key === localKey && !out[0]!.host)) return undefined;
  return out;
}

export interface FoundLabs {
  /** Every lab found, by name (sorted), with the runtime to handle it with. */
  labs: Array<{ lab: string; runtime: Runtime; engines: string[] }>;
  /** Engines that did not answer: their labs are not in `labs`. */
  unreachable: Array<{ engine: EngineToScan; reason: string }>;
}

async function hostsJson(labDir: string | undefined): Promise<HostRecord[] | undefined> {
  if (!labDir) return undefined;
  return readFile(join(labDir, 'hosts.json'), 'utf8').then((t) => JSON.parse(t) as HostRecord[], () => undefined);
}

/** Every lab on every engine this machine knows of (see the module comment). */
export async function findLabsEverywhere(opts: { local?: Runtime; hostsFile?: { file: string; hosts: HostRecord[] } } = {}): Promise<FoundLabs> {
  const local = opts.local ?? new DockerRuntime();
  const localKey = localEngineKey();
  const sources: Array<{ from: string; hosts: HostRecord[] }> = [];
  if (opts.hostsFile) sources.push({ from: `--hosts ${opts.hostsFile.file}`, hosts: opts.hostsFile.hosts });
  for (const r of await listLabRecords()) {
    const hosts = await hostsJson(r.labDir);
    if (hosts) sources.push({ from: `lab ${r.lab}'s ${join(r.labDir, 'hosts.json')}`, hosts });
  }
  const scan = enginesToScan(localKey, sources);
  const runtimes = new Map<string, Runtime>();
  const found = new Map<string, { on: EngineToScan[]; labDir?: string }>();
  const unreachable: FoundLabs['unreachable'] = [];
  const seen = (lab: string, e: EngineToScan, labDir?: string) => {
    const f = found.get(lab) ?? { on: [] };
    if (!f.on.includes(e)) f.on.push(e);
    f.labDir ??= labDir;
    found.set(lab, f);
  };
  for (const e of scan) {
    try {
      const rt = e.host ? new DockerRuntime(await dockerFor(e.host)) : local;
      runtimes.set(e.key, rt);
      for (const c of await rt.listContainers({ [LABEL_LAB]: '' })) if (c.labels[LABEL_LAB]) seen(c.labels[LABEL_LAB], e, c.labels[LABEL_LABDIR]);
      for (const n of await rt.listNetworks({ [LABEL_LAB]: '' })) if (n.labels[LABEL_LAB]) seen(n.labels[LABEL_LAB], e);
    } catch (err) {
      unreachable.push({ engine: e, reason: errorMessage(err) });
    }
  }
  // a lab of which only this machine's firewall rules are left (an interrupted destroy, a hand-cleaned lab)
  for (const lab of await labsWithRules()) if (!found.has(lab)) seen(lab, scan[0]!);
  const labs: FoundLabs['labs'] = [];
  for (const [lab, f] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    const own = await hostsJson(f.labDir ?? (await readLabRecord(lab))?.labDir);
    const set = labEngines(own, f.on, localKey);
    if (!set) {
      labs.push({ lab, runtime: local, engines: [LOCAL_ENGINE] });
      continue;
    }
    const engines: Engine[] = [];
    for (const e of set) {
      const rt = runtimes.get(e.key) ?? (e.host ? new DockerRuntime(await dockerFor(e.host)) : local);
      engines.push({ name: e.name, underlay: e.host?.underlay ?? '', runtime: rt });
    }
    labs.push({ lab, runtime: new EngineRuntime(engines, new Map(), local), engines: engines.map((e) => e.name) });
  }
  return { labs, unreachable };
}
