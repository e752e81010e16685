import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KindlabError } from '../../errors.js';
import { inClusterConfig, parseKubeconfig } from './kubeconfig.js';

const doc = `
apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: "https://10.0.0.1:6443/", certificate-authority-data: ${Buffer.from('CA-PEM').toString('base64')} }
- name: b
  cluster: { server: "https://b:6443", certificate-authority: ca.crt, insecure-skip-tls-verify: true }
users:
- name: ua
  user: { token: tok-a }
- name: ub
  user: { tokenFile: tok, client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key: key.pem }
contexts:
- name: ctx-a
  context: { cluster: a, user: ua }
- name: ctx-b
  context: { cluster: b, user: ub, namespace: kube-system }
current-context: ctx-a
`;

test('kubeconfig: current context, inline data, trailing slash dropped', () => {
  assert.deepEqual(parseKubeconfig(doc), { server: 'https://10.0.0.1:6443', ca: 'CA-PEM', token: 'tok-a' });
});

test('kubeconfig: named context, files relative to the kubeconfig, namespace', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-kc-'));
  fs.writeFileSync(path.join(dir, 'ca.crt'), 'B-CA');
  fs.writeFileSync(path.join(dir, 'key.pem'), 'KEY');
  const c = parseKubeconfig(doc, { baseDir: dir, context: 'ctx-b' });
  assert.deepEqual(c, { server: 'https://b:6443', ca: 'B-CA', insecureSkipTlsVerify: true, tokenFile: path.join(dir, 'tok'), clientCert: 'CERT', clientKey: 'KEY', namespace: 'kube-system' });
  fs.rmSync(dir, { recursive: true });
});

test('kubeconfig: unknown context is a K8S_API error listing the contexts', () => {
  assert.throws(() => parseKubeconfig(doc, { context: 'nope' }), (e: unknown) => e instanceof KindlabError && e.code === 'K8S_API' && e.hint === 'contexts: ctx-a, ctx-b');
});

test('in-cluster config from the service account directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-sa-'));
  fs.writeFileSync(path.join(dir, 'token'), 't');
  fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
  fs.writeFileSync(path.join(dir, 'namespace'), 'ns1\n');
  assert.deepEqual(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir), { server: 'https://[fd00::1]:443', tokenFile: path.join(dir, 'token'), ca: 'CA', namespace: 'ns1' });
  assert.equal(inClusterConfig({}, dir), undefined);
  fs.rmSync(dir, { recursive: true });
});
