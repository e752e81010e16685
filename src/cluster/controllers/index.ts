/**
 * The controllers' pure LoadBalancer IPAM planners, for the agent: kube-router allocates LoadBalancer addresses in
 * its own process (`--run-loadbalancer`), so its dialect plans them with the same code the API server's controller
 * uses for the other projects. Importing this loads no controller or API server code.
 */
export { planKubeRouterLb, type LbDecision } from './lb-ipam.js';
