#!/usr/bin/env node
/**
 * The node daemon, one per node container:
 *   node dist/cluster/node/main.js --node NAME --kubeconfig FILE [--state-dir DIR]
 * Options: --bridge NAME (kl0), --node-ip IP, --mtu N, --heartbeat-seconds N (10),
 *   --cluster-cidr CIDR (the pod range; cluster IP traffic from outside it is masqueraded like kube-proxy
 *   does; default: the smallest prefix covering the Nodes' pod CIDRs),
 *   --cleanup-on-exit (remove pod networks and service rules on SIGTERM; by default they
 *   stay so traffic keeps flowing across a daemon restart), --cleanup (remove them and exit),
 *   --stream-port N (10250: pods/exec, attach, log for the API server; 0 = off), --verbose (debug logs). Logs are JSON lines on stderr.
 *   --agent-socket PATH: the control socket of the BGP agent this process hosts while <state-dir>/agent.enabled
 *   exists (agent-host.ts; its log: <state-dir>/logs/agent.log).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { NodeDaemon } from './daemon.js';
import { Proxier } from './proxy/proxier.js';
import { removeNetpolRules } from './netpol/enforcer.js';
import { jsonLogger, type Logger } from './sys.js';
import { AgentHost } from './agent-host.js';
import { AGENT_CONTROL_SOCKET } from './project-agent.js';
import { errorMessage } from '../../errors.js';

/** bin/lab-agent.js of the same build (dist/cluster/node/main.js → <root>/bin/lab-agent.js). */
const AGENT_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/lab-agent.js');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      node: { type: 'string' },
      kubeconfig: { type: 'string' },
      'state-dir': { type: 'string', default: '/var/lib/kindlab/node' },
      bridge: { type: 'string', default: 'kl0' },
      'node-ip': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      mtu: { type: 'string' },
      'stream-port': { type: 'string', default: '10250' },
      'heartbeat-seconds': { type: 'string', default: '10' },
      'cleanup-on-exit': { type: 'boolean', default: false },
      cleanup: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'agent-socket': { type: 'string', default: AGENT_CONTROL_SOCKET },
    },
  });
  const base = jsonLogger({ component: 'kindlab-node', node: values.node });
  const log: Logger = (l) => (l.level !== 'debug' || values.verbose) && base(l);
  if (values.cleanup) {
    await new Proxier({ nodeName: values.node ?? '', bridge: values.bridge, log }).cleanup();
    // ip6tables rules exist only on nodes with an IPv6 pod CIDR; a node without ip6tables has none to remove.
    await new Proxier({ nodeName: values.node ?? '', bridge: values.bridge, log, family: 6 }).cleanup().catch((e) => log({ level: 'warn', msg: 'ip6tables service rules not removed', error: errorMessage(e) }));
    await removeNetpolRules();
    log({ msg: 'service rules removed' });
    return;
  }
  if (!values.node) throw new Error('--node NAME is required');
  // The node's BGP agent runs in this process (one Node.js process per node); it starts while its marker exists.
  const agentHost = new AgentHost({ stateDir: values['state-dir'], logFile: path.join(values['state-dir'], 'logs', 'agent.log'), socket: values['agent-socket'], log });
  await agentHost.listen();
  void agentHost.sync();
  const config = loadKubeconfig(values.kubeconfig);
  const client = new KubeClient(config, { userAgent: `kindlab-node/${values.node}` });
  const daemon = new NodeDaemon({ client, nodeName: values.node, stateDir: values['state-dir'], bridge: values.bridge, ...(values['node-ip'] ? { nodeIP: values['node-ip'] } : {}), ...(values.mtu ? { mtu: Number(values.mtu) } : {}), ...(values['cluster-cidr'] ? { clusterCIDR: values['cluster-cidr'] } : {}), heartbeatMs: Number(values['heartbeat-seconds']) * 1000, hostedAgent: () => agentHost.stop(), stream: { port: Number(values['stream-port']), token: config.token }, ...(values.kubeconfig ? { projectAgents: { kubeconfig: values.kubeconfig, nodeBinary: process.execPath, agentMain: AGENT_MAIN } } : {}), log });
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log({ msg: 'shutting down', signal: sig, cleanup: values['cleanup-on-exit'] });
    Promise.all([agentHost.close(), daemon.stop({ cleanup: values['cleanup-on-exit'] })])
      .then(() => process.exit(0))
      .catch((e) => {
        log({ level: 'error', msg: 'shutdown failed', error: errorMessage(e) });
        process.exit(1);
      });
  };
  // the hosted agent's own crash ends the agent (restarted 1 s later), not the node daemon
  process.on('uncaughtException', (e) => {
    if (agentHost.crashed(e)) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', component: 'kindlab-node', msg: 'node daemon failed', error: errorMessage(e), stack: (e as Error).stack })}\n`);
    process.exit(1);
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await daemon.start();
}

main().catch((e) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', component: 'kindlab-node', msg: 'node daemon failed', error: errorMessage(e), detail: (e as { detail?: string }).detail })}\n`);
  process.exit(1);
});
