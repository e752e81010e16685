import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_IMAGE, repositoryOf, resolveImage } from './image-aliases.js';

test('repositoryOf strips tags, digests and Docker Hub prefixes', () => {
  assert.equal(repositoryOf('frrouting/frr:v8.2.2'), 'frrouting/frr');
  assert.equal(repositoryOf('docker.io/library/nginx:1.25'), 'nginx');
  assert.equal(repositoryOf('nginx'), 'nginx');
  assert.equal(repositoryOf('localhost:5000/x/y:1'), 'localhost:5000/x/y');
  assert.equal(repositoryOf('ghcr.io/a/b@sha256:abcd'), 'ghcr.io/a/b');
});

test('article images map onto the base image', () => {
  for (const img of ['frrouting/frr:v8.2.2', 'nicolaka/netshoot:latest', 'nginx', 'nginx:1.25-alpine', 'busybox', 'cr7258/nettool:v1', 'kindlab/anything:1']) {
    assert.equal(resolveImage(img), BASE_IMAGE, img);
  }
});

test('unknown images are kept; user aliases win, with exact refs and wildcards', () => {
  assert.equal(resolveImage('ghcr.io/nokia/srlinux'), 'ghcr.io/nokia/srlinux');
  assert.equal(resolveImage('nginx:1.25', { 'nginx:1.25': 'my/nginx:1' }), 'my/nginx:1');
  assert.equal(resolveImage('ghcr.io/nokia/srlinux:23', { 'ghcr.io/nokia/*': 'local/srl' }), 'local/srl');
  assert.equal(resolveImage('nginx', { nginx: 'other:2' }), 'other:2');
});
