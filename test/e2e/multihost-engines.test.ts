/**
 * A lab's `hosts:` reaching an engine the other ways Docker users name one (issue 17), on real dockerd's in their
 * own network namespaces joined by a veth underlay (engines.ts). Engine a is a unix socket; engine b also listens on
 * tcp://10.250.0.2:2376 with --tlsverify (a CA, its server certificate for that IP and a client certificate, made with
 * openssl here) and has an sshd on 10.250.0.2:22 whose sessions' docker is engine b. A two-node lab (r1 on a, r2 on
 * b, a VXLAN link between them) is deployed three times at once (own names and mgmt subnets) with b named as
 * - `tcp://10.250.0.2:2376` with `tls: { cert-path }`,
 * - `ssh://root@10.250.0.2` (the OpenSSH client runs `docker system dial-stdio` there; the test's ssh configuration
 *   stands in for ~/.ssh/config),
 * - a `docker context` made by `docker context create … --docker host=tcp://…,ca=…,cert=…,key=…`;
 * each time r2 (on b, through that transport) pings r1 across the link and destroy leaves nothing on either engine.
 * Then the failures: a CA that did not sign b's certificate (given the docker CLI's way, DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH, with `tcp://10.250.0.2` and no port) and an ssh port nobody listens on each stop the deploy with
 * a message naming host b and its engine, before anything is made.
 *
 * Run under the shared lock: flock /tmp/kindlab-docker.lock node --import tsx --test test/e2e/multihost-engines.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { LAB_BIN, REPO, lab, until } from './helpers.js';
import { dockerOn, engine, loadInto, makeUnderlay, reachFromHost, removeEngine, startEngine, type TestEngine } from './engines.js';
import { makeCa, signCert, startSshd, stopSshd, tlsListener, type TestSshd } from './engine-access.js';

const LAB = 'kl-me';
const TAG = 'klme';
/** One lab per way of naming engine b, deployed at the same time: lab name and mgmt subnet. */
const VIA = { tls: ['kl-me-t', '172.31.252.0/24'], ssh: ['kl-me-s', '172.31.253.0/24'], context: ['kl-me-c', '172.31.254.0/24'] } as const;
const A = engine('a', TAG, 0);
const B = engine('b', TAG, 1);
let dir = '';
let sshd: TestSshd | undefined;

function topology(b: string, name: string = LAB, mgmt = '172.31.252.0/24'): string {
  return `name: ${name}
hosts:
  a: { engine: "unix://${A.sock}", underlay: ${A.underlay} }
  b: ${b}
mgmt: { ipv4-subnet: ${mgmt} }
topology:
  defaults: { kind: linux, image: kindlab/base }
  nodes:
    r1: { host: a, exec: ["ip addr add 10.0.12.1/30 dev eth1"] }
    r2: { host: b, exec: ["ip addr add 10.0.12.2/30 dev eth1"] }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
`;
}

/** What of the lab each engine still holds (containers and networks by label), read on its unix socket. */
async function leftOn(e: TestEngine, name = LAB): Promise<string[]> {
  const ps = await dockerOn(e, ['ps', '-a', '--filter', `label=kindlab.lab=${name}`, '--format', '{{.Names}}']);
  const nets = await dockerOn(e, ['network', 'ls', '--filter', `label=kindlab.lab=${name}`, '--format', '{{.Name}}']);
  assert.equal(ps.exitCode, 0, ps.stderr);
  return [...ps.stdout.split('\n'), ...nets.stdout.split('\n')].filter(Boolean);
}

/** The lab with b named `b`, deployed with `env`: r2 on b pings r1 on a through b's transport; destroy clears both. */
async function deployPingDestroy(via: keyof typeof VIA, b: string, env: Record<string, string> = {}): Promise<void> {
  const [name, mgmt] = VIA[via];
  const file = join(dir, `${via}.yaml`);
  await writeFile(file, topology(b, name, mgmt));
  const d = await lab(['deploy', '-t', file], { env });
  assert.equal(d.exitCode, 0, `${via}: ${d.stderr}${d.stdout}`);
  assert.match(d.stdout, /deployed: 2 containers, 1 links on 2 hosts/);
  assert.match(d.stdout, /r1:eth1 \(a 10\.250\.0\.1\) <-> r2:eth1 \(b 10\.250\.0\.2\): VXLAN VNI \d+/);
  assert.deepEqual((await leftOn(B, name)).filter((n) => n.startsWith('clab-')), [`clab-${name}-r2`], `${via}: r2 runs on engine b`);
  await until(`${via}: r2 → r1`, async () => {
    const r = await lab(['exec', '-t', file, 'r2', '--', 'ping', '-c', '1', '-W', '1', '10.0.12.1'], { env });
    return r.exitCode === 0 ? true : undefined;
  }, 20_000, 300);
  const x = await lab(['destroy', '-t', file, '--cleanup'], { env });
  assert.equal(x.exitCode, 0, `${via}: ${x.stderr}${x.stdout}`);
  assert.deepEqual(await leftOn(A, name), [], `${via}: engine a`);
  assert.deepEqual(await leftOn(B, name), [], `${via}: engine b`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kl-me-'));
  await makeCa(join(dir, 'ca'), 'kindlab test CA');
  await signCert(join(dir, 'ca'), join(dir, 'server'), { cn: B.underlay, ip: B.underlay, usage: 'serverAuth' });
  await signCert(join(dir, 'ca'), join(dir, 'client'), { cn: 'lab', usage: 'clientAuth' });
  // a client whose CA is another one: it cannot trust b's certificate
  await makeCa(join(dir, 'other-ca'), 'another CA');
  await signCert(join(dir, 'other-ca'), join(dir, 'wrong'), { cn: 'lab', usage: 'clientAuth' });
  await makeUnderlay([A, B]);
  await reachFromHost([A, B]);
  await Promise.all([startEngine(A), startEngine(B, { args: tlsListener(B, join(dir, 'server')) })]);
  sshd = await startSshd(B, join(dir, 'ssh'));
  // both engines have the image (copying it between engines is multihost.test.ts's)
  await Promise.all([loadInto(A, ['kindlab/base:latest']), loadInto(B, ['kindlab/base:latest'])]);
});

