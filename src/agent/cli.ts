/**
 * lab-agent CLI: `run --config FILE`, `neighbor [--json]`, `rib [--json] [--family ipv4|ipv6] [--summary]`,
 * `originate PREFIX [--community C]... [--large-community L]...`, `withdraw PREFIX`. All but `run` take --admin ADDR.
 */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import type { AgentNeighborStatus } from './admin-server.js';
import { adminRequest } from './client.js';
import { DEFAULT_ADMIN } from './config.js';
import { formatNeighbors, formatRib } from './format.js';
import type { RibJson } from './admin-server.js';

const USAGE = `usage:
  lab-agent run --config FILE [--admin ADDR] [--restarting]
  lab-agent neighbor [--json] [--admin ADDR]
  lab-agent rib [--json] [--family ipv4|ipv6] [--summary] [--peer ADDR] [--admin ADDR]
  lab-agent originate PREFIX [--community C]... [--large-community L]... [--admin ADDR]
  lab-agent withdraw PREFIX [--admin ADDR]
  lab-agent services [--json]          the node's Service NAT (ipvsadm -Ln's view of the iptables rules)
ADDR is host:port (default ${DEFAULT_ADMIN}) or a unix socket path; LAB_AGENT_ADMIN overrides the default.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'k8s' || cmd === 'adj-out') {
    // Kubernetes mode (src/agent/k8s): `lab-agent k8s --node N --dialect D [dialect flags]`, `lab-agent adj-out PEER`.
    const k8s = await import('./k8s/cli.js');
    return cmd === 'k8s' ? k8s.runK8s(rest) : k8s.runAdjOut(rest);
  }
  const { values: v, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      admin: { type: 'string' },
      json: { type: 'boolean', short: 'j' },
      family: { type: 'string', short: 'a' },
      summary: { type: 'boolean' },
      peer: { type: 'string' },
      restarting: { type: 'boolean' },
      community: { type: 'string', multiple: true },
      'large-community': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const admin = v.admin ?? process.env.LAB_AGENT_ADMIN ?? DEFAULT_ADMIN;
  if (v.help || !cmd) {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  switch (cmd) {
    case 'run': {
      if (!v.config) throw new KindlabError('USAGE', 'run needs --config FILE');
      const { runAgent } = await import('./run.js');
      await runAgent({ config: v.config, admin: v.admin, restarting: v.restarting });
      return -1; // keep running
    }
    case 'neighbor': {
      const ns = await adminRequest<AgentNeighborStatus[]>(admin, 'GET', '/neighbors');
      console.log(v.json ? JSON.stringify(ns, null, 2) : formatNeighbors(ns));
      return 0;
    }
    case 'rib': {
      const q = new URLSearchParams({ family: v.family ?? 'ipv4' });
      if (v.summary) q.set('summary', '1');
      if (v.peer) q.set('peer', v.peer);
      const r = await adminRequest<RibJson>(admin, 'GET', `/rib?${q.toString()}`);
      console.log(v.json ? JSON.stringify(r, null, 2) : formatRib(r));
      return 0;
    }
    case 'services': {
      const { runServices } = await import('./services/cli.js');
      return runServices(!!v.json);
    }
    case 'originate':
    case 'withdraw': {
      const prefix = positionals[0];
      if (!prefix) throw new KindlabError('USAGE', `${cmd} needs a PREFIX`);
      const payload = cmd === 'originate' ? { prefix, communities: v.community, largeCommunities: v['large-community'] } : { prefix };
      const r = await adminRequest<unknown>(admin, 'POST', `/${cmd}`, payload);
      console.log(v.json ? JSON.stringify(r) : `${cmd === 'originate' ? 'originated' : 'withdrawn'} ${prefix}`);
      return 0;
    }
    default:
      throw new KindlabError('USAGE', `unknown command "${cmd}"`, { hint: USAGE });
  }
}

function report(e: unknown): void {
  if (e instanceof KindlabError) {
    console.error(`lab-agent: ${e.message}`);
    if (e.hint) console.error(`hint: ${e.hint}`);
    if (process.argv.includes('-v') && e.stack) console.error(e.stack);
  } else console.error(`lab-agent: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    report(e);
    process.exitCode = e instanceof KindlabError && e.code === 'USAGE' ? 2 : 1;
  },
);
