/** `--hosts FILE` of `lab destroy` / `lab inspect`: more engines to look on, and the words for one that does not answer. */
import type { EngineToScan, HostRecord } from '../runtime/index.js';
import { loadHostsFile } from '../topology/index.js';

export async function hostsFileOf(file: string | undefined): Promise<{ file: string; hosts: HostRecord[] } | undefined> {
  if (!file) return undefined;
  const hosts = await loadHostsFile(file);
  return { file, hosts: hosts.map((h) => ({ name: h.name, engineText: h.engineText, underlay: h.underlay, ...(h.tls ? { tls: h.tls } : {}) })) };
}

/** An engine `--all` could not list. Pure. */
export function unreachableLine(u: { engine: EngineToScan; reason: string }): string {
  const e = u.engine;
  return `NOT CHECKED: host ${e.name} (${e.host?.engineText ?? 'this machine\'s engine'}, from ${e.from}) is unreachable (${u.reason}); its labs were not listed: run this again once it is back`;
}
