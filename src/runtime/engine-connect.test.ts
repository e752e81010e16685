import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KindlabError } from '../errors.js';
import { contextEndpoint, describeConnectError, dockerFor, envTls, isUnreachable, resolveEngine } from './engine-connect.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kl-engine-connect-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const host = (engineText: string, tls?: { ca?: string; cert?: string; key?: string }) => ({ name: 'b', engineText, underlay: '10.250.0.2', ...(tls ? { tls } : {}) });

test('tcp:// without a port: 2375 in the clear, 2376 with TLS (tls: files, or DOCKER_TLS_VERIFY as the docker CLI reads it)', async () => {
  assert.deepEqual(await resolveEngine(host('tcp://b.example'), {}), { ref: { type: 'tcp', host: 'b.example', port: 2375 } });
  assert.deepEqual(await resolveEngine(host('tcp://b.example', { ca: '/c/ca.pem' }), {}), { ref: { type: 'tcp', host: 'b.example', port: 2376 }, tls: { ca: '/c/ca.pem' } });
  assert.deepEqual((await resolveEngine(host('tcp://b.example:3000', { ca: '/c/ca.pem' }), {})).ref, { type: 'tcp', host: 'b.example', port: 3000 });

  const certs = join(dir, 'certs');
  await mkdir(certs);
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(certs, f), 'x');
  const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
  assert.deepEqual(await resolveEngine(host('tcp://b.example'), env), {
    ref: { type: 'tcp', host: 'b.example', port: 2376 },
    tls: { ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') },
  });
  // the host's own files win over the environment; DOCKER_TLS_VERIFY empty is off, as for docker
  assert.deepEqual((await resolveEngine(host('tcp://b.example', { ca: '/mine.pem' }), env)).tls, { ca: '/mine.pem' });
  assert.equal(await envTls({ DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: certs }), undefined);
  // without DOCKER_CERT_PATH: $DOCKER_CONFIG (else ~/.docker), only the files that exist
  await writeFile(join(dir, 'ca.pem'), 'x');
  assert.deepEqual(await envTls({ DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: dir }), { ca: join(dir, 'ca.pem') });
  // ssh:// keeps what the URL does not say for ssh's own configuration
  assert.deepEqual(await resolveEngine(host('ssh://box'), env), { ref: { type: 'ssh', host: 'box' } });
});

test('a docker context: its endpoint and TLS files where `docker context create` stores them; default is DOCKER_HOST', async () => {
  const config = join(dir, 'config');
  const id = createHash('sha256').update('lab-b').digest('hex');
  await mkdir(join(config, 'contexts', 'meta', id), { recursive: true });
  await writeFile(join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: 'lab-b', Metadata: {}, Endpoints: { docker: { Host: 'tcp://10.0.0.2:2376', SkipTLSVerify: false } } }));
  const tlsDir = join(config, 'contexts', 'tls', id, 'docker');
  await mkdir(tlsDir, { recursive: true });
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(tlsDir, f), 'x');
  const env = { DOCKER_CONFIG: config };
  assert.deepEqual(await contextEndpoint('lab-b', env), {
    ref: { type: 'tcp', host: '10.0.0.2', port: 2376 },
    text: 'tcp://10.0.0.2:2376',
    tls: { ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') },
  });
  assert.deepEqual(await resolveEngine(host('lab-b'), env), { ref: { type: 'tcp', host: '10.0.0.2', port: 2376 }, tls: { ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') }, via: 'tcp://10.0.0.2:2376' });
  assert.deepEqual((await contextEndpoint('default', { DOCKER_HOST: 'ssh://me@box' })).ref, { type: 'ssh', host: 'box', user: 'me' });
  assert.deepEqual((await contextEndpoint('default', {})).ref, { type: 'unix', path: '/var/run/docker.sock' });
  await assert.rejects(resolveEngine(host('lab-c'), env), (e: unknown) => e instanceof KindlabError && /^host b: docker context lab-c: not found/.test(e.shortMessage) && /docker context ls/.test(e.hint ?? ''));
});

test('TLS and ssh failures count as unreachable (a destroy names the host and goes on) and are told with the host entry', () => {
  const tls = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  const ssh = Object.assign(new Error('host b: ssh: connect to host 10.250.0.2 port 2222: Connection refused'), { code: 'ESSH' });
  const answer = Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404 });
  assert.ok(isUnreachable(tls));
  assert.ok(isUnreachable(ssh));
  assert.ok(isUnreachable(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })));
  assert.ok(!isUnreachable(answer));
  const t = describeConnectError(host('tcp://10.250.0.2:2376'), tls);
  assert.equal(t.message, 'host b (engine tcp://10.250.0.2:2376): TLS handshake failed: unable to verify the first certificate');
  assert.match(t.hint, /ca must have signed the engine's certificate/);
  const s = describeConnectError(host('ssh://root@10.250.0.2:2222'), ssh);
  assert.match(s.message, /^host b \(engine ssh:\/\/root@10\.250\.0\.2:2222\): ssh failed: .*Connection refused$/);
  assert.match(s.hint, /docker system dial-stdio/);
  const c = describeConnectError(host('lab-b'), Object.assign(new Error('connect ECONNREFUSED 10.0.0.2:2376'), { code: 'ECONNREFUSED' }));
  assert.equal(c.message, 'host b (engine lab-b) is unreachable: connect ECONNREFUSED 10.0.0.2:2376');
  assert.match(c.hint, /docker --context lab-b version/);
});

test('a unix:// engine is that socket even when DOCKER_HOST names a tcp:// engine (dockerode\'s defaults come from it)', async () => {
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = 'tcp://192.0.2.1:2375';
  try {
    const docker = await dockerFor(host(`unix://${join(dir, 'no.sock')}`));
    await assert.rejects(docker.ping(), (e: unknown) => (e as { code?: string }).code === 'ENOENT' && (e as { address?: string }).address === join(dir, 'no.sock'));
  } finally {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  }
});
