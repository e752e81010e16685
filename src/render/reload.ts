/**
 * `lab deploy --reconfigure` on a running lab: what to do inside a router so that it runs the newly
 * rendered config without its container being recreated. Pure planning; runtime/reconfigure.ts runs it.
 * - FRR: the image has no frr-reload.py (it needs frr-pythontools), so the change is computed here:
 *   a `vtysh -f` script of `no` lines for what went away and the new lines in their contexts.
 * - BIRD: `birdc configure` rereads the (rewritten, bind-mounted) file.
 * - GoBGP: gobgpd is restarted in place and its rib lines run again.
 * Addressing exec lines (`ip addr|route add`) that changed are deleted/added.
 */
import type { RenderedFile, RenderedRouter } from './types.js';

/** One line of an FRR config and the lines nested under it (by indentation). */
interface ConfNode {
  line: string;
  children: ConfNode[];
}

/** Lines that cannot change at run time or only close a context. */
const FIXED = /^(frr defaults|service |line vty|exit(-address-family|-vrf)?$|end$|log )/;

/** Parses an FRR config into its context tree; comments, `!` and exit lines are dropped. */
export function parseFrrConfig(text: string): ConfNode[] {
  const root: ConfNode = { line: '', children: [] };
  const stack: Array<{ indent: number; node: ConfNode }> = [{ indent: -1, node: root }];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const body = line.trim();
    if (!body || body.startsWith('!') || /^exit(-address-family|-vrf)?$/.test(body)) continue;
    const indent = line.length - line.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const node = { line: body, children: [] };
    stack[stack.length - 1]!.node.children.push(node);
    stack.push({ indent, node });
  }
  return root.children;
}

const negate = (line: string): string => (line.startsWith('no ') ? line.slice(3) : `no ${line}`);
const exitOf = (line: string): string => (line.startsWith('address-family') ? 'exit-address-family' : 'exit');

/** `neighbor X remote-as N` / `neighbor X interface remote-as N` define neighbor X. */
function definedNeighbor(line: string): string | undefined {
  return /^neighbor (\S+) (interface )?remote-as /.exec(line)?.[1];
}

/** Neighbors whose defining line changed: deleting it deletes every line of the neighbor, so they are all written again. */
function redefined(old: ConfNode[], now: ConfNode[]): Set<string> {
  const nowLines = new Set(now.map((n) => n.line));
  return new Set(old.filter((n) => !nowLines.has(n.line)).map((n) => definedNeighbor(n.line)).filter((x): x is string => !!x));
}

const mentions = (line: string, peers: Set<string>): boolean => {
  const m = /^neighbor (\S+) /.exec(line);
  return !!m && peers.has(m[1]!);
};

function block(n: ConfNode, depth: number): string[] {
  const pad = ' '.repeat(depth);
  if (!n.children.length) return [pad + n.line];
  return [pad + n.line, ...n.children.flatMap((c) => block(c, depth + 1)), pad + exitOf(n.line)];
}

/** `no` lines for what is gone, deepest and last first (a neighbor's address-family lines before the neighbor). */
function removals(old: ConfNode[], now: ConfNode[], depth: number, gone: Set<string>): string[] {
  const pad = ' '.repeat(depth);
  const byLine = new Map(now.map((n) => [n.line, n]));
  const peers = new Set([...gone, ...redefined(old, now)]);
  const out: string[] = [];
  for (const o of [...old].reverse()) {
    if (FIXED.test(o.line)) continue;
    const n = byLine.get(o.line);
    if (!n) {
      // a neighbor's other lines go with its definition
      if (mentions(o.line, peers) && !definedNeighbor(o.line)) continue;
      out.push(pad + negate(o.line));
    } else if (o.children.length) {
      const inner = removals(o.children, n.children, depth + 1, peers);
      if (inner.length) out.push(pad + o.line, ...inner, pad + exitOf(o.line));
    }
  }
  return out;
}

/** The new lines in their contexts, in the config's order (a neighbor before its address-family lines). */
function additions(old: ConfNode[], now: ConfNode[], depth: number, gone: Set<string>): string[] {
  const pad = ' '.repeat(depth);
  const byLine = new Map(old.map((n) => [n.line, n]));
  const peers = new Set([...gone, ...redefined(old, now)]);
  const out: string[] = [];
  for (const n of now) {
    if (FIXED.test(n.line)) continue;
    const o = byLine.get(n.line);
    if (!o) out.push(...block(n, depth));
    else if (n.children.length) {
      const inner = additions(o.children, n.children, depth + 1, peers);
      if (inner.length) out.push(pad + n.line, ...inner, pad + exitOf(n.line));
    } else if (mentions(n.line, peers) && !definedNeighbor(n.line)) out.push(pad + n.line);
  }
  return out;
}

