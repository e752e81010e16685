/**
 * The workload controllers and kubectl's workload verbs as users type them, with the real
 * kubectl v1.32 against a cluster lab (the Cilium article's 4-node cluster, real Docker):
 * a Deployment rolled with `set image`, `rollout restart` and `rollout undo`, watched with
 * `rollout status` and listed by `rollout history`; a StatefulSet created in order and scaled
 * down in reverse; Jobs run to completion (`kubectl wait --for=condition=complete`) and to
 * failure; `kubectl attach -it` and `kubectl run --rm -it` through a pseudo-terminal (`script`);
 * liveness and startup probes restarting a container as the kubelet does, with `kubectl logs`
 * -p/--since/--since-time/--tail/--timestamps over its two runs; env from valueFrom and envFrom;
 * a CronJob's first scheduled Job.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { REPO, forceDestroy, lab, until } from './helpers.js';
import { writeClusterLab } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';
const name = uniqueLabName('kl-kwork');
let dir = '';
let kubeconfig = '';

async function kubectl(args: string[], input?: string) {
  const r = await execa(KUBECTL, args, { env: { KUBECONFIG: kubeconfig }, reject: false, timeout: 90_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
/** A kubectl command line run on a pseudo-terminal (as a user's shell would), `input` typed into it. */
async function onTty(cmdline: string, input: string) {
  const r = await execa('script', ['-qfec', cmdline, '/dev/null'], { env: { KUBECONFIG: kubeconfig }, input, reject: false, timeout: 90_000 });
  return { code: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` };
}
type Ev = { reason: string; message: string; involvedObject: { kind: string; name: string } };
async function events(kind: string, obj: string): Promise<Ev[]> {
  const j = JSON.parse(await ok('get', 'events', '-o', 'json')) as { items: Array<Ev & { eventTime?: string; metadata: { name: string } }> };
  return j.items.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === obj).sort((a, b) => (a.eventTime ?? '').localeCompare(b.eventTime ?? '') || a.metadata.name.localeCompare(b.metadata.name));
}

const ROLL = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: roll
spec:
  replicas: 3
  revisionHistoryLimit: 2
  selector:
    matchLabels: {app: roll}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: roll}
    spec:
      containers:
      - name: c
        image: busybox:1.36
        command: ["sleep", "3600"]
`;
const DB = `apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 3
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sleep", "3600"]
`;
const AGENT = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  updateStrategy:
    rollingUpdate: {maxUnavailable: 3}
  template:
    metadata:
      labels: {app: agent}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox:1.36
        command: ["sleep", "3600"]
`;
const TTY = `apiVersion: v1
kind: Pod
metadata:
  name: tty
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    stdin: true
    tty: true
`;

/** A dir only this test's stand-in uses (stand-ins share the node's filesystem). */
const T = `/tmp/kl-live-${randomBytes(4).toString('hex')}`;
/**
 * Run 1 sleeps: its startup probe passes (the file is made at once), its liveness probe (HTTP on
 * 8081) fails twice and the kubelet kills it; run 2 serves 8081 and stays. The second container
 * never passes its startup probe: killed and restarted, never started.
 */
const LIVE = `apiVersion: v1
kind: Pod
metadata:
  name: live
spec:
  nodeSelector: {rack: rack1}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "mkdir -p ${T}; touch ${T}/started; n=$(( $(cat ${T}/n 2>/dev/null || echo 0) + 1 )); echo $n > ${T}/n; echo run-$n; echo ok > ${T}/index.html; if [ $n -ge 2 ]; then exec busybox httpd -f -p 8081 -h ${T}; else exec sleep 3600; fi"]
    startupProbe:
      exec: {command: ["test", "-f", "${T}/started"]}
      periodSeconds: 1
    livenessProbe:
      httpGet: {port: 8081, path: /index.html}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 2
  - name: never
    image: busybox
    command: ["sleep", "3600"]
    startupProbe:
      tcpSocket: {port: 8099}
      periodSeconds: 1
      failureThreshold: 2
`;
const ENVY = `apiVersion: v1
kind: ConfigMap
metadata: {name: envy-cfg}
data: {MODE: fast, LEVEL: "3"}
---
apiVersion: v1
kind: Secret
metadata: {name: envy-sec}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Pod
metadata:
  name: envy
  labels: {app: envy}
spec:
  nodeSelector: {rack: rack1}
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "env | grep -E '^(MODE|LEVEL|S_password|PASSWORD|OPT|POD_NAME|POD_NS|POD_IP|NODE|HOST_IP|APP|MEM_MI|GREETING)=' | sort; echo args $(GREETING)"]
    resources: {limits: {memory: 64Mi}}
    envFrom:
    - configMapRef: {name: envy-cfg}
    - prefix: S_
      secretRef: {name: envy-sec}
    env:
    - {name: LEVEL, value: override}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: envy-sec, key: password}}
    - name: OPT
      valueFrom: {configMapKeyRef: {name: envy-cfg, key: absent, optional: true}}
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: POD_NS
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: NODE
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: HOST_IP
      valueFrom: {fieldRef: {fieldPath: status.hostIP}}
    - name: APP
      valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}
    - name: MEM_MI
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
    - {name: GREETING, value: "hi-$(POD_NAME)"}
