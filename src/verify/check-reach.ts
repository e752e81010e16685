/** ping, traceroute and curl from a node, to a node (any of its addresses) or an address. */
import type { EvidenceLog, LabContext } from './context.js';
import type { Outcome } from './check-bgp.js';
import { familyOf, isAddress } from './net.js';
import { CURL_STATUS_MARK, parseCurl, parsePing, parseTraceroute } from './probes/reach.js';
import type { CurlExpectation, PingExpectation, Target, TracerouteExpectation } from './types.js';
import { KindlabError } from '../errors.js';

async function resolve(ctx: LabContext, t: Target, family?: 4 | 6): Promise<string> {
  if (t.type === 'address') return t.address;
  if (t.type === 'object') return ctx.objectAddress(t.ref, family);
  const a = family ? await ctx.preferredAddress(t.node, family) : ((await ctx.preferredAddress(t.node, 4)) ?? (await ctx.preferredAddress(t.node, 6)));
  if (!a) throw new KindlabError('VERIFY', `${t.node} has no ${family ? `IPv${family} ` : ''}address to aim at (is it running?)`);
  return a;
}

const label = (t: Target, addr: string) => (t.type === 'node' ? `${t.node} (${addr})` : t.type === 'object' ? `${t.ref} (${addr})` : addr);

export async function checkPing(ctx: LabContext, log: EvidenceLog, e: PingExpectation): Promise<Outcome> {
  const addr = await resolve(ctx, e.to, e.family);
  const r = await ctx.run(log, e.from, ['ping', ...(familyOf(addr) === 6 ? ['-6'] : []), '-n', '-q', '-c', String(e.count), '-i', '0.2', '-W', '1', addr]);
  const p = parsePing(r.stdout);
  if (!p) return { passed: false, detail: `ping to ${label(e.to, addr)} gave no summary (exit ${r.exitCode})` };
  const text = `${label(e.to, addr)}: ${p.received}/${p.sent} replies, ${p.lossPct}% loss`;
  return p.lossPct <= e.maxLoss ? { passed: true, detail: text } : { passed: false, detail: `${text} (max ${e.maxLoss}%)` };
}

export async function checkTraceroute(ctx: LabContext, log: EvidenceLog, e: TracerouteExpectation): Promise<Outcome> {
  const addr = await resolve(ctx, e.to, e.family);
  const r = await ctx.run(log, e.from, ['traceroute', ...(familyOf(addr) === 6 ? ['-6'] : []), '-n', '-q', '1', '-w', '1', '-m', String(e.maxHops), addr]);
  const hops = parseTraceroute(r.stdout);
  if (hops.length === 0) return { passed: false, detail: `traceroute to ${label(e.to, addr)} printed no hops (exit ${r.exitCode})` };
  // A pod's address is in its netns, not the node's: name it by the pods the check mentions.
  const pods = new Map<string, string>();
  for (const ref of [...e.hops.filter((h) => /^pods?\//.test(h)), ...(e.to.type === 'object' ? [e.to.ref] : [])]) pods.set(await ctx.objectAddress(ref, e.family ?? (familyOf(addr) === 6 ? 6 : 4)), ref);
  const named = await Promise.all(hops.map(async (h) => (h === '*' ? '*' : (pods.get(h) ?? (await ctx.nodeOf(h)) ?? h))));
  const matches = async (want: string, i: number) => want === '*' || want === hops[i] || want === named[i];
  const dest = e.to.type === 'node' ? e.to.node : e.to.type === 'object' ? e.to.ref : addr;
  // The expected list may leave out the destination itself.
  const expected = e.hops.length === named.length - 1 && (named[named.length - 1] === dest || hops[hops.length - 1] === addr) ? [...e.hops, dest] : e.hops;
  const ok = expected.length === named.length && (await Promise.all(expected.map(matches))).every(Boolean);
  const shown = named.map((n, i) => (n === hops[i] ? n : `${n} (${hops[i]})`));
  // Unanswered hops up to the hop limit say one thing: the path ends there.
  let last = shown.length;
  while (last > 0 && shown[last - 1] === '*') last--;
  const path = [...shown.slice(0, last), ...(shown.length - last > 1 ? [`* ×${shown.length - last}`] : shown.slice(last))].join(' → ');
  return ok ? { passed: true, detail: path } : { passed: false, detail: `${path}; expected ${e.hops.join(' → ')}` };
}

/** `waitS`: curl's --max-time for this attempt (see curlWaitS). */
export async function checkCurl(ctx: LabContext, log: EvidenceLog, e: CurlExpectation, waitS = 5): Promise<Outcome> {
  let url = e.url;
  if (e.to) {
    const addr = await resolve(ctx, e.to, e.family);
    url = url.replace('{host}', isAddress(addr) && familyOf(addr) === 6 ? `[${addr}]` : addr);
  }
  const r = await ctx.run(log, e.from, ['curl', '-sS', '-m', String(waitS), '-o', '-', '-w', `${CURL_STATUS_MARK}%{http_code}`, url]);
  const c = parseCurl(r.stdout);
  if (e.blocked) {
    if (!c || c.status === 0) return { passed: true, detail: `${url}: blocked as expected (curl exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})` };
    return { passed: false, detail: `${url}: HTTP ${c.status} answered, but it should be blocked` };
  }
  if (!c || c.status === 0) return { passed: false, detail: `${url}: no HTTP answer (curl exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})` };
  if (c.status !== e.status) return { passed: false, detail: `${url}: HTTP ${c.status}, expected ${e.status}` };
  if (e.contains !== undefined && !c.body.includes(e.contains)) return { passed: false, detail: `${url}: HTTP ${c.status}, body (${c.body.length} bytes) lacks "${e.contains}"` };
  return { passed: true, detail: `${url}: HTTP ${c.status}${e.contains !== undefined ? `, body has "${e.contains}"` : ''}` };
}
