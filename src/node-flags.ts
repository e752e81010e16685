/**
 * V8 flags for our small Node.js processes: the BGP agent (standalone and in Kubernetes nodes), the node daemon
 * and the lab-agent wrapper. Their heaps are small and what they allocate dies young (the RIB lives in typed
 * arrays): a 2 MB semi-space instead of up to 16 MB keeps ~10-15 MB of young generation out of each process's RSS.
 * Not the API server: its list/watch serialization allocates far more, and its latency under 100 nodes is
 * unmeasured with it. One list, so the agent and the node containers cannot drift apart.
 */
export const SMALL_PROCESS_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
