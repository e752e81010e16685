/** A two-node embedded cluster on Docker for the node daemon e2e: API server in the control-plane container, a node daemon in each. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { waitFor } from '../lib/wait.js';
import { KUBECTL } from './kubectl-helpers.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const IMAGE = 'kindlab/base:latest';

export interface NodeBox {
  name: string;
  ip: string;
  podCIDR?: string;
}

export const docker = (args: string[], reject = true) => execa('docker', args, { reject, timeout: 60_000 });
export const inNode = (node: string, cmd: string, reject = true) => execa('docker', ['exec', node, 'sh', '-c', cmd], { reject, timeout: 60_000 });
export const inPod = (node: string, pod: string, cmd: string, reject = true) => inNode(node, `ip netns exec pod-default-${pod} sh -c '${cmd.replace(/'/g, `'\\''`)}'`, reject);

export class TwoNodeCluster {
  readonly lab = `kl-nd-${process.pid}`;
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-node-e2e-'));
  readonly network = `${this.lab}-net`;
  readonly cp: NodeBox = { name: `${this.lab}-control-plane`, ip: '' };
  readonly worker: NodeBox = { name: `${this.lab}-worker`, ip: '' };
  get kubeconfig() {
    return path.join(this.dataDir, 'kubeconfig');
  }

  async up(): Promise<void> {
    await execa('npm', ['run', '--silent', 'build'], { cwd: ROOT, reject: false });
    // Not --internal: Docker 20.10 drops forwarded frames whose addresses are outside an internal
    // network's subnet (pod IPs) in the host's FORWARD chain, which would break native routing.
    await docker(['network', 'create', '--label', `kindlab.lab=${this.lab}`, this.network]);
    for (const [n, role] of [[this.cp, 'control-plane'], [this.worker, 'worker']] as const) {
      await docker(['run', '-d', '--name', n.name, '--hostname', n.name, '--network', this.network, '--label', `kindlab.lab=${this.lab}`, '--label', `kindlab.node=${n.name}`, '--label', 'kindlab.kind=k8s-node', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--cap-add', 'SYS_ADMIN', '--sysctl', 'net.ipv4.ip_forward=1', '-v', `${ROOT}:/opt/kindlab:ro`, '-v', `${this.dataDir}:/data${role === 'worker' ? ':ro' : ''}`, IMAGE]);
      n.ip = (await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${this.network}").IPAddress}}`, n.name])).stdout.trim();
    }
    fs.writeFileSync(path.join(this.dataDir, 'cluster.yaml'), `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: ${this.lab}\nnetworking:\n  podSubnet: 10.244.0.0/16\nnodes:\n- role: control-plane\n- role: worker\n`);
    const api = ['node', '/opt/kindlab/dist/cluster/apiserver/main.js', '--data', '/data', '--listen', '0.0.0.0:6443', '--cluster-config', '/data/cluster.yaml', '--cluster-name', this.lab, '--node-ip', `${this.cp.name}=${this.cp.ip}`, '--node-ip', `${this.worker.name}=${this.worker.ip}`, '--tls-san', this.cp.ip, '--kubeconfig', '/data/kubeconfig', '--kubeconfig-server', `https://${this.cp.ip}:6443`];
    await inNode(this.cp.name, `${api.join(' ')} 2>/data/apiserver.log &`);
    await this.waitFor('kubeconfig', async () => fs.existsSync(this.kubeconfig) && (await this.kubectl(['get', 'nodes'])).exitCode === 0, 30_000);
    for (const n of [this.cp, this.worker]) await this.startDaemon(n);
  }

  /** The daemon as a background process in the node container; its pid in /run/kl-node.pid. */
  async startDaemon(n: NodeBox, extra: string[] = []): Promise<void> {
    await inNode(n.name, `sh -c 'echo $$ > /run/kl-node.pid; exec node /opt/kindlab/dist/cluster/node/main.js --node ${n.name} --kubeconfig /data/kubeconfig --state-dir /var/lib/kindlab/node --verbose ${extra.join(' ')}' >>/var/log/kl-node.log 2>&1 &`);
  }

  async daemonLog(n: NodeBox): Promise<string> {
    return (await inNode(n.name, 'cat /var/log/kl-node.log', false)).stdout;
  }

  kubectl(args: string[], input?: string) {
    return execa(KUBECTL, args, { env: { KUBECONFIG: this.kubeconfig }, reject: false, timeout: 30_000, ...(input !== undefined ? { input } : {}) });
  }

  async json<T = Record<string, any>>(...args: string[]): Promise<T> {
    const r = await this.kubectl([...args, '-o', 'json']);
    if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Polls like test/lib/wait.ts's waitFor; on timeout the error also carries both daemons' last log lines. */
  async waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    try {
      return await waitFor(what, fn, ms, 200);
    } catch (e) {
      const logs = await Promise.all([this.cp, this.worker].map(async (n) => `--- ${n.name}\n${(await this.daemonLog(n)).split('\n').slice(-25).join('\n')}`));
      throw new Error(`${(e as Error).message}\n${logs.join('\n')}`);
    }
  }

  async down(): Promise<void> {
    await docker(['rm', '-f', this.cp.name, this.worker.name], false);
    await docker(['network', 'rm', this.network], false);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
