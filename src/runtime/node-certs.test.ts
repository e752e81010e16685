import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { parseTopology, planLab, type LabPlan } from '../topology/index.js';
import { caFiles, ensureCa, ensureNodeCert, nodeCertFiles, nodeSans, validityDays } from './node-certs.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function plan(settings = ''): LabPlan {
  const t = parseTopology(`name: demo\n${settings}topology:\n  nodes:\n    r1: {kind: linux, image: i, certificate: {issue: true, key-size: 2048, sans: [r1.example.test]}}\n    r2: {kind: linux, image: i}\n`, { file: 'topo.yaml', dir, env: {} });
  return planLab(t, { labDir: join(dir, 'lab-demo') });
}

test('SANs: node name, container name, <node>.<lab>.io, the sans and the mgmt address; whole days for openssl', () => {
  const p = plan();
  assert.deepEqual(nodeSans(p, p.nodes[0]!), ['r1', 'clab-demo-r1', 'r1.demo.io', 'r1.example.test', '172.20.20.2']);
  assert.equal(validityDays(36 * 3600_000), 2);
  assert.equal(validityDays(1), 1);
});

test('a generated lab CA signs the node certificate (openssl verify), laid out as containerlab does; kept on a second run', async () => {
  const p = plan();
  const ca = await ensureCa(p, p.ca!);
  assert.deepEqual(ca, { cert: join(dir, 'lab-demo/.tls/ca/ca.pem'), key: join(dir, 'lab-demo/.tls/ca/ca.key') });
  await ensureNodeCert(p, p.nodes[0]!, ca);
  await ensureNodeCert(p, p.nodes[1]!, ca); // no certificate asked: nothing written
  const f = nodeCertFiles(p, 'r1');
  assert.deepEqual([existsSync(f.cert), existsSync(f.key), existsSync(f.csr), existsSync(join(dir, 'lab-demo/.tls/r2'))], [true, true, true, false]);
  const v = await execa('openssl', ['verify', '-CAfile', ca.cert, f.cert]);
  assert.match(v.stdout, /: OK$/);
  const before = (await execa('openssl', ['x509', '-in', f.cert, '-noout', '-fingerprint'])).stdout;
  await ensureNodeCert(p, p.nodes[0]!, await ensureCa(p, p.ca!));
  assert.equal((await execa('openssl', ['x509', '-in', f.cert, '-noout', '-fingerprint'])).stdout, before);
});

test('an external CA (settings.certificate-authority cert + key) is used in place', async () => {
  const ext = join(dir, 'ext');
  await execa('mkdir', ['-p', ext]);
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(ext, 'ca.key'), '-out', join(ext, 'ca.pem'), '-days', '2', '-subj', '/CN=external CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  const p = { ...plan(`settings:\n  certificate-authority: {cert: ext/ca.pem, key: ext/ca.key}\n`), labDir: join(dir, 'lab-ext') };
  const ca = await ensureCa(p, p.ca!);
  assert.deepEqual(ca, caFiles(p, p.ca!));
  assert.equal(ca.cert, join(ext, 'ca.pem'));
  await ensureNodeCert(p, p.nodes[0]!, ca);
  assert.equal(existsSync(join(dir, 'lab-ext/.tls/ca')), false);
  assert.match((await execa('openssl', ['verify', '-CAfile', ca.cert, nodeCertFiles(p, 'r1').cert])).stdout, /: OK$/);
});
