import type { EndpointSlice, Service } from '../../client/types.js';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** On this node (by EndpointSlice nodeName). */
  local: boolean;
}

/** One Service port, flattened with everything the NAT rules need. Only ready endpoints. */
export interface ServicePortModel {
  /** `namespace/name:port-name` (kube-proxy's ServicePortName). */
  id: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  clusterIPs: string[];
  port: number;
  nodePort?: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** externalTrafficPolicy Local: NodePort/external/LB traffic only to local endpoints. */
  externalLocal: boolean;
  /** sessionAffinity ClientIP timeout (seconds), when set. */
  affinitySeconds?: number;
  endpoints: ProxyEndpoint[];
}

const isV4 = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
const isIPv6 = (s: string) => s.includes(':');

/**
 * Flattens Services and their EndpointSlices (label kubernetes.io/service-name) into one
 * entry per Service port. Endpoints count when ready (conditions.ready not false); the
 * slice port with the same name gives the target port. One address family per model (`family`,
 * default 4: the IPv4 ClusterIPs and endpoints; 6: the IPv6 ones of dual-stack and IPv6 Services, for
 * ip6tables); ExternalName and headless Services are skipped. Pure; sorted so rendering is deterministic.
 */
export function buildServiceModel(services: Service[], slices: EndpointSlice[], nodeName: string, family: 4 | 6 = 4): ServicePortModel[] {
  const isIPv4 = family === 4 ? isV4 : isIPv6;
  const addressType = family === 4 ? 'IPv4' : 'IPv6';
  const byService = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc || (s.addressType ? s.addressType !== addressType : family !== 4)) continue;
    const k = `${s.metadata.namespace}/${svc}`;
    byService.set(k, [...(byService.get(k) ?? []), s]);
  }
  const out: ServicePortModel[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    if (spec.type === 'ExternalName') continue;
    const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(isIPv4);
    if (!clusterIPs.length) continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const externalLocal = spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || !!spec.externalIPs?.length);
    const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && isIPv4(ip));
    for (const p of spec.ports ?? []) {
      const portName = p.name ?? '';
      const seen = new Set<string>();
      const endpoints: ProxyEndpoint[] = [];
      for (const sl of byService.get(key) ?? []) {
        const sp = (sl.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (!sp?.port) continue;
        for (const e of sl.endpoints ?? []) {
          if (e.conditions?.ready === false) continue;
          for (const ip of e.addresses.filter(isIPv4)) {
            if (seen.has(`${ip}:${sp.port}`)) continue;
            seen.add(`${ip}:${sp.port}`);
            endpoints.push({ ip, port: sp.port, local: e.nodeName === nodeName });
          }
        }
      }
      endpoints.sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || a.port - b.port);
      out.push({
        id: `${key}:${portName}`,
        protocol: (p.protocol ?? 'TCP').toLowerCase() as ServicePortModel['protocol'],
        clusterIPs,
        port: p.port,
        ...(p.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer') ? { nodePort: p.nodePort } : {}),
        externalIPs: (spec.externalIPs ?? []).filter(isIPv4),
        loadBalancerIPs: spec.type === 'LoadBalancer' ? lbIPs : [],
        externalLocal,
        ...(affinitySeconds !== undefined ? { affinitySeconds } : {}),
        endpoints,
      });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
