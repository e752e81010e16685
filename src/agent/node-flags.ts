/**
 * V8 flags the agent's Node.js process is started with (bench/lib/daemons.ts reads this from the build it runs;
 * node containers get the same through cluster/lab/plan.ts's NODE_FLAGS). A young generation of 2 MB per
 * semi-space instead of up to 16: the RIB lives in typed arrays, so what the heap allocates dies young, and the
 * smaller nursery keeps ~15 MB out of RSS at a full table, for more (cheap) scavenges.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
