/**
 * Checks derived from a running lab when the topology declares none: every BGP session that a
 * speaker in the lab has configured (FRR `show bgp summary json` in nodes running bgpd; BIRD,
 * GoBGP and our agent likewise) must be Established. One check per session. With a cluster, also
 * the pod CIDR and pod-to-pod checks of derive-cluster.ts.
 */
import { KindlabError } from '../errors.js';
import { bgpSource, readSessions } from './check-bgp.js';
import { EvidenceLog, type LabContext } from './context.js';
import { agentEnabled, clusterPlan } from '../cluster/lab/index.js';
import { deriveClusterChecks } from './derive-cluster.js';
import { convertChecks } from './expectations.js';
import { mapPool } from '../lib/index.js';
import type { BgpExpectation, Expectation } from './types.js';

export async function deriveChecks(ctx: LabContext, concurrency = 8): Promise<Expectation[]> {
  const nodes = ctx.plan.nodes.filter((n) => n.kind !== 'bridge' && n.kind !== 'ext-container');
  // every node's addresses and processes into the shared context now, one exec each: route and traceroute checks
  // name next hops by the addresses (LabContext.nodeOf asks every node), and the reads below need the processes
  for (const n of nodes) ctx.prefetchFacts(n.name);
  const perNode = await mapPool(nodes, concurrency, async (n): Promise<Expectation[]> => {
    // A cluster node whose agent the deploy started (its own cluster's bgp:) must have one running: a stopped agent is a failed check.
    const source = (await bgpSource(ctx, n.name, 'auto')) ?? (n.k8s && agentEnabled(clusterPlan(ctx.plan, n.k8s.cluster)) ? 'agent' : undefined);
    if (!source) return [];
    const all: BgpExpectation = { kind: 'bgp', node: n.name, source, name: `${n.name} all sessions Established`, derived: true };
    try {
      const sessions = await readSessions(ctx, new EvidenceLog(), n.name, source);
      // With nothing configured there is nothing to check; a failing read stays one node-wide check.
      return sessions.map((s) => ({ kind: 'bgp', node: n.name, source, peer: s.peer, name: `${n.name} peer ${s.peer} Established`, derived: true }) satisfies BgpExpectation);
    } catch {
      return [all];
    }
  });
  return [...perNode.flat(), ...intentChecks(ctx), ...(await deriveClusterChecks(ctx, concurrency))];
}

/** The checks the routing intent implies (render/checks.ts): sessions, learned prefixes, ECMP width. */
function intentChecks(ctx: LabContext): Expectation[] {
  const raw = ctx.plan.routing?.checks ?? [];
  if (raw.length === 0) return [];
  const issues: Parameters<typeof convertChecks>[3] = [];
  const out = convertChecks(ctx.plan, raw as Parameters<typeof convertChecks>[1], ['routing'], issues);
  if (issues.length) throw new KindlabError('INTERNAL', `checks derived from the routing intent are invalid: ${issues.map((i) => i.message).join('; ')}`);
  return out.map((e) => ({ ...e, derived: true }));
}
