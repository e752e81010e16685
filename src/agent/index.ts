/**
 * The agent's entry point for other modules: the Kubernetes agent hosted in another process (the node daemon
 * loads this lazily, only on nodes that run an agent).
 */
export { startHostedK8sAgent, type HostedAgent } from './k8s/hosted.js';
