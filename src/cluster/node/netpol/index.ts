/** NetworkPolicy enforcement on a node: pure model + rendering, and the enforcer that applies them. */
export { NetworkPolicyEnforcer, removeNetpolRules } from './enforcer.js';
export { buildNetpolModel, matchesSelector, namespaceDefaultDeny } from './model.js';
export { renderNetpol, podChain, INGRESS_CHAIN } from './render.js';
export { subtractCidrs } from './cidr.js';
export { DEFAULT_DENY_ANNOTATION, RUN_FIREWALL_LABEL, NETWORKPOLICIES, type NetworkPolicy, type IsolatedPod } from './types.js';
