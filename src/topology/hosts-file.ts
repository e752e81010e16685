/**
 * `--hosts FILE` of `lab destroy` and `lab inspect`: the Docker engines to look at for a lab whose own record
 * (hosts.json in its lab directory) is gone. FILE is YAML with a `hosts:` section as a topology has one (a
 * topology file itself will do), or a lab directory's hosts.json. Checked as the topology's section is.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KindlabError, TopologyError } from '../errors.js';
import { normalizeHosts } from './hosts.js';
import { parseTopologyText, readTopologyText } from './load.js';
import type { RawHost } from './raw-types.js';
import { IssueList, sortIssues } from './source-map.js';
import type { HostSpec } from './types.js';

/** A hosts file's text → its hosts; TopologyError (with positions) or KindlabError USAGE. Pure apart from TLS file checks. */
export function parseHostsText(text: string, file: string): HostSpec[] {
  const { map, data } = parseTopologyText(text, file);
  let raw: Record<string, RawHost | null>;
  if (Array.isArray(data)) {
    // a lab directory's hosts.json: [{ name, engineText, underlay, tls? }]
    raw = Object.fromEntries((data as Array<{ name?: string; engineText?: string; underlay?: string; tls?: RawHost['tls'] }>).map((h, i) => [h.name ?? `host${i}`, { engine: h.engineText, underlay: h.underlay, ...(h.tls ? { tls: h.tls } : {}) }]));
  } else if (data && typeof data === 'object' && (data as { hosts?: unknown }).hosts && typeof (data as { hosts?: unknown }).hosts === 'object') {
    raw = (data as { hosts: Record<string, RawHost | null> }).hosts;
  } else {
    throw new KindlabError('USAGE', `--hosts ${file}: no hosts: section`, { hint: 'give a file with hosts: (name: { engine: …, underlay: … }) as in a topology, or a lab directory\'s hosts.json' });
  }
  const issues = new IssueList(map);
  const hosts = normalizeHosts(raw, dirname(resolve(file)), issues, existsSync) ?? [];
  if (issues.size > 0) throw new TopologyError(issues.code, sortIssues(issues.issues));
  return hosts;
}

export async function loadHostsFile(file: string): Promise<HostSpec[]> {
  return parseHostsText(await readTopologyText(resolve(file)), file);
}