---
apiVersion: v1
kind: Pod
metadata: {name: envy-missing}
spec:
  nodeSelector: {rack: rack1}
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    env:
    - name: X
      valueFrom: {configMapKeyRef: {name: envy-cfg, key: nope}}
`;

before(async () => {
  assert.ok(existsSync(join(REPO, 'dist/cluster/node/main.js')), 'run npm run build first (the node containers run dist/)');
  let file: string;
  ({ dir, file } = await writeClusterLab(name, { manifests: [] }));
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
  kubeconfig = (await lab(['kubeconfig', '-t', file])).stdout.trim();
});
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('workload controllers and kubectl workload verbs', { concurrency: false }, () => {
  it('deployment: rollout status, set image, restart, history, undo; revisions on the ReplicaSets', async () => {
    assert.equal((await kubectl(['apply', '-f', '-'], ROLL)).code, 0);
    assert.match(await ok('rollout', 'status', 'deployment/roll', '--timeout=60s'), /deployment "roll" successfully rolled out/);
    await ok('set', 'image', 'deployment/roll', 'c=busybox:1.37');
    const st = await ok('rollout', 'status', 'deployment/roll', '--timeout=60s');
    assert.match(st, /Waiting for deployment "roll" rollout to finish/, 'kubectl saw the rollout in progress');
    assert.match(st, /successfully rolled out/);
    const rs = JSON.parse(await ok('get', 'rs', '-l', 'app=roll', '-o', 'json')) as { items: Array<{ metadata: { annotations: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } }> };
    const byRev = Object.fromEntries(rs.items.map((r) => [r.metadata.annotations['deployment.kubernetes.io/revision'], r]));
    assert.deepEqual(Object.keys(byRev).sort(), ['1', '2']);
    assert.deepEqual([byRev['1']!.spec.replicas, byRev['2']!.spec.replicas], [0, 3]);
    assert.equal(byRev['2']!.spec.template.spec.containers[0]!.image, 'busybox:1.37');
    const scaling = (await events('Deployment', 'roll')).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(scaling.some((m) => /^Scaled down replica set roll-\w+ from 3 to 2$/.test(m)), scaling.join('\n'));

    await ok('rollout', 'restart', 'deployment/roll');
    assert.match(await ok('rollout', 'status', 'deployment/roll', '--timeout=60s'), /successfully rolled out/);
    const restarted = JSON.parse(await ok('get', 'deployment', 'roll', '-o', 'json')) as { metadata: { annotations: Record<string, string> }; spec: { template: { metadata: { annotations?: Record<string, string> } } }; status: Record<string, unknown> };
    assert.ok(restarted.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']);
    assert.equal(restarted.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    const history = await ok('rollout', 'history', 'deployment/roll');
    assert.match(history, /^REVISION\s+CHANGE-CAUSE$/m);
    assert.deepEqual(history.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0]), ['1', '2', '3']);

    // Undo goes back to revision 2's template (1.37, no restartedAt), which becomes revision 4.
    await ok('rollout', 'undo', 'deployment/roll');
    assert.match(await ok('rollout', 'status', 'deployment/roll', '--timeout=60s'), /successfully rolled out/);
    const undone = JSON.parse(await ok('get', 'deployment', 'roll', '-o', 'json')) as typeof restarted & { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
    assert.equal(undone.spec.template.spec.containers[0]!.image, 'busybox:1.37');
    assert.equal(undone.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);
    assert.equal(undone.metadata.annotations['deployment.kubernetes.io/revision'], '4');
    const s = undone.status as { observedGeneration: number; updatedReplicas: number; readyReplicas: number; availableReplicas: number; conditions: Array<{ type: string; status: string; reason: string }> };
    assert.deepEqual([s.updatedReplicas, s.readyReplicas, s.availableReplicas], [3, 3, 3]);
    assert.deepEqual(s.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
    // Undo reused revision 2's set (now 4); revisionHistoryLimit 2 counts idle old sets: 1 and 3 stay.
    const revs = (await ok('get', 'rs', '-l', 'app=roll', '-o', `jsonpath={range .items[*]}{.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}{end}`)).split('\n').filter(Boolean).sort();
    assert.deepEqual(revs, ['1', '3', '4']);
    const pods = JSON.parse(await ok('get', 'pods', '-l', 'app=roll', '-o', 'json')) as { items: Array<{ metadata: { deletionTimestamp?: string } }> };
    assert.equal(pods.items.filter((p) => !p.metadata.deletionTimestamp).length, 3);
  });

  it('statefulset: NAME-0..2 created in order, scaled down from the highest ordinal', async () => {
    assert.equal((await kubectl(['apply', '-f', '-'], DB)).code, 0);
    assert.match(await ok('rollout', 'status', 'statefulset/db', '--timeout=60s'), /partitioned roll out complete|rolling update complete 3 pods/);
    const names = (await ok('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
    assert.deepEqual(names, ['db-0', 'db-1', 'db-2']);
    assert.equal((await ok('get', 'pod', 'db-1', '-o', 'jsonpath={.spec.hostname}.{.spec.subdomain}')).trim(), 'db-1.db');
    const created = (await events('StatefulSet', 'db')).filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message);
    assert.deepEqual(created, ['create Pod db-0 in StatefulSet db successful', 'create Pod db-1 in StatefulSet db successful', 'create Pod db-2 in StatefulSet db successful']);
    await ok('scale', 'statefulset/db', '--replicas=1');
    await until('db scaled to 1', async () => ((await ok('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].metadata.name}')).trim() === 'db-0' ? true : undefined), 60_000, 500);
    const deleted = (await events('StatefulSet', 'db')).filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
    assert.deepEqual(deleted, ['delete Pod db-2 in StatefulSet db successful', 'delete Pod db-1 in StatefulSet db successful']);
    assert.match(await ok('get', 'statefulset', 'db'), /^db\s+1\/1\s/m);
  });

  it('jobs: run to completion (kubectl wait --for=condition=complete), or fail past backoffLimit', async () => {
    await ok('create', 'job', 'calc', '--image=busybox', '--', 'sh', '-c', 'echo result-$((6*7))');
    assert.match(await ok('wait', '--for=condition=complete', 'job/calc', '--timeout=60s'), /job.batch\/calc condition met/);
    assert.match(await ok('logs', 'job/calc'), /result-42/);
    assert.match(await ok('get', 'job', 'calc'), /^calc\s+Complete\s+1\/1\s/m);
    assert.ok((await events('Job', 'calc')).some((e) => e.reason === 'Completed' && e.message === 'Job completed'));
    const failing = `apiVersion: batch/v1
