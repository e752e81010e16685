/**
 * Repeatable stages: which objects a stage's lines change (kubectl argument parsing and the
 * article labs' real stages), and the plan that puts them back (delete, re-create, merge patch).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { ControllerManager, ObjectStore, Registry, bootstrapCluster, parseKindCluster, startApiServer, type RunningApiServer } from '../cluster/index.js';
import { loadPlan, shellSplit } from '../topology/index.js';
import { baselineFile, resetStages } from './stages-reset.js';
import { extendBaseline, mergeDiff, objectKey, planRestore, refText, scopedPatch, type Baseline, type KubeObj } from './stages-baseline.js';
import { kubectlTargets, parseKubectlArgs, stageTargets, type StageTarget } from './stages-targets.js';
import { loadStages, type Stage } from './stages.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f: string) => readFileSync(f, 'utf8');
const show = (t: StageTarget) => (t.via === 'ref' ? `ref ${refText(t.ref)}` : `get ${t.args.join(' ')}`);
const of = (line: string) => kubectlTargets(line.split(' '), '/nowhere', line, read);

describe('stages: the objects a kubectl line changes', () => {
  test('flags with values, glued shorthand values and `--` are told apart from positionals', () => {
    const p = parseKubectlArgs(['-nprod', 'annotate', '--overwrite', 'pod', '-l', 'app=web', 'a=b', '--', 'x']);
    assert.equal(p.verb, 'annotate');
    assert.deepEqual(p.positionals, ['pod', 'a=b']);
    assert.deepEqual(p.flags.get('-n'), ['prod']);
    assert.deepEqual(p.flags.get('-l'), ['app=web']);
  });

  test('label and annotate: the objects by query, only the keys they name', () => {
    const [l] = of('label nodes kube-ovn-speaker-worker ovn.kubernetes.io/bgp=true');
    assert.deepEqual(l, { via: 'query', args: ['nodes', 'kube-ovn-speaker-worker'], scope: { labels: ['ovn.kubernetes.io/bgp'], annotations: [], body: false }, step: 'label nodes kube-ovn-speaker-worker ovn.kubernetes.io/bgp=true' });
    const [a] = of('annotate pod sample ovn.kubernetes.io/bgp-');
    assert.deepEqual(a && a.via === 'query' && [a.args, a.scope], [['pod', 'sample'], { labels: [], annotations: ['ovn.kubernetes.io/bgp'], body: false }]);
    assert.deepEqual(of('annotate node -l bgp-node=server0 --overwrite cilium.io/x=router-id=10.0.1.2').map(show), ['get node -l bgp-node=server0']);
    assert.deepEqual(of('annotate -n prod svc/web svc/db k=v').map(show), ['get svc/web svc/db -n prod']);
  });

  test('patch, delete, scale: the whole object; TYPE alone names nothing without --all or a selector', () => {
    assert.deepEqual(of('patch service nginx -p {"spec":{"type":"NodePort"}}').map((t) => [show(t), t.scope.body]), [['get service nginx', true]]);
    assert.deepEqual(of('delete pod').map(show), []);
    assert.deepEqual(of('delete pod --all -n prod').map(show), ['get pod -n prod']);
    assert.deepEqual(of('taint nodes worker key=v:NoSchedule').map(show), ['get nodes worker']);
    assert.deepEqual(of('cordon worker').map(show), ['get nodes worker']);
  });

  test('create, run, expose: the object they make, by identity', () => {
    assert.deepEqual(of('create deployment nginx --image nginx').map(show), ['ref deployment/nginx']);
    assert.deepEqual(of('create secret generic s --from-literal=a=b -n prod').map(show), ['ref secret/prod/s']);
    assert.deepEqual(of('run nginx --image=nginx').map(show), ['ref pod/nginx']);
    assert.deepEqual(of('expose deploy nginx --port 80 --name web').map(show), ['ref service/web']);
    assert.deepEqual(of('expose deploy/nginx --port=80').map(show), ['ref service/nginx']);
  });

  test('read-only lines, dry runs and unknown verbs change nothing', () => {
    for (const line of ['exec -it nettool-1 -- ping -c 3 10.1.2.2', 'get pods -o wide', 'annotate pod x a=b --dry-run=client', 'logs x', 'frobnicate x']) assert.deepEqual(of(line), [], line);
  });

  test('the article labs: every object their stages change', async () => {
    const targets = async (lab: string) => {
      const plan = await loadPlan(join(REPO, 'labs', lab, 'topo.yaml'), { env: {}, labDir: '/nowhere' });
      return stageTargets(loadStages(plan), join(REPO, 'labs', lab), read).map(show);
    };
    assert.deepEqual(await targets('kube-ovn-speaker'), [
      'get nodes kube-ovn-speaker-worker', 'get nodes kube-ovn-speaker-worker2',
      'ref pod/default/sample', 'ref service/default/sample', 'get pod sample', 'get pod sample',
      'ref subnet/ovn-default', 'get subnet ovn-default',
      'ref pod/default/local-pod', 'ref pod/default/far-local', 'get subnet ovn-default', 'get pod sample', 'get pod local-pod', 'get pod far-local',
      'get service sample',
      'ref pod/kube-system/vpc-nat-gw-vpc-natgw-0', 'ref iptableseip/sample', 'get eip sample',
    ]);
    assert.deepEqual(await targets('kube-router-features'), [
      'ref deployment/nginx', 'ref service/nginx', 'ref service/nginx', 'ref service/nginx',
      'ref namespace/prod', 'ref pod/prod/web', 'ref pod/prod/web-cp', 'ref pod/prod/client', 'ref pod/default/client',
      'get node kube-router-features-control-plane', 'get ns prod', 'ref networkpolicy/prod/web-ingress',
    ]);
    assert.deepEqual(await targets('calico-service-ips'), [
      'ref bgpconfiguration/default', 'ref deployment/nginx', 'ref service/nginx', 'get service nginx', 'ref bgpconfiguration/default', 'get svc nginx',
    ]);
    // the Cilium article's stage only runs kubectl exec: nothing to put back
    assert.deepEqual(await targets('cilium-bgp'), []);
  });
});

const node = (labels: Record<string, string>, annotations: Record<string, string> = {}): KubeObj => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker', labels, annotations }, spec: { podCIDR: '10.1.1.0/24' }, status: { phase: 'x' } });
const pod = (name: string, annotations: Record<string, string> = {}): KubeObj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '7', annotations }, spec: { nodeName: 'worker' }, status: { podIP: '10.1.1.2' } });
const byKey = (...objs: KubeObj[]) => new Map(objs.map((o) => [objectKey({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) }), o]));

describe('stages: putting the objects back', () => {
  test('merge patch: null removes, objects merge, arrays are replaced', () => {
    assert.equal(mergeDiff({ a: [1] }, { a: [1] }), undefined);
    assert.deepEqual(mergeDiff({ type: 'NodePort', ports: [{ port: 80, nodePort: 31117 }], x: { y: 1, z: 2 } }, { ports: [{ port: 80 }], x: { y: 1 } }), { type: null, ports: [{ port: 80 }], x: { z: null } });
  });

  test('a scope of keys puts back only those keys; body puts back spec', () => {
    const then = node({ a: '1', keep: 'x' });
    const now = node({ a: '1', keep: 'changed by someone else', 'ovn.kubernetes.io/bgp': 'true' });
    assert.deepEqual(scopedPatch(now, then, { labels: ['ovn.kubernetes.io/bgp'], annotations: [], body: false }), { patch: { metadata: { labels: { 'ovn.kubernetes.io/bgp': null } } }, fields: ['label ovn.kubernetes.io/bgp'] });
    assert.deepEqual(scopedPatch(now, then, { labels: [], annotations: ['x'], body: false }), undefined);
    const moved = { ...now, spec: { podCIDR: '10.1.1.0/24', unschedulable: true } };
    assert.deepEqual(scopedPatch(moved, then, { labels: [], annotations: [], body: true })?.patch, { spec: { unschedulable: null } });
  });

  test('the plan: delete what the stages made, create again what they deleted, patch what they changed', () => {
    const sampleRef = { apiVersion: 'v1', kind: 'Pod', name: 'sample' };
    const goneRef = { apiVersion: 'v1', kind: 'Pod', name: 'gone', namespace: 'default' };
    const nodeRef = { apiVersion: 'v1', kind: 'Node', name: 'worker' };
    const empty: Baseline = { version: 1, cluster: 'c1', entries: [] };
    // first run: sample does not exist yet, gone and the node do
    const base = extendBaseline(empty, [
      { ref: sampleRef, scope: { labels: true, annotations: true, body: true } },
      { ref: goneRef, scope: { labels: true, annotations: true, body: true } },
      { ref: nodeRef, scope: { labels: ['bgp'], annotations: [], body: false } },
    ], byKey(pod('gone'), node({})));
    assert.deepEqual(base.entries.map((e) => [refText(e.ref), e.object ? 'present' : 'absent']), [['pod/sample', 'absent'], ['pod/default/gone', 'present'], ['node/worker', 'present']]);
    // a later run finds sample (from a query, namespace explicit): the same object, the scope widens, the baseline stays
    const again = extendBaseline(base, [{ ref: { ...sampleRef, namespace: 'default' }, scope: { labels: [], annotations: ['bgp'], body: false } }], byKey(pod('sample', { bgp: 'cluster' })));
    assert.equal(again.entries.length, 3);
    assert.equal(again.entries[0]!.object, null);
    // after the first run: sample made and annotated, gone deleted, the node labelled
    const plan = planRestore(again, byKey(pod('sample', { bgp: 'cluster' }), node({ bgp: 'true' })));
    assert.deepEqual(plan.remove.map(refText), ['pod/default/sample']);
    assert.deepEqual(plan.recreate.map((o) => [refText({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace! }), o.metadata.uid, o.metadata.resourceVersion, o['status']]), [['pod/default/gone', undefined, undefined, undefined]]);
    assert.deepEqual(plan.patch.map((p) => [refText(p.ref), p.patch]), [['node/worker', { metadata: { labels: { bgp: null } } }]]);
    // nothing changed since: nothing to do
    assert.deepEqual(planRestore(again, byKey(pod('gone'), node({}))), { remove: [], recreate: [], patch: [] });
  });
});

/*
 * The whole reset with the real kubectl against the embedded API server (in-process, plain HTTP):
 * stages that label a node, apply a namespace with a ConfigMap, annotate it as an article does
 * (no --overwrite) and patch a Service that existed before. After the "first run" the reset puts
 * all of it back, so the same lines run again without an error.
 */
