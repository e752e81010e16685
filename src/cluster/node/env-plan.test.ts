import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod } from '../client/types.js';
import { EnvError, envObjects, expandVars, parseQuantity, resolveEnv, resolvedContainer, type EnvSources } from './env-plan.js';

const pod = (containers: Container[]): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { 'team.io/owner': 'ops' } }, spec: { nodeName: 'lab-worker', serviceAccountName: 'builder', containers } }) as Pod;
const src = (p: Pod, o: Partial<EnvSources> = {}): EnvSources => ({
  pod: p,
  nodeName: 'lab-worker',
  podIPs: ['10.244.1.7', 'fd00:10:244:1::7'],
  hostIPs: ['172.20.20.3'],
  configMaps: new Map([['cfg', { MODE: 'fast', 'bad key': 'x', LEVEL: '3' }]]),
  secrets: new Map([['creds', { password: 's3cret' }]]),
  node: { cpu: 4, memory: 8 * 2 ** 30 },
  ...o,
});
const env = (c: Container, o: Partial<EnvSources> = {}) => Object.fromEntries(resolveEnv(c, src(pod([c]), o)).env.map((e) => [e.name, e.value]));

test('valueFrom: configMapKeyRef, secretKeyRef, and the pod fields the downward API gives', () => {
  const c: Container = {
    name: 'app',
    env: [
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      ...['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.podIP', 'status.podIPs', 'status.hostIP', "metadata.labels['app']", "metadata.annotations['team.io/owner']", "metadata.labels['none']"].map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })),
    ],
  };
  assert.deepEqual(env(c), { MODE: 'fast', PASSWORD: 's3cret', F0: 'web-0', F1: 'shop', F2: 'u-1', F3: 'lab-worker', F4: 'builder', F5: '10.244.1.7', F6: '10.244.1.7,fd00:10:244:1::7', F7: '172.20.20.3', F8: 'web', F9: 'ops', F10: '' });
});

test('a missing ConfigMap, Secret or key fails with the kubelet’s words, unless optional', () => {
  const one = (valueFrom: NonNullable<NonNullable<Container['env']>[number]['valueFrom']>) => () => resolveEnv({ name: 'c', env: [{ name: 'X', valueFrom }] }, src(pod([])));
  assert.throws(one({ configMapKeyRef: { name: 'nope', key: 'k' } }), (e: unknown) => e instanceof EnvError && e.message === 'configmap "nope" not found' && e.reason === 'CreateContainerConfigError');
  assert.throws(one({ configMapKeyRef: { name: 'cfg', key: 'k' } }), /^EnvError: couldn't find key k in ConfigMap shop\/cfg$|couldn't find key k in ConfigMap shop\/cfg/);
  assert.throws(one({ secretKeyRef: { name: 'nope', key: 'k' } }), /secret "nope" not found/);
  assert.throws(one({ secretKeyRef: { name: 'creds', key: 'user' } }), /couldn't find key user in Secret shop\/creds/);
  assert.deepEqual(env({ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'user', optional: true } } }, { name: 'C', value: 'c' }] }), { C: 'c' });
  assert.throws(one({ fieldRef: { fieldPath: 'spec.hostname' } }), /unsupported fieldRef fieldPath "spec.hostname"/);
});

test('envFrom: every key with its prefix, invalid names skipped and reported, env after it wins', () => {
  const c: Container = { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }, { configMapRef: { name: 'gone', optional: true } }], env: [{ name: 'LEVEL', value: 'override' }] };
  const r = resolveEnv(c, src(pod([c])));
  assert.deepEqual(r.env, [{ name: 'MODE', value: 'fast' }, { name: 'LEVEL', value: 'override' }, { name: 'S_password', value: 's3cret' }]);
  assert.deepEqual(r.skipped, ['bad key']);
  assert.throws(() => resolveEnv({ name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] }, src(pod([]))), /configmap "gone" not found/);
  assert.deepEqual(envObjects(c), { configMaps: ['cfg', 'gone'], secrets: ['creds'] });
});

test('resourceFieldRef: limits and requests with a divisor, CPU rounded up; an unset limit is the node’s capacity', () => {
  const c: Container = {
    name: 'c',
    resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
    env: [
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'CPU_LIMIT_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'MEM_LIMIT_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
    ],
  };
  assert.deepEqual(env(c), { CPU_LIMIT: '1', CPU_LIMIT_M: '500', MEM_LIMIT_MI: '128', MEM_REQ: String(128 * 2 ** 20), CPU_REQ_M: '250' });
  assert.deepEqual(env({ name: 'c', env: [{ name: 'N', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }, { name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } }] }), { N: '4', M: '8' });
  assert.throws(() => env({ name: 'c', env: [{ name: 'N', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }), /unsupported resource "limits.gpu"/);
});

test('parseQuantity', () => {
  assert.deepEqual(['500m', '1', '2Gi', '1.5', '1e3', '128M', '1Ki', 'x', '1e3Mi'].map(parseQuantity), [0.5, 1, 2 * 2 ** 30, 1.5, 1000, 128e6, 1024, undefined, undefined]);
});

test('$(VAR): earlier variables only, $$ escapes, unknown names stay; command and args too', () => {
  const vars = new Map([['A', 'x'], ['B', 'y']]);
  assert.equal(expandVars('$(A)-$(B)-$(C)-$$(A)-$x-$', vars), 'x-y-$(C)-$(A)-$x-$');
  const c: Container = { name: 'c', command: ['sh', '-c', 'echo $(GREETING) $(POD)'], args: ['$(POD)'], env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'GREETING', value: 'hi-$(POD)-$(LATER)' }, { name: 'LATER', value: 'z' }] };
  const r = resolvedContainer(c, src(pod([c])));
  assert.deepEqual(r.container.env, [{ name: 'POD', value: 'web-0' }, { name: 'GREETING', value: 'hi-web-0-$(LATER)' }, { name: 'LATER', value: 'z' }]);
  assert.deepEqual(r.container.command, ['sh', '-c', 'echo hi-web-0-$(LATER) web-0']);
  assert.deepEqual(r.container.args, ['web-0']);
});
