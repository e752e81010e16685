import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fallbackImage, firstStep, imageLabels, imageSettings, registryHost, substituteFromLabels, substitutionLine, withDefaultTag } from './image-plan.js';
import { authFor, isUnreachable } from './image-pull.js';

const none = imageSettings(undefined);

test('the images: section gives user aliases and the offline switch; the flag forces offline', () => {
  assert.deepEqual(imageSettings({ offline: true, 'foo/bar': 'kindlab/base:latest' }), { aliases: { 'foo/bar': 'kindlab/base:latest' }, offline: true });
  assert.equal(imageSettings({}, true).offline, true);
  assert.equal(imageSettings({ offline: false }).offline, false);
});

test('article images are not substituted up front: they follow the pull policy (default IfNotPresent)', () => {
  assert.deepEqual(firstStep('frrouting/frr:v8.2.2', undefined, none), { type: 'policy', policy: 'IfNotPresent', offline: false });
  assert.deepEqual(firstStep('nicolaka/netshoot', 'Always', none), { type: 'policy', policy: 'Always', offline: false });
  assert.deepEqual(firstStep('frrouting/frr:v8.2.2', undefined, imageSettings({ offline: true })), { type: 'policy', policy: 'IfNotPresent', offline: true });
});

test('a user alias from images: applies first; kindlab/* images are ours (built, never pulled)', () => {
  assert.deepEqual(firstStep('wbitt/network-multitool', undefined, imageSettings({ 'wbitt/*': 'kindlab/base:latest' })), { type: 'alias', image: 'kindlab/base:latest' });
  assert.deepEqual(firstStep('kindlab/base', undefined, none), { type: 'base', image: 'kindlab/base:latest' });
  assert.deepEqual(firstStep('kindlab/base:17e6679dcc5c4d32', undefined, none), { type: 'base', image: 'kindlab/base:17e6679dcc5c4d32' });
});

test('the fallback table covers the article images, and nothing else', () => {
  for (const i of ['frrouting/frr:v8.2.2', 'nicolaka/netshoot:latest', 'nginx:1.25', 'busybox', 'cr7258/nettool:bird']) assert.equal(fallbackImage(i), 'kindlab/base:latest', i);
  assert.equal(fallbackImage('wbitt/network-multitool'), undefined);
  assert.equal(fallbackImage('127.0.0.1:5000/kl-test/marker:1'), undefined);
});

test('registry host and default tag as Docker reads a reference', () => {
  assert.equal(registryHost('nginx'), 'docker.io');
  assert.equal(registryHost('frrouting/frr:v8.2.2'), 'docker.io');
  assert.equal(registryHost('ghcr.io/hellt/network-multitool'), 'ghcr.io');
  assert.equal(registryHost('127.0.0.1:5000/kl-test/marker:1'), '127.0.0.1:5000');
  assert.equal(registryHost('localhost/x'), 'localhost');
  assert.equal(withDefaultTag('nginx'), 'nginx:latest');
  assert.equal(withDefaultTag('127.0.0.1:5000/x'), '127.0.0.1:5000/x:latest');
  assert.equal(withDefaultTag('127.0.0.1:5000/x:1'), '127.0.0.1:5000/x:1');
  assert.equal(withDefaultTag('x@sha256:abc'), 'x@sha256:abc');
});

test('a substitution survives the round trip through container labels and reads as inspect shows it', () => {
  const s = { for: 'frrouting/frr:v8.2.2', image: 'kindlab/base:latest', description: 'kindlab/base (FRR 8.4.4)', reason: 'offline' };
  const labels = imageLabels({ requested: s.for, image: s.image, substitute: s });
  assert.deepEqual(substituteFromLabels(labels, 'kindlab/base:latest'), s);
  assert.equal(substitutionLine(s), 'frrouting/frr:v8.2.2 → kindlab/base (FRR 8.4.4)');
  assert.equal(substituteFromLabels(imageLabels({ requested: 'nginx', image: 'nginx' }), 'nginx'), undefined);
});

test('unreachable registries are told apart from a missing image', () => {
  assert.ok(isUnreachable('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host'));
  assert.ok(isUnreachable('Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'));
  assert.ok(!isUnreachable('manifest for 127.0.0.1:5000/x:2 not found: manifest unknown: manifest unknown'));
  assert.ok(!isUnreachable('pull access denied for x, repository does not exist or may require docker login'));
});

test('credentials come from the Docker config file the user has (auths, base64 user:password)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kl-auth-'));
  try {
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        auths: {
          'registry.example.com:5443': { auth: Buffer.from('alice:s3:cret').toString('base64') },
          'https://index.docker.io/v1/': { auth: Buffer.from('bob:pw').toString('base64') },
        },
      }),
    );
    assert.deepEqual(await authFor('registry.example.com:5443', file), { username: 'alice', password: 's3:cret', serveraddress: 'registry.example.com:5443' });
    assert.deepEqual(await authFor('docker.io', file), { username: 'bob', password: 'pw', serveraddress: 'https://index.docker.io/v1/' });
    assert.equal(await authFor('ghcr.io', file), undefined);
    assert.equal(await authFor('ghcr.io', join(dir, 'absent.json')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
