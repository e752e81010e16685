/**
 * Test harness only: the other ways Docker users reach an engine, set up for a test engine (engines.ts):
 * - TLS material as `dockerd --tlsverify` and `docker --tlsverify` use it (openssl: a CA, a server certificate for
 *   the engine's underlay address, a client certificate in a DOCKER_CERT_PATH-style directory);
 * - an sshd in the engine's network namespace on its underlay address, whose sessions have DOCKER_HOST set to the
 *   engine's socket (so `docker system dial-stdio` run there reaches it, as on a machine whose docker is that engine),
 *   and an ssh client configuration standing in for the user's ~/.ssh/config (key, known_hosts).
 * Everything lives under the directory the test gives; the sshd is stopped by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { until } from './helpers.js';
import type { TestEngine } from './engines.js';

const openssl = (dir: string, args: string[]) => execa('openssl', args, { cwd: dir });

/** A CA (ca.pem, ca-key.pem) in `dir`. */
export async function makeCa(dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}`]);
}

/** A certificate signed by the CA in `caDir`, written as `<dir>/cert.pem`, `<dir>/key.pem` and the CA's `<dir>/ca.pem` (docker's names). */
export async function signCert(caDir: string, dir: string, opts: { cn: string; ip?: string; usage: 'serverAuth' | 'clientAuth' }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'req.csr', '-subj', `/CN=${opts.cn}`]);
  const ext = [`extendedKeyUsage=${opts.usage}`, ...(opts.ip ? [`subjectAltName=IP:${opts.ip}`] : [])].join('\n');
  await writeFile(join(dir, 'ext.cnf'), ext + '\n');
  await openssl(dir, ['x509', '-req', '-in', 'req.csr', '-CA', join(caDir, 'ca.pem'), '-CAkey', join(caDir, 'ca-key.pem'), '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'ext.cnf']);
  await writeFile(join(dir, 'ca.pem'), await readFile(join(caDir, 'ca.pem')));
}

/** dockerd flags for a TLS listener on the engine's underlay address, clients verified against the CA (docker's --tlsverify). */
export function tlsListener(e: TestEngine, serverDir: string, port = 2376): string[] {
  return ['-H', `tcp://${e.underlay}:${port}`, '--tlsverify', '--tlscacert', join(serverDir, 'ca.pem'), '--tlscert', join(serverDir, 'cert.pem'), '--tlskey', join(serverDir, 'key.pem')];
}

export interface TestSshd {
  proc: ChildProcess;
  /** A directory holding an `ssh` that uses the test's client configuration: put it first in PATH. */
  binDir: string;
}

/** sshd in the engine's namespace on its underlay address (port 22, root by key only), sessions with DOCKER_HOST=the engine. */
export async function startSshd(e: TestEngine, dir: string): Promise<TestSshd> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')));
  await writeFile(join(dir, 'sshd_config'), [
    `ListenAddress ${e.underlay}:22`,
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // the test's files live in a temp directory, not a home with ssh's modes
    'StrictModes no',
    `SetEnv DOCKER_HOST=unix://${e.sock}`,
    '',
  ].join('\n'));
  // what a user's ~/.ssh/config and known_hosts would hold for that machine
  const hostKey = (await readFile(join(dir, 'host_key.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  await writeFile(join(dir, 'known_hosts'), `${e.underlay} ${hostKey}\n`);
  await writeFile(join(dir, 'ssh_config'), [
    'Host *',
    `  IdentityFile ${join(dir, 'client_key')}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    '  StrictHostKeyChecking yes',
    '',
  ].join('\n'));
  await writeFile(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${join(dir, 'ssh_config')}' "$@"\n`);
  await chmod(join(dir, 'bin', 'ssh'), 0o755);
  // sshd's privilege separation directory (the package makes it at boot)
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const proc = spawn('nsenter', [`--net=/var/run/netns/${e.netns}`, '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  await until(`sshd on ${e.name}`, async () => {
    if (proc.exitCode !== null) throw new Error(`sshd exited ${proc.exitCode}: ${err}`);
    const r = await execa(join(dir, 'bin', 'ssh'), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', `root@${e.underlay}`, 'docker', 'version', '--format', '{{.Server.Version}}'], { reject: false });
    return r.exitCode === 0 ? true : undefined;
  }, 20_000, 200);
  return { proc, binDir: join(dir, 'bin') };
}

/** Stops the sshd and the sessions it forked (found by their parent pid). */
export async function stopSshd(s: TestSshd | undefined): Promise<void> {
  if (!s?.proc.pid) return;
  const pid = s.proc.pid;
  // nsenter execs sshd in place: the pid is the sshd's
  const children: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(p));
  }
  for (const c of [pid, ...children]) {
    try {
      process.kill(c, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  if (s.proc.exitCode === null && s.proc.signalCode === null) await new Promise((r) => s.proc.once('exit', r));
}
