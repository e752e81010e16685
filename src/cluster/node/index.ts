/**
 * The node daemon (one per node container): pods as network namespaces on a bridge,
 * workloads from the node image, Service NAT with iptables. Entry: `cluster/node/main.ts`.
 */
export { NodeDaemon, pickNodeIP, type NodeDaemonOptions } from './daemon.js';
export { netnsName, hostVethName } from './podnet-plan.js';
export { Proxier } from './proxy/proxier.js';
export { buildServiceModel, type ServicePortModel } from './proxy/model.js';
export { renderRules } from './proxy/render.js';
