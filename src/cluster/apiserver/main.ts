#!/usr/bin/env node
/**
 * The embedded API server process (runs in the control-plane container):
 *   node dist/cluster/apiserver/main.js --data DIR --listen 0.0.0.0:6443 --cluster-config FILE
 * Options: --tls-san NAME_OR_IP (repeatable), --node-ip NODE=IP (repeatable),
 *   --kubeconfig FILE --kubeconfig-server URL, --require-heartbeats, --insecure-http, --verbose,
 *   --bookmark-interval-ms N, --watch-history N (events a watch can resume from).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ControllerManager } from '../controllers/manager.js';
import { loadKindClusterFile, parseKindCluster, type ClusterSpec } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import { bootstrapCluster } from './bootstrap.js';
import { writeKubeconfig } from './kubeconfig.js';
import { Registry } from './registry.js';
import { startApiServer } from './server.js';
import { defaultSans, ensurePki, ensureToken } from './tls.js';
import { errorMessage } from '../../errors.js';

const log = (line: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      listen: { type: 'string', default: '0.0.0.0:6443' },
      'cluster-config': { type: 'string' },
      'cluster-name': { type: 'string' },
      'tls-san': { type: 'string', multiple: true, default: [] },
      'node-ip': { type: 'string', multiple: true, default: [] },
      kubeconfig: { type: 'string' },
      'kubeconfig-server': { type: 'string' },
      'require-heartbeats': { type: 'boolean', default: false },
      'insecure-http': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'bookmark-interval-ms': { type: 'string', default: '15000' },
      'watch-history': { type: 'string', default: '1000' },
    },
  });
  if (!values.data) throw new Error('--data DIR is required');
  const dataDir = path.resolve(values.data);
  const spec: ClusterSpec = values['cluster-config'] ? loadKindClusterFile(values['cluster-config'], values['cluster-name']) : parseKindCluster({}, { defaultName: values['cluster-name'] ?? 'kind' });
  const nodeIPs = Object.fromEntries(values['node-ip'].map((kv) => kv.split('=') as [string, string]));
  const [host, portText] = values.listen.includes(']') ? [values.listen.slice(1, values.listen.indexOf(']')), values.listen.split(']:')[1]] : [values.listen.slice(0, values.listen.lastIndexOf(':')), values.listen.slice(values.listen.lastIndexOf(':') + 1)];

  const store = new ObjectStore({ dir: path.join(dataDir, 'store'), historySize: Number(values['watch-history']) });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec, { nodeIPs, awaitDaemons: values['require-heartbeats'] });

  const token = ensureToken(path.join(dataDir, 'token'));
  const ips = [...spec.nodes.map((n) => n.nodeIP ?? nodeIPs[n.name]).filter((x): x is string => !!x), spec.apiServerAddress, ...spec.nodes.filter((n) => n.role === 'control-plane').map((n) => n.name)];
  const pki = values['insecure-http'] ? undefined : await ensurePki(path.join(dataDir, 'pki'), defaultSans([...ips, ...values['tls-san']]));
  const srv = await startApiServer({ registry: reg, token, host: host!, port: Number(portText), ...(pki ? { tls: { cert: pki.serverCert, key: pki.serverKey } } : {}), watch: { bookmarkIntervalMs: Number(values['bookmark-interval-ms']) }, ...(values.verbose ? { log } : {}) });
  const controllers = new ControllerManager(reg, { requireHeartbeats: values['require-heartbeats'], log });
  controllers.start();
  if (values.kubeconfig && pki) writeKubeconfig(values.kubeconfig, { clusterName: spec.name, server: values['kubeconfig-server'] ?? srv.url, caCert: pki.caCert, token });
  log({ msg: 'api server listening', url: srv.url, cluster: spec.name, nodes: spec.nodes.length, resourceVersion: store.resourceVersion });
  const shutdown = async () => {
    controllers.stop();
    await srv.close();
    store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((e) => {
  log({ msg: 'api server failed', error: errorMessage(e), detail: (e as { detail?: string }).detail });
  process.exit(1);
});