kind: Job
metadata: {name: broken}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["sh", "-c", "exit 3"]}]
`;
    assert.equal((await kubectl(['apply', '-f', '-'], failing)).code, 0);
    assert.match(await ok('wait', '--for=condition=failed', 'job/broken', '--timeout=60s'), /condition met/);
    const j = JSON.parse(await ok('get', 'job', 'broken', '-o', 'json')) as { status: { failed: number; conditions: Array<{ type: string; reason: string }> } };
    assert.equal(j.status.failed, 2);
    assert.ok(j.status.conditions.some((c) => c.type === 'Failed' && c.reason === 'BackoffLimitExceeded'));
    const always = await kubectl(['apply', '-f', '-'], failing.replace('broken', 'always').replace('restartPolicy: Never', 'restartPolicy: Always'));
    assert.notEqual(always.code, 0);
    assert.match(always.stderr, /spec\.template\.spec\.restartPolicy: Unsupported value: "Always"/);
  });

  it('attach -it reaches the container’s own shell on a pseudo-terminal', async () => {
    assert.equal((await kubectl(['apply', '-f', '-'], TTY)).code, 0);
    await until('tty pod Running', async () => ((await ok('get', 'pod', 'tty', '-o', 'jsonpath={.status.phase}')) === 'Running' ? true : undefined), 60_000, 300);
    const r = await onTty(`${KUBECTL} attach -it tty -c c`, 'echo attached-$((6*7)) $(tty)\nexit 0\n');
    assert.match(r.out, /attached-42 \/dev\/pts\/\d+/);
    await until('tty pod Succeeded after its shell exited', async () => ((await ok('get', 'pod', 'tty', '-o', 'jsonpath={.status.phase}')) === 'Succeeded' ? true : undefined), 30_000, 300);
  });

  it('run --rm -it: stdin reaches the new pod’s command, the pod is deleted afterwards', async () => {
    const r = await onTty(`${KUBECTL} run once --image=busybox --rm -it --restart=Never -- sh -c 'read x; echo got-$x'`, 'abc\n');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /got-abc/);
    assert.match(r.out, /pod "once" deleted/);
    const gone = await kubectl(['get', 'pod', 'once']);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  it('liveness and startup probes: killed after failureThreshold failures and restarted (restartCount, lastState); logs -p, --since, --since-time, --tail, --timestamps over the runs', async () => {
    assert.equal((await kubectl(['apply', '-f', '-'], LIVE)).code, 0);
    type Cs = { name: string; ready: boolean; started: boolean; restartCount: number; state: Record<string, { reason?: string }>; lastState?: { terminated?: { exitCode: number; reason: string; finishedAt: string } } };
    const app = await until('app restarted once by its liveness probe, then ready', async () => {
      const p = JSON.parse(await ok('get', 'pod', 'live', '-o', 'json')) as { status: { containerStatuses?: Cs[] } };
      const c = p.status.containerStatuses?.find((x) => x.name === 'app');
      return c && c.restartCount >= 1 && c.ready && c.state['running'] ? c : undefined;
    }, 60_000, 500);
    assert.equal(app.restartCount, 1, 'run 2 passes its probes: no second restart');
    assert.equal(app.started, true);
    assert.ok(app.lastState?.terminated, JSON.stringify(app));
    assert.notEqual(app.lastState.terminated.exitCode, 0);
    const ev = await until('liveness events', async () => {
      const out = await ok('get', 'events', '--field-selector', 'involvedObject.name=live', '-o', 'custom-columns=R:.reason,M:.message', '--no-headers');
      return /failed startup probe/.test(out) ? out : undefined;
    }, 30_000, 500);
    assert.match(ev, /Unhealthy\s+Liveness probe failed: Get "http:\/\/[\d.]+:8081\/index.html": dial tcp [\d.]+:8081: connect: connection refused/);
    assert.match(ev, /Killing\s+Container app failed liveness probe, will be restarted/);
    assert.match(ev, /Unhealthy\s+Startup probe failed: dial tcp [\d.]+:8099: connect: connection refused/);
    assert.match(ev, /Killing\s+Container never failed startup probe, will be restarted/);
    const never = (JSON.parse(await ok('get', 'pod', 'live', '-o', 'json')) as { status: { containerStatuses: Cs[] } }).status.containerStatuses.find((x) => x.name === 'never')!;
    assert.equal(never.started, false);
    assert.equal(never.ready, false);

    // logs: the current run, the one before (-p), lines with their times
    assert.equal((await ok('logs', 'live', '-c', 'app')).trim(), 'run-2');
    assert.equal((await ok('logs', 'live', '-c', 'app', '-p')).trim(), 'run-1');
    const stamped = (await ok('logs', 'live', '-c', 'app', '--timestamps')).trim();
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) run-2$/.exec(stamped);
    assert.ok(m, stamped);
    const at = Date.parse(m[1]!);
    assert.equal((await ok('logs', 'live', '-c', 'app', `--since-time=${new Date(at - 1000).toISOString()}`)).trim(), 'run-2');
    assert.equal((await ok('logs', 'live', '-c', 'app', `--since-time=${new Date(at + 1000).toISOString()}`)).trim(), '');
    assert.equal((await ok('logs', 'live', '-c', 'app', '--since=1h')).trim(), 'run-2');
    assert.equal((await ok('logs', 'live', '-c', 'app', '-p', '--tail=1', '--timestamps')).split(' ')[1]!.trim(), 'run-1');
    await ok('delete', 'pod', 'live', '--wait=false');
  });

  it('env: valueFrom (configMapKeyRef, secretKeyRef, optional, fieldRef, resourceFieldRef) and envFrom with a prefix; a missing key is CreateContainerConfigError', async () => {
    assert.equal((await kubectl(['apply', '-f', '-'], ENVY)).code, 0);
    await until('envy Succeeded', async () => ((await ok('get', 'pod', 'envy', '-o', 'jsonpath={.status.phase}')) === 'Succeeded' ? true : undefined), 60_000, 500);
    const p = JSON.parse(await ok('get', 'pod', 'envy', '-o', 'json')) as { spec: { nodeName: string }; status: { podIP: string; hostIP: string } };
    const out = (await ok('logs', 'envy')).trim().split('\n');
    assert.deepEqual(out, [
      'APP=envy',
      'GREETING=hi-envy',
      `HOST_IP=${p.status.hostIP}`,
      'LEVEL=override',
      'MEM_MI=64',
      'MODE=fast',
      `NODE=${p.spec.nodeName}`,
      'PASSWORD=s3cret',
      'POD_IP=' + p.status.podIP,
      'POD_NAME=envy',
      'POD_NS=default',
      'S_password=s3cret',
      'args hi-envy',
    ]);
    const missing = await until('envy-missing waiting', async () => {
      const j = JSON.parse(await ok('get', 'pod', 'envy-missing', '-o', 'json')) as { status: { containerStatuses?: Array<{ state: { waiting?: { reason: string; message?: string } } }> } };
      return j.status.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError' ? j.status.containerStatuses[0]!.state.waiting! : undefined;
    }, 30_000, 500);
    assert.equal(missing.message, "couldn't find key nope in ConfigMap default/envy-cfg");
  });

  it('rollout history and undo for a DaemonSet and a StatefulSet (ControllerRevisions)', async () => {
    const revisions = async (what: string) => (await ok('rollout', 'history', what)).split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0]);
    assert.equal((await kubectl(['apply', '-f', '-'], AGENT)).code, 0);
    assert.match(await ok('rollout', 'status', 'ds/agent', '--timeout=60s'), /successfully rolled out/);
    await ok('set', 'image', 'ds/agent', 'c=busybox:1.37');
    assert.match(await ok('rollout', 'status', 'ds/agent', '--timeout=60s'), /successfully rolled out/);
    assert.deepEqual(await revisions('ds/agent'), ['1', '2']);
    assert.match(await ok('rollout', 'undo', 'ds/agent'), /daemonset.apps\/agent rolled back/);
    assert.match(await ok('rollout', 'status', 'ds/agent', '--timeout=60s'), /successfully rolled out/);
    assert.equal(await ok('get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), 'busybox:1.36');
    assert.deepEqual(await revisions('ds/agent'), ['2', '3'], 'revision 1 came back as 3');
    assert.match(await ok('rollout', 'undo', 'ds/agent', '--to-revision=3'), /skipped rollback \(current template already matches revision 3\)/);
    const crs = JSON.parse(await ok('get', 'controllerrevisions', '-l', 'app=agent', '-o', 'json')) as { items: Array<{ revision: number; metadata: { ownerReferences: Array<{ kind: string; name: string; controller: boolean }> } }> };
    assert.deepEqual(crs.items.map((r) => r.revision).sort(), [2, 3]);
    assert.ok(crs.items.every((r) => r.metadata.ownerReferences[0]!.kind === 'DaemonSet' && r.metadata.ownerReferences[0]!.controller));
    const images = (await ok('get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}')).split('\n').filter(Boolean);
    assert.ok(images.length >= 3 && images.every((i) => i === 'busybox:1.36'), images.join(','));
    await ok('delete', 'ds', 'agent', '--wait=false');

    // the StatefulSet of the earlier test (db, one replica)
    await ok('set', 'image', 'sts/db', 'c=busybox:1.37');
    assert.match(await ok('rollout', 'status', 'sts/db', '--timeout=60s'), /rolling update complete|partitioned roll out complete/);
    assert.deepEqual(await revisions('sts/db'), ['1', '2']);
    assert.match(await ok('rollout', 'undo', 'sts/db'), /statefulset.apps\/db rolled back/);
    assert.match(await ok('rollout', 'status', 'sts/db', '--timeout=60s'), /rolling update complete|partitioned roll out complete/);
    assert.equal(await ok('get', 'sts', 'db', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), 'busybox');
    assert.deepEqual(await revisions('sts/db'), ['2', '3']);
    await until('db-0 runs the first template again', async () => ((await ok('get', 'pod', 'db-0', '-o', 'jsonpath={.spec.containers[0].image}')) === 'busybox' ? true : undefined), 60_000, 500);
  });

  it('an Indexed Job: one pod per index with JOB_COMPLETION_INDEX, completedIndexes, Complete', async () => {
    const indexed = `apiVersion: batch/v1
