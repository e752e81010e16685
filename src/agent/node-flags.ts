/**
 * V8 flags the agent's Node.js process is started with (bench/lib/daemons.ts reads this file from the build it
 * runs). The list and why: src/node-flags.ts, shared with the Kubernetes nodes' processes.
 */
export { SMALL_PROCESS_NODE_FLAGS as AGENT_NODE_FLAGS } from '../node-flags.js';