after(async () => {
  for (const name of [LAB, ...Object.values(VIA).map(([n]) => n)]) {
    await execa('node', [LAB_BIN, 'destroy', '--name', name, '--cleanup'], { reject: false, cwd: REPO, env: { DOCKER_CONFIG: join(dir, 'docker-config'), ...(sshd ? { PATH: `${sshd.binDir}:${process.env['PATH']}` } : {}) } });
  }
  await stopSshd(sshd);
  for (const e of [A, B]) await removeEngine(e);
  await rm(dir, { recursive: true, force: true });
});

test('engine b over tcp:// with TLS (tls: cert-path), ssh:// and a docker context: each deploys, pings across and destroys clean', async () => {
  const config = join(dir, 'docker-config');
  const c = join(dir, 'client');
  const made = await execa('docker', ['context', 'create', 'klme-b', '--docker', `host=tcp://${B.underlay}:2376,ca=${c}/ca.pem,cert=${c}/cert.pem,key=${c}/key.pem`], { reject: false, env: { DOCKER_CONFIG: config } });
  assert.equal(made.exitCode, 0, made.stderr);
  // three labs at once (their own names and mgmt subnets), as three users of the same machines would
  await Promise.all([
    deployPingDestroy('tls', `{ engine: "tcp://${B.underlay}:2376", underlay: ${B.underlay}, tls: { cert-path: ${c} } }`),
    deployPingDestroy('ssh', `{ engine: "ssh://root@${B.underlay}", underlay: ${B.underlay} }`, { PATH: `${sshd!.binDir}:${process.env['PATH']}` }),
    deployPingDestroy('context', `{ engine: klme-b, underlay: ${B.underlay} }`, { DOCKER_CONFIG: config }),
  ]);
  // every ssh connection of those commands ended with them (none kept by a lab process that is gone)
  const ssh = await execa('pgrep', ['-f', `${B.underlay} docker system dial-stdio`], { reject: false });
  assert.equal(ssh.stdout.trim(), '', 'no ssh dial-stdio process left');
});

test('a CA that did not sign b\'s certificate, an ssh port nobody answers: the deploy names host b and makes nothing', async () => {
  // the docker CLI's way: DOCKER_TLS_VERIFY with DOCKER_CERT_PATH, and tcp:// without a port (2376 with TLS)
  const tlsFile = join(dir, 'wrong-ca.yaml');
  await writeFile(tlsFile, topology(`{ engine: "tcp://${B.underlay}", underlay: ${B.underlay} }`));
  const t = await lab(['deploy', '-t', tlsFile], { env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'wrong') } });
  assert.equal(t.exitCode, 1, t.stdout + t.stderr);
  assert.match(t.stderr, /host b \(engine tcp:\/\/10\.250\.0\.2\): TLS handshake failed: /);
  assert.deepEqual([...(await leftOn(A)), ...(await leftOn(B))], []);

  const sshFile = join(dir, 'no-sshd.yaml');
  await writeFile(sshFile, topology(`{ engine: "ssh://root@${B.underlay}:2222", underlay: ${B.underlay} }`));
  const s = await lab(['deploy', '-t', sshFile], { env: { PATH: `${sshd!.binDir}:${process.env['PATH']}` } });
  assert.equal(s.exitCode, 1, s.stdout + s.stderr);
  assert.match(s.stderr, /host b \(engine ssh:\/\/root@10\.250\.0\.2:2222\): ssh failed: .*port 2222: Connection refused/);
  assert.deepEqual([...(await leftOn(A)), ...(await leftOn(B))], []);
  // nothing recorded either: no lab directory was made
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('lab-')), []);
});
