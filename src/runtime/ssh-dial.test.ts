import assert from 'node:assert/strict';
import { test } from 'node:test';
import Docker from 'dockerode';
import { SshDialError, sshAgent, sshArgv } from './ssh-dial.js';

test('the ssh command line is the docker CLI\'s: -l and -p only when the URL gives them, then dial-stdio', () => {
  assert.deepEqual(sshArgv({ host: 'box' }).slice(-5), ['-T', '--', 'box', 'docker', 'system', 'dial-stdio'].slice(-5));
  const full = sshArgv({ host: '2001:db8::2', user: 'lab', port: 2200 });
  assert.deepEqual(full.slice(full.indexOf('-T')), ['-T', '-l', 'lab', '-p', '2200', '--', '2001:db8::2', 'docker', 'system', 'dial-stdio']);
  assert.ok(!sshArgv({ host: 'box' }).includes('-l') && !sshArgv({ host: 'box' }).includes('-p'), 'user and port left to ~/.ssh/config');
  assert.ok(full.includes('BatchMode=yes'), 'no prompt per connection');
});

test('a Docker call over ssh that cannot connect fails with what ssh said (real ssh client, nothing listening)', async () => {
  const docker = new Docker({ protocol: 'http', host: 'docker', port: 80, agent: sshAgent({ host: '127.0.0.1', port: 1 }, 'host x') } as Docker.DockerOptions);
  await assert.rejects(docker.ping(), (e: unknown) => e instanceof SshDialError && e.code === 'ESSH' && /^host x: ssh: connect to host 127\.0\.0\.1 port 1: Connection refused$/.test(e.message));
});
