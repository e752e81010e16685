/**
 * A small lab (r1 on engine a, r2 on engine b, one VXLAN link) deployed and destroyed with engine b named
 * `ssh://root@10.250.0.2` (and, for reference, `tcp://10.250.0.2:2376` with TLS), this build against another
 * checkout's (`--base DIR`), alternating the order each round. The engines and the sshd are the e2e harness's
 * (test/e2e/engines.ts, engine-access.ts). The base build reaches ssh through the key in an ssh-agent started
 * here (what it supported), this build through the OpenSSH client with the test's ssh configuration.
 * Prints a table of medians; no assertions. Leaves nothing: engines, sshd, agent, netns and temp files go.
 *
 *   flock /tmp/kindlab-docker.lock node --import tsx bench/multihost-ssh.ts --base DIR [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { LAB_BIN } from '../test/e2e/helpers.js';
import { engine, loadInto, makeUnderlay, reachFromHost, removeEngine, startEngine } from '../test/e2e/engines.js';
import { makeCa, signCert, startSshd, stopSshd, tlsListener, type TestSshd } from '../test/e2e/engine-access.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, base: { type: 'string' } } });
if (!values.base) throw new Error('--base DIR (a built checkout) is required');
const rounds = Number(values.rounds);
const TAG = 'klbms';
const A = engine('a', TAG, 0);
const B = engine('b', TAG, 1);
const LAB = 'kl-bms';

const topology = (b: string) => `name: ${LAB}
hosts:
  a: { engine: "unix://${A.sock}", underlay: ${A.underlay} }
  b: ${b}
mgmt: { ipv4-subnet: 172.31.249.0/24 }
topology:
  defaults: { kind: linux, image: kindlab/base }
  nodes:
    r1: { host: a, exec: ["ip addr add 10.0.12.1/30 dev eth1"] }
    r2: { host: b, exec: ["ip addr add 10.0.12.2/30 dev eth1"] }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'kl-bms-'));
let sshd: TestSshd | undefined;
let agentPid: number | undefined;
try {
  await makeCa(join(dir, 'ca'), 'bench CA');
  await signCert(join(dir, 'ca'), join(dir, 'server'), { cn: B.underlay, ip: B.underlay, usage: 'serverAuth' });
  await signCert(join(dir, 'ca'), join(dir, 'client'), { cn: 'lab', usage: 'clientAuth' });
  await makeUnderlay([A, B]);
  await reachFromHost([A, B]);
  await Promise.all([startEngine(A), startEngine(B, { args: tlsListener(B, join(dir, 'server')) })]);
  sshd = await startSshd(B, join(dir, 'ssh'));
  await Promise.all([loadInto(A, ['kindlab/base:latest']), loadInto(B, ['kindlab/base:latest'])]);
  const agentSock = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
  agentPid = agent.pid;
  await new Promise((r) => setTimeout(r, 500));
  await execa('ssh-add', ['-q', join(dir, 'ssh', 'client_key')], { env: { SSH_AUTH_SOCK: agentSock } });
  const env = { PATH: `${sshd.binDir}:${process.env['PATH']}`, SSH_AUTH_SOCK: agentSock, CI: '1' };
  const files = { ssh: join(dir, 'ssh.yaml'), tls: join(dir, 'tls.yaml') };
  await writeFile(files.ssh, topology(`{ engine: "ssh://root@${B.underlay}", underlay: ${B.underlay} }`));
  await writeFile(files.tls, topology(`{ engine: "tcp://${B.underlay}:2376", underlay: ${B.underlay}, tls: { ca: ${join(dir, 'client', 'ca.pem')}, cert: ${join(dir, 'client', 'cert.pem')}, key: ${join(dir, 'client', 'key.pem')} } }`));
  const builds = { before: join(values.base, 'bin', 'lab.js'), after: LAB_BIN };
  const times: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    const order = (round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as Array<keyof typeof builds>;
    for (const build of order) {
      for (const via of ['ssh', 'tls'] as const) {
        const t0 = Date.now();
        const d = await execa('node', [builds[build], 'deploy', '-t', files[via]], { reject: false, env });
        const t1 = Date.now();
        const x = await execa('node', [builds[build], 'destroy', '-t', files[via], '--cleanup'], { reject: false, env });
        const t2 = Date.now();
        const ok = d.exitCode === 0 && x.exitCode === 0;
        if (!ok) console.error(`${build} ${via}: deploy ${d.exitCode} ${d.stderr.slice(-400)} destroy ${x.exitCode} ${x.stderr.slice(-400)}`);
        (times[`${build} ${via} deploy`] ??= []).push(ok ? t1 - t0 : NaN);
        (times[`${build} ${via} destroy`] ??= []).push(ok ? t2 - t1 : NaN);
        console.error(`round ${round + 1} ${build} ${via}: deploy ${((t1 - t0) / 1000).toFixed(1)} s, destroy ${((t2 - t1) / 1000).toFixed(1)} s${ok ? '' : ' (FAILED)'}`);
      }
    }
  }
  console.log('| build | engine b | deploy (median s) | destroy (median s) |\n|:--|:--|--:|--:|');
  for (const build of ['before', 'after']) for (const via of ['ssh', 'tls']) {
    console.log(`| ${build} | ${via} | ${(median(times[`${build} ${via} deploy`]!) / 1000).toFixed(1)} | ${(median(times[`${build} ${via} destroy`]!) / 1000).toFixed(1)} |`);
  }
  console.log(`load average: ${(await execa('cat', ['/proc/loadavg'])).stdout}`);
} finally {
  for (const b of [LAB_BIN, join(values.base, 'bin', 'lab.js')]) await execa('node', [b, 'destroy', '--name', LAB, '--cleanup'], { reject: false, env: sshd ? { PATH: `${sshd.binDir}:${process.env['PATH']}` } : {} });
  await stopSshd(sshd);
  if (agentPid) process.kill(agentPid, 'SIGTERM');
  for (const e of [A, B]) await removeEngine(e);
  await rm(dir, { recursive: true, force: true });
}
