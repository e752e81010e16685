/**
 * networking.k8s.io/v1 NetworkPolicy (the parts the enforcer reads) and the model it renders:
 * per local pod, whether it is isolated for ingress and which (sources × ports) are allowed.
 */
import type { KubeObject } from '../../client/types.js';
import { resourceType } from '../../client/resources.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicy extends KubeObject {
  spec: {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    ingress?: Array<{ from?: PolicyPeer[]; ports?: PolicyPort[] }>;
  };
}

export const NETWORKPOLICIES = resourceType<NetworkPolicy>('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true);

/** The namespace annotation of the beta API (kube-router honours it): `{"ingress":{"isolation":"DefaultDeny"}}`. */
export const DEFAULT_DENY_ANNOTATION = 'net.beta.kubernetes.io/network-policy';

/** A node label that turns the enforcer off on that node (`kindlab.io/run-firewall=false`, kube-router's --run-firewall). */
export const RUN_FIREWALL_LABEL = 'kindlab.io/run-firewall';

export interface AllowedPort {
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Undefined: every port of the protocol. */
  port?: number;
  endPort?: number;
}

export interface IngressAllow {
  /** Why: `namespace/policy` (or the namespace annotation). */
  policy: string;
  /** Source CIDRs of either family (pod addresses as /32 and /128); undefined = any source. */
  sources?: string[];
  /** Undefined = every port and protocol. */
  ports?: AllowedPort[];
}

/** One pod on this node isolated for ingress: only `allow` gets in (plus replies to its own connections). */
export interface IsolatedPod {
  /** `namespace/name`. */
  pod: string;
  /** The pod's addresses (status.podIPs: one per family on a dual-stack pod). */
  ips: string[];
  /** Why it is isolated: the selecting policies, or the namespace's DefaultDeny. */
  isolatedBy: string[];
  allow: IngressAllow[];
}