kind: Job
metadata: {name: shards}
spec:
  completionMode: Indexed
  completions: 3
  parallelism: 3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["sh", "-c", "echo shard-$JOB_COMPLETION_INDEX-of-$(hostname)"]}]
`;
    assert.equal((await kubectl(['apply', '-f', '-'], indexed)).code, 0);
    assert.match(await ok('wait', '--for=condition=complete', 'job/shards', '--timeout=60s'), /condition met/);
    assert.equal(await ok('get', 'job', 'shards', '-o', 'jsonpath={.status.completedIndexes}'), '0-2');
    const pods = JSON.parse(await ok('get', 'pods', '-l', 'job-name=shards', '-o', 'json')) as { items: Array<{ metadata: { name: string; annotations: Record<string, string> } }> };
    const byIndex = new Map(pods.items.map((p) => [p.metadata.annotations['batch.kubernetes.io/job-completion-index'], p.metadata.name]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    for (const [i, name] of byIndex) assert.match(await ok('logs', name!), new RegExp(`^shard-${i}-of-`, 'm'));
  });

  it('CronJobs are stored; kubectl create job --from=cronjob/NAME runs its template', async () => {
    await ok('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'sh', '-c', 'echo tick-$((6*7))');
    assert.match(await ok('get', 'cronjob', 'tick', '-o', 'jsonpath={.spec.schedule}'), /^\*\/5 \* \* \* \*$/);
    await ok('create', 'job', 'tick-now', '--from=cronjob/tick');
    assert.match(await ok('wait', '--for=condition=complete', 'job/tick-now', '--timeout=60s'), /condition met/);
    assert.match(await ok('logs', 'job/tick-now'), /tick-42/);
    const j = JSON.parse(await ok('get', 'job', 'tick-now', '-o', 'json')) as { metadata: { annotations: Record<string, string>; ownerReferences: Array<{ kind: string; name: string }> } };
    assert.equal(j.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(j.metadata.ownerReferences.map((r) => `${r.kind}/${r.name}`), ['CronJob/tick']);
  });

  it('the CronJob controller starts a Job at the due minute (owned, annotated), records lastScheduleTime/lastSuccessfulTime; bad schedules are refused; suspend patches', async () => {
    const bad = await kubectl(['create', 'cronjob', 'nope', '--image=busybox', '--schedule=every minute']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.schedule: Invalid value: "every minute"/);
    await ok('create', 'cronjob', 'minutely', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'echo cron-$((6*7))');
    type J = { metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> }; status?: { conditions?: Array<{ type: string; status: string }> } };
    // a '* * * * *' schedule is due within 60 s of creation
    const done = await until('first scheduled Job of minutely Complete', async () => {
      const jobs = (JSON.parse(await ok('get', 'jobs', '-o', 'json')) as { items: J[] }).items.filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === 'minutely'));
      return jobs.find((j) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));
    }, 75_000, 1000);
    assert.match(done.metadata.name, /^minutely-\d{8}$/);
    const minutes = Number(done.metadata.name.split('-')[1]);
    assert.equal(Date.parse(done.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']!), minutes * 60_000);
    assert.match(await ok('logs', `job/${done.metadata.name}`), /cron-42/);
    assert.equal(Date.parse(await ok('get', 'cronjob', 'minutely', '-o', 'jsonpath={.status.lastScheduleTime}')) >= minutes * 60_000, true);
    await until('lastSuccessfulTime recorded', async () => (await ok('get', 'cronjob', 'minutely', '-o', 'jsonpath={.status.lastSuccessfulTime}')) || undefined, 10_000, 300);
    await ok('patch', 'cronjob', 'minutely', '-p', '{"spec":{"suspend":true}}');
    assert.equal(await ok('get', 'cronjob', 'minutely', '-o', 'jsonpath={.spec.suspend}'), 'true');
  });
});
