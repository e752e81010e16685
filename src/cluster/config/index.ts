/**
 * The cluster's configuration without its servers: kind's Cluster config (parsed, checked, defaulted) and the
 * address arithmetic a plan needs. The topology loads this, not `cluster/index.ts`, whose API server, controllers
 * and WebSocket streams every CLI command would otherwise load (≈ 0.2 s of `lab verify`'s start).
 */
export { loadClusterSection, loadKindClusterFile, parseKindCluster, type ClusterNodeSpec, type ClusterSpec, type NodeRole } from '../kind-config.js';
export { cidrsOverlap, formatCidr6, parseCidr6, splitList } from '../controllers/cidr6.js';