const haveKubectl = (await execa('kubectl', ['version', '--client'], { reject: false })).exitCode === 0;

describe('stages: reset with kubectl against the API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-reset-'));
  const store = new ObjectStore({ historySize: 50 });
  const spec = parseKindCluster({ name: 'r', nodes: [{ role: 'control-plane' }, { role: 'worker' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  const ctl = new ControllerManager(reg, { resyncMs: 200 });
  let srv: RunningApiServer | undefined;
  const kubeconfig = join(dir, 'kubeconfig');
  const kubectl = async (args: string[], input?: string) => {
    const r = await execa('kubectl', ['--kubeconfig', kubeconfig, ...args], { reject: false, cwd: dir, ...(input !== undefined ? { input } : { stdin: 'ignore' as const }) });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const must = async (args: string[]) => {
    const r = await kubectl(args);
    assert.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  // as kube-ovn-speaker's stages: annotate, remove, annotate with another value
  const lines = ['label nodes r-worker lab.example/speaker=true', 'annotate configmap cfg -n story lab.example/bgp=true', 'annotate configmap cfg -n story lab.example/bgp-', 'annotate configmap cfg -n story lab.example/bgp=cluster', `patch service web -p '{"spec":{"sessionAffinity":"ClientIP"}}'`];
  const step = (text: string) => ({ kind: 'kubectl' as const, args: shellSplit(text) as string[], text, pos: { file: 'topo.yaml', line: 1, col: 1 } });
  const stages: Stage[] = [{ name: 's', steps: [{ kind: 'apply', file: join(dir, 'story.yaml'), text: 'story.yaml', pos: { file: 'topo.yaml', line: 1, col: 1 } }, ...lines.map(step)], checks: [], pos: { file: 'topo.yaml', line: 1, col: 1 } }];
  const runSteps = async () => {
    await must(['apply', '-f', join(dir, 'story.yaml')]);
    for (const l of lines) await must(shellSplit(l) as string[]);
  };

  before(async () => {
    bootstrapCluster(reg, spec);
    // no token: kubectl sends none over plain HTTP
    srv = await startApiServer({ registry: reg, host: '127.0.0.1', port: 0 });
    ctl.start();
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: r, cluster: {server: "${srv.url}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: r, context: {cluster: r, user: u}}]\ncurrent-context: r\n`);
    writeFileSync(join(dir, 'story.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: story}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: story}\ndata: {a: "1"}\n');
  });
  after(async () => {
    ctl.stop();
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first run records, later runs put back; the article lines run again', { skip: haveKubectl ? false : 'needs kubectl on PATH' }, async () => {
    await must(['create', 'service', 'clusterip', 'web', '--tcp=80:80']);
    const opts = { kubectl, labDir: join(dir, 'lab'), baseDir: dir };
    const first = await resetStages(stages, opts);
    assert.equal(first?.passed, true, first?.detail);
    assert.match(first!.detail, /^4 objects as before the first stage \(recorded now; 2 made by the stages\)$/);
    assert.ok(existsSync(baselineFile(opts.labDir)));
    await runSteps();
    // as things stand after a run, the first annotate line fails: the annotation is there, with another value
    const again = await kubectl(shellSplit(lines[1]!) as string[]);
    assert.notEqual(again.exitCode, 0);

    const second = await resetStages(stages, opts);
    assert.equal(second?.passed, true, second?.detail);
    assert.equal(second!.detail, 'deleted namespace/story, configmap/story/cfg; put back node/r-worker (label lab.example/speaker); service/default/web (spec)');
    assert.equal(await must(['get', 'node', 'r-worker', '-o', 'jsonpath={.metadata.labels.lab\\.example/speaker}']), '');
    assert.equal((await kubectl(['get', 'namespace', 'story'])).exitCode, 1);
    assert.equal(await must(['get', 'service', 'web', '-o', 'jsonpath={.spec.sessionAffinity}']), 'None');
    // the story replays from its start, and once more
    await runSteps();
    assert.equal((await resetStages(stages, opts))?.passed, true);
    await runSteps();
    assert.equal(await must(['get', 'configmap', 'cfg', '-n', 'story', '-o', 'jsonpath={.metadata.annotations.lab\\.example/bgp}']), 'cluster');
  });
});
