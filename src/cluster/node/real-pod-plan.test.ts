import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../client/types.js';
import { LABEL_POD_OF as RUNTIME_LABEL_POD_OF } from '../../runtime/index.js';
import { chooseRuntime, containerCreate, hostPathMapper, LABEL_POD_OF, planVolumes, projectedFiles, pullPolicyOf, sandboxCreate, VolumeError, type RealPodContext } from './real-pod-plan.js';

const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name: 'web', namespace: 'team', uid: 'u-1', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'httpd', image: 'me/httpd:1' }], ...spec },
});
const ctx: RealPodContext = {
  nodeContainer: 'lab-worker',
  sandboxImage: 'kindlab/base:latest',
  labLabels: { 'kindlab.lab': 'l1', 'kindlab.labdir': '/d', 'kindlab.topo': '/t.yaml' },
  podDir: '/var/lib/kindlab/node/pods/team_web_u-1',
  hostPathOf: hostPathMapper([{ source: '/host/labs/worker', destination: '/var/lib/kindlab/node' }], '/docker/merged'),
};

describe('real-image pod planning', () => {
  it('the runtime and the pods agree on the label that ties a pod container to its node', () => {
    assert.equal(LABEL_POD_OF, RUNTIME_LABEL_POD_OF);
  });

  it('sandbox: no Docker network, in the node container\'s PID namespace, the lab\'s labels and the pod\'s', () => {
    const s = sandboxCreate(pod(), ctx);
    assert.equal(s.name, 'k8s_POD_web_team_u-1');
    assert.deepEqual(s.body.HostConfig.NetworkMode, 'none');
    assert.equal(s.body.HostConfig.PidMode, 'container:lab-worker');
    assert.equal(s.body.Image, 'kindlab/base:latest');
    assert.deepEqual(s.body.Env, ['KINDLAB_SANDBOX=u-1']);
    assert.equal(s.body.Labels['kindlab.lab'], 'l1');
    assert.equal(s.body.Labels[LABEL_POD_OF], 'lab-worker');
    assert.equal(s.body.Labels['io.kubernetes.pod.uid'], 'u-1');
    assert.equal(s.body.Labels['io.kubernetes.container.name'], 'POD');
  });

  it('container: joins the sandbox network; command → Entrypoint, args → Cmd; env; working dir', () => {
    const p = pod({ containers: [{ name: 'httpd', image: 'me/httpd:1', command: ['/bin/sh', '-c'], args: ['exec httpd'], env: [{ name: 'A', value: '1' }, { name: 'FROM_REF' }], workingDir: '/w' }] });
    const c = containerCreate(p, p.spec.containers[0]!, 'me/httpd:1', [], ctx);
    assert.equal(c.name, 'k8s_httpd_web_team_u-1');
    assert.equal(c.body.HostConfig.NetworkMode, 'container:k8s_POD_web_team_u-1');
    assert.deepEqual(c.body.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(c.body.Cmd, ['exec httpd']);
    assert.deepEqual(c.body.Env, ['A=1']);
    assert.equal(c.body.WorkingDir, '/w');
    assert.deepEqual(c.body.HostConfig.RestartPolicy, { Name: 'no' }, 'the node daemon restarts per restartPolicy');
  });

  it('container without command/args keeps the image\'s entrypoint and cmd; a hostNetwork pod joins the node container', () => {
    const p = pod({ hostNetwork: true });
    const c = containerCreate(p, p.spec.containers[0]!, 'me/httpd:1', [], ctx);
    assert.equal(c.body.Entrypoint, undefined);
    assert.equal(c.body.Cmd, undefined);
    assert.equal(c.body.HostConfig.NetworkMode, 'container:lab-worker');
  });

  it('volumes: emptyDir and configMap/secret in the pod directory (host path through the node mount), hostPath in the node root, read-only projections', () => {
    const p = pod({
      volumes: [{ name: 'e', emptyDir: {} }, { name: 'cm', configMap: { name: 'conf' } }, { name: 's', secret: { secretName: 'pw' } }, { name: 'h', hostPath: { path: '/etc/lab', type: 'DirectoryOrCreate' } }],
      containers: [{ name: 'httpd', image: 'x/y:1', volumeMounts: [{ name: 'e', mountPath: '/data' }, { name: 'cm', mountPath: '/conf' }, { name: 's', mountPath: '/pw' }, { name: 'h', mountPath: '/lab', readOnly: true }, { name: 'e', mountPath: '/sub', subPath: 'a/b' }] }],
    });
    const vols = planVolumes(p, ctx.podDir);
    assert.deepEqual(vols.map((v) => v.type), ['emptyDir', 'configMap', 'secret', 'hostPath']);
    const c = containerCreate(p, p.spec.containers[0]!, 'x/y:1', vols, ctx);
    assert.deepEqual(c.body.HostConfig.Binds, [
      '/host/labs/worker/pods/team_web_u-1/volumes/e:/data',
      '/host/labs/worker/pods/team_web_u-1/volumes/cm:/conf:ro',
      '/host/labs/worker/pods/team_web_u-1/volumes/s:/pw:ro',
      '/docker/merged/etc/lab:/lab:ro',
      '/host/labs/worker/pods/team_web_u-1/volumes/e/a/b:/sub',
    ]);
  });

  it('volumes: an unsupported kind or an undefined mount is a VolumeError naming it', () => {
    assert.throws(() => planVolumes(pod({ volumes: [{ name: 'n', nfs: { server: 'x' } }] }), '/p'), (e: Error) => e instanceof VolumeError && /volume "n" of pod team\/web: nfs volumes are not supported/.test(e.message));
    const p = pod({ containers: [{ name: 'c', image: 'x/y:1', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] });
    assert.throws(() => containerCreate(p, p.spec.containers[0]!, 'x/y:1', [], ctx), /container "c" mounts volume "nope"/);
  });

  it('projected files: every key, or the items asked for; a missing key or an escaping path is refused', () => {
    assert.deepEqual(projectedFiles({ name: 'v' }, { a: '1', b: '2' }), [{ path: 'a', content: '1' }, { path: 'b', content: '2' }]);
    assert.deepEqual(projectedFiles({ name: 'v', items: [{ key: 'a', path: 'd/x.conf' }] }, { a: '1', b: '2' }), [{ path: 'd/x.conf', content: '1' }]);
    assert.throws(() => projectedFiles({ name: 'v', items: [{ key: 'z', path: 'z' }] }, { a: '1' }), /key "z" does not exist/);
    assert.throws(() => projectedFiles({ name: 'v', items: [{ key: 'a', path: '../x' }] }, { a: '1' }), /must be relative/);
  });

  it('host path mapper: the longest node mount wins, paths outside mounts go to the root filesystem', () => {
    const m = hostPathMapper([{ source: '/a', destination: '/var' }, { source: '/b', destination: '/var/lib' }], '/root');
    assert.equal(m('/var/lib/x'), '/b/x');
    assert.equal(m('/var/log'), '/a/log');
    assert.equal(m('/variable'), '/root/variable');
    assert.equal(m('/var'), '/a');
  });

  it('pull policy: Kubernetes\' default from the tag', () => {
    assert.equal(pullPolicyOf({ name: 'c', image: 'x/y' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'x/y:latest' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'reg:5000/x/y:1' }), 'IfNotPresent');
    assert.equal(pullPolicyOf({ name: 'c', image: 'reg:5000/x/y' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'x/y', imagePullPolicy: 'Never' }), 'Never');
  });

  it('runtime choice: article images stay stand-ins unless asked; others run present, pull, or fall back with the reason', () => {
    const p = pod();
    const c = p.spec.containers[0]!;
    assert.deepEqual(chooseRuntime(p, { name: 'n', image: 'nginx:1.25' }, { engine: true, present: true }), { run: 'standin' });
    assert.deepEqual(chooseRuntime(p, { name: 'n', image: 'nicolaka/netshoot' }, { engine: true, present: true }), { run: 'standin' });
    assert.deepEqual(chooseRuntime(pod({}, { 'kindlab.io/pod-runtime': 'docker' }), { name: 'n', image: 'nginx' }, { engine: true, present: true }), { run: 'image' });
    assert.deepEqual(chooseRuntime(pod({}, { 'kindlab.io/pod-runtime': 'standin' }), c, { engine: true, present: true }), { run: 'standin' });
    assert.deepEqual(chooseRuntime(p, c, { engine: true, present: true }), { run: 'image' });
    assert.deepEqual(chooseRuntime(p, c, { engine: true, present: false }), { run: 'pull' });
    assert.match((chooseRuntime(p, { ...c, imagePullPolicy: 'Never' }, { engine: true, present: false }) as { why: string }).why, /not present with pull policy of Never/);
    assert.match((chooseRuntime(p, c, { engine: false, present: false }) as { why: string }).why, /no access to the Docker engine/);
  });
});