/**
 * The `vtysh -f` script that turns the running config `before` into `after` (both as rendered), or
 * '' when nothing changed. Removals come first so that a changed ASN (`no router bgp A`, then
 * `router bgp B` in full) or a changed neighbor (removed, then written again) ends as `after`.
 */
export function frrConfigDiff(before: string, after: string): string {
  const old = parseFrrConfig(before);
  const now = parseFrrConfig(after);
  const lines = [...removals(old, now, 0, new Set()), ...additions(old, now, 0, new Set())];
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const ADDRESSING = /^ip (-6 )?(addr|address|route) add /;

/** Addressing exec lines that changed: `del` for the ones gone, then the new ones. */
export function addressingDelta(before: string[], after: string[]): string[] {
  const isAddr = (l: string) => ADDRESSING.test(l);
  const now = new Set(after.filter(isAddr));
  const old = new Set(before.filter(isAddr));
  return [...[...old].filter((l) => !now.has(l)).map((l) => l.replace(/ add /, ' del ')), ...[...now].filter((l) => !old.has(l))];
}

/** A step of a router's reload: argv run in its container (no shell unless the argv is one). */
export interface ReloadStep {
  what: string;
  argv: string[];
  /** Output that means failure although the exit code is 0 (birdc). */
  failsOn?: RegExp;
  /** Output that must appear (birdc says "Reconfigured"). */
  needs?: RegExp;
}

export interface ReloadPlan {
  node: string;
  daemon: RenderedRouter['daemon'];
  /** Files whose content changed (written over the bind-mounted copies before the steps run). */
  files: RenderedFile[];
  steps: ReloadStep[];
  /** Set when no reload can apply the change: why the container has to be recreated. */
  recreate?: string;
}

const sh = (script: string): string[] => ['sh', '-c', script];

/**
 * What to run in a router for its new rendering, given what it was deployed with (`deployed(path)`:
 * the file as written at deploy or last reconfigure; `deployedExec`: its exec lines then). An
 * unchanged router gets no steps.
 */
export function planReload(r: RenderedRouter, deployed: (path: string) => string | undefined, deployedExec: string[]): ReloadPlan {
  const files = r.files.filter((f) => deployed(f.path) !== f.content);
  const addressing = addressingDelta(deployedExec, r.exec);
  const steps: ReloadStep[] = addressing.map((l) => ({ what: l, argv: sh(`${l}${l.includes(' del ') ? ' 2>/dev/null || true' : ''}`) }));
  // GoBGP's announcements are exec lines (`gobgp global rib add`), not config
  const daemonLines = (exec: string[]) => exec.filter((l) => !ADDRESSING.test(l));
  const linesChanged = JSON.stringify(daemonLines(deployedExec)) !== JSON.stringify(daemonLines(r.exec));
  if (!files.length && !addressing.length && !linesChanged) return { node: r.node, daemon: r.daemon, files, steps: [] };
  if (r.daemon === 'frr') {
    // another set of daemons (bfdd on or off) cannot be had by a reload: restarting FRR in a lab
    // container hangs on its unreaped daemons (no init), so the node is recreated instead
    if (files.some((f) => f.path === '/etc/frr/daemons')) return { node: r.node, daemon: r.daemon, files, steps, recreate: 'the FRR daemons it runs changed (bfdd)' };
    const conf = r.files.find((f) => f.path === '/etc/frr/frr.conf');
    const script = conf ? frrConfigDiff(deployed(conf.path) ?? '', conf.content) : '';
    if (script) {
      steps.push({
        what: `vtysh -f (${script.trimEnd().split('\n').length} lines)`,
        argv: sh(`cat > /tmp/kindlab-reload.conf <<'KINDLAB_EOF'\n${script}KINDLAB_EOF\nvtysh -f /tmp/kindlab-reload.conf`),
        failsOn: /^%|Unknown command|Error/m,
      });
      steps.push({ what: 'clear bgp * soft', argv: ['vtysh', '-c', 'clear bgp * soft'] });
    }
  } else if (r.daemon === 'bird') {
    if (files.length) steps.push({ what: 'birdc configure', argv: ['birdc', 'configure'], failsOn: /error|failed/i, needs: /Reconfigur/ });
  } else {
    // gobgpd's routes come from `gobgp global rib add` lines: the daemon and those lines run again
    steps.push({ what: 'stop gobgpd', argv: sh('kill $(pidof gobgpd) 2>/dev/null; for i in $(seq 100); do pidof gobgpd >/dev/null || exit 0; sleep 0.1; done; echo gobgpd did not stop >&2; exit 1') });
    for (const l of daemonLines(r.exec)) steps.push({ what: l, argv: sh(l) });
  }
  return { node: r.node, daemon: r.daemon, files, steps };
}
