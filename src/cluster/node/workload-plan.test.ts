import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../client/types.js';
import { classifyImage, imageBase, planWorkload, renderNginxConf } from './workload-plan.js';

const BINS: Record<string, string> = { sleep: '/usr/bin/sleep', sh: '/bin/sh', '/usr/bin/python3': '/usr/bin/python3' };
const ctx = { podDir: '/var/lib/kindlab/pods/default_p_uid', resolveBinary: (b: string) => BINS[b] };
const pod = (c: Pod['spec']['containers'][number]): Pod => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [c] } });

test('image classes', () => {
  assert.equal(imageBase('docker.io/cr7258/nettool:v1'), 'nettool');
  assert.equal(imageBase('registry:5000/library/nginx@sha256:abc'), 'nginx');
  assert.equal(classifyImage('nginx:1.25-alpine'), 'nginx');
  assert.equal(classifyImage('nginxinc/nginx-unprivileged'), 'nginx');
  assert.equal(classifyImage('nicolaka/netshoot:latest'), 'tools');
  assert.equal(classifyImage('cr7258/nettool:v1'), 'tools');
  assert.equal(classifyImage('busybox:1.36'), 'tools');
  assert.equal(classifyImage('redis:7'), 'other');
});

test('nginx: per-pod dir, declared TCP ports (default 80), tcp readiness on the first', () => {
  const web = { name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] };
  const p = planWorkload(pod(web), web, ctx);
  assert.equal(p.kind, 'nginx');
  if (p.kind !== 'nginx') return;
  assert.deepEqual(p.ports, [8080]);
  assert.equal(p.dir, '/var/lib/kindlab/pods/default_p_uid/web/nginx');
  assert.deepEqual(p.argv.slice(0, 3), ['nginx', '-c', '/var/lib/kindlab/pods/default_p_uid/web/nginx/nginx.conf']);
  assert.deepEqual(p.readiness, { tcpSocket: { port: 8080 }, periodSeconds: 1 });
  const d = planWorkload(pod({ name: 'c', image: 'nginx:1.25' }), { name: 'c', image: 'nginx:1.25' }, ctx);
  assert.equal(d.kind === 'nginx' && d.ports[0], 80);
});

test('nginx config: own pid, logs and temp paths, welcome page root, listens', () => {
  const conf = renderNginxConf('/d', [80, 8080]);
  assert.match(conf, /^daemon off;$/m);
  assert.match(conf, /pid \/d\/nginx\.pid;/);
  assert.match(conf, /client_body_temp_path \/d\/tmp\/body;/);
  assert.match(conf, /listen 80 default_server;\n {4}listen 8080;/);
  assert.match(conf, /root \/usr\/share\/nginx\/html;/);
  assert.doesNotMatch(conf, /\[::\]/, 'IPv4 only unless the pod has an IPv6 address');
  assert.match(renderNginxConf('/d', [80, 8080], true), /listen 80 default_server;\n {4}listen \[::\]:80 default_server;\n {4}listen 8080;\n {4}listen \[::\]:8080;/);
  const web = { name: 'web', image: 'nginx' };
  const p = planWorkload(pod(web), web, { ...ctx, ipv6: true });
  assert.match(p.kind === 'nginx' ? p.config : '', /listen \[::\]:80 default_server;/);
});

test('tool images: sleep infinity, or their command when it exists', () => {
  assert.deepEqual(planWorkload(pod({ name: 'c', image: 'cr7258/nettool:v1' }), { name: 'c', image: 'cr7258/nettool:v1' }, ctx), { kind: 'process', argv: ['/usr/bin/sleep', 'infinity'], env: {} });
  const c = { name: 'c', image: 'busybox', command: ['sh', '-c'], args: ['echo hi; sleep 5'], env: [{ name: 'A', value: '1' }] };
  assert.deepEqual(planWorkload(pod(c), c, ctx), { kind: 'process', argv: ['/bin/sh', '-c', 'echo hi; sleep 5'], env: { A: '1' } });
  const missing = { name: 'c', image: 'busybox', command: ['nonexistent'] };
  assert.deepEqual(planWorkload(pod(missing), missing, ctx), { kind: 'process', argv: ['/usr/bin/sleep', 'infinity'], env: {} });
});

test('other images: command when the binary exists, else ErrImageNeverPull', () => {
  const ok = { name: 'c', image: 'python:3', command: ['/usr/bin/python3', '-m', 'http.server'] };
  assert.deepEqual(planWorkload(pod(ok), ok, ctx), { kind: 'process', argv: ['/usr/bin/python3', '-m', 'http.server'], env: {} });
  const none = { name: 'c', image: 'redis:7' };
  const r = planWorkload(pod(none), none, ctx);
  assert.equal(r.kind, 'unavailable');
  assert.ok(r.kind === 'unavailable' && r.reason === 'ErrImageNeverPull' && /Container image "redis:7" is not present with pull policy of Never/.test(r.message));
  const argsOnly = { name: 'c', image: 'redis:7', args: ['sleep', '1'] };
  assert.equal(planWorkload(pod(argsOnly), argsOnly, ctx).kind, 'unavailable', 'args alone need the image entrypoint');
});

test('tool images without entrypoint: args alone are the command; stdin with nothing to run starts a shell', () => {
  const run = { name: 'r', image: 'busybox', args: ['sh', '-c', 'echo hi'] };
  const a = planWorkload(pod(run), run, ctx);
  assert.deepEqual(a.kind === 'process' && a.argv, ['/bin/sh', '-c', 'echo hi']);
  const it = { name: 'r', image: 'busybox', stdin: true, tty: true };
  const b = planWorkload(pod(it), it, ctx);
  assert.deepEqual(b.kind === 'process' && b.argv, ['/bin/sh']);
  const idle = { name: 'r', image: 'busybox' };
  const c = planWorkload(pod(idle), idle, ctx);
  assert.deepEqual(c.kind === 'process' && c.argv, ['/usr/bin/sleep', 'infinity']);
});
