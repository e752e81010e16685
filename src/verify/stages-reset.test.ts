/**
 * Repeatable stages: which objects a stage's lines change (kubectl argument parsing and the
 * article labs' real stages), and the plan that puts them back (delete, re-create, merge patch).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadPlan } from '../topology/index.js';
import { extendBaseline, mergeDiff, objectKey, planRestore, refText, scopedPatch, type Baseline, type KubeObj } from './stages-baseline.js';
import { kubectlTargets, parseKubectlArgs, stageTargets, type StageTarget } from './stages-targets.js';
import { loadStages } from './stages.js';

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
