/**
 * Host firewall rules a lab adds (today: the cluster API network's fence in DOCKER-USER). Each
 * rule carries the comment `kindlab:<lab>:<purpose>`, so destroy removes every rule of a lab by
 * its comment alone, whoever added it — as it removes veths by their mark.
 */
import { execa } from 'execa';
import { KindlabError } from '../errors.js';

const CHAIN = 'DOCKER-USER';

/** The comment on a lab's rules. No spaces: iptables -S prints it bare. */
export function labRuleComment(lab: string, purpose: string): string {
  return `kindlab:${lab}:${purpose}`;
}

async function iptables(args: string[], check = true): Promise<{ ok: boolean; stdout: string }> {
  const r = await execa('iptables', ['-w', '5', ...args], { reject: false });
  if (check && r.exitCode !== 0) {
    throw new KindlabError('RUNTIME_DOCKER', `iptables ${args.join(' ')} failed`, { detail: String(r.stderr), hint: 'kindlab needs root and iptables on the host to fence a lab network' });
  }
  return { ok: r.exitCode === 0, stdout: String(r.stdout) };
}

/** The two rules dropping every forwarded packet entering or leaving `bridge` from/to another interface. */
export function fenceRuleSpecs(bridge: string, comment: string): string[][] {
  const tail = ['-m', 'comment', '--comment', comment, '-j', 'DROP'];
  return [
    ['-i', bridge, '!', '-o', bridge, ...tail],
    ['-o', bridge, '!', '-i', bridge, ...tail],
  ];
}

/** Drops forwarding across `bridge` (rules added once; idempotent). */
export async function fenceBridge(bridge: string, comment: string): Promise<void> {
  // DOCKER-USER exists whenever dockerd manages iptables; create it otherwise (FORWARD then has no jump to it, harmless).
  if (!(await iptables(['-S', CHAIN], false)).ok) await iptables(['-N', CHAIN]);
  for (const spec of fenceRuleSpecs(bridge, comment)) {
    if (!(await iptables(['-C', CHAIN, ...spec], false)).ok) await iptables(['-I', CHAIN, '1', ...spec]);
  }
}

/** Removes the lab's rules (of one purpose, or all), by comment. Returns how many were removed. */
export async function sweepLabRules(lab: string, purpose?: string): Promise<number> {
  const list = await iptables(['-S', CHAIN], false);
  if (!list.ok) return 0;
  let removed = 0;
  for (const line of list.stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    const spec = words.slice(2).map((w) => w.replace(/^"(.*)"$/, '$1'));
    if (words[0] !== '-A' || !spec.some((w) => (purpose ? w === labRuleComment(lab, purpose) : isOwnComment(w, lab)))) continue;
    if ((await iptables(['-D', CHAIN, ...spec], false)).ok) removed++;
  }
  return removed;
}

/** The labs named by kindlab rule comments in an `iptables -S` listing (a lab whose containers and networks are gone can still hold rules). Pure. */
export function labsInRules(listing: string): string[] {
  const labs = new Set<string>();
  for (const m of listing.matchAll(/--comment "?kindlab:([^\s"]+):[^\s":]+"?/g)) labs.add(m[1]!);
  return [...labs].sort();
}

/** The labs that still have rules in the host firewall. */
export async function labsWithRules(): Promise<string[]> {
  const list = await iptables(['-S', CHAIN], false);
  return list.ok ? labsInRules(list.stdout) : [];
}

/** `kindlab:<lab>:<purpose>` with exactly this lab (lab `a` must not sweep lab `a:b`'s rules; purposes have no colon). */
export function isOwnComment(comment: string, lab: string): boolean {
  const prefix = labRuleComment(lab, '');
  return comment.startsWith(prefix) && !comment.slice(prefix.length).includes(':') && comment.length > prefix.length;
}
