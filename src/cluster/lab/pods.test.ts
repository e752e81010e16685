/** Pod references (the one parser, used by lab exec, verify and graph) and where a pod runs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KindlabError } from '../../errors.js';
import { loadPlan } from '../../topology/index.js';
import type { Pod } from '../client/index.js';
import { looksLikePodRef, looksLikeRef, parseObjectRef, parsePodRef, podExecPrefix, podPlace } from './index.js';

const article = fileURLToPath(new URL('../../../labs/cilium-bgp/topo.yaml', import.meta.url));

const pod = (spec: Pod['spec'], annotations?: Record<string, string>): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nettool-1', namespace: 'default', ...(annotations ? { annotations } : {}) }, spec, status: { phase: 'Pending' } }) as Pod;

describe('pod references', () => {
  it('pod/NAME and pod/NAMESPACE/NAME', () => {
    assert.deepEqual(parsePodRef('pod/nettool-1'), { type: 'pod', namespace: 'default', name: 'nettool-1', ref: 'pod/nettool-1' });
    assert.deepEqual(parsePodRef('pod/kube-system/coredns-1'), { type: 'pod', namespace: 'kube-system', name: 'coredns-1', ref: 'pod/kube-system/coredns-1' });
    assert.deepEqual(parsePodRef('pods/web.v1'), { type: 'pod', namespace: 'default', name: 'web.v1', ref: 'pods/web.v1' });
  });

  it('anything else is not a pod reference', () => {
    for (const bad of ['pod/', 'tor0', 'pod/A', 'pod/a/b/c', 'pod/-x', 'pod/x-', 'pod/a.b/c', 'pod//x', 'deploy/web', 'svc/web', 'service/prod/web', ' pod/x', 'pod/x ']) {
      assert.equal(parsePodRef(bad), undefined, bad);
    }
  });

  it('Services are object references, not pod references', () => {
    assert.deepEqual(parseObjectRef('svc/prod/web'), { type: 'service', namespace: 'prod', name: 'web', ref: 'svc/prod/web' });
    assert.equal(parseObjectRef('services/web')?.type, 'service');
    assert.equal(parseObjectRef('pod/x')?.type, 'pod');
  });

  it('looks like a reference even when malformed (to say so)', () => {
    assert.equal(looksLikePodRef('pod/A'), true);
    assert.equal(looksLikePodRef('pods/'), true);
    assert.equal(looksLikePodRef('svc/web'), false);
    assert.equal(looksLikePodRef('podman'), false);
    assert.equal(looksLikeRef('svc/A'), true);
    assert.equal(looksLikeRef('tor0'), false);
  });
});

describe('where a pod runs', () => {
  const ref = { namespace: 'default', name: 'nettool-1' };

  it('its node container and the netns the node daemon made; an annotation does not redirect it', async () => {
    const plan = await loadPlan(article);
    const worker = plan.nodes.find((n) => n.k8s?.role === 'worker')!;
    const place = podPlace(ref, pod({ nodeName: worker.k8s!.nodeName, containers: [] }, { 'kindlab.io/netns': 'elsewhere' }), plan);
    assert.equal(place.node?.name, worker.name);
    assert.equal(place.container, worker.containerName);
    assert.equal(place.netns, 'pod-default-nettool-1');
    assert.deepEqual(podExecPrefix(place), ['ip', 'netns', 'exec', 'pod-default-nettool-1']);
  });

  it('hostNetwork pods run in the node netns', () => {
    const place = podPlace(ref, pod({ nodeName: 'demo-worker', hostNetwork: true, containers: [] }));
    assert.equal(place.netns, undefined);
    assert.deepEqual(podExecPrefix(place), []);
  });

  it('without a plan the container is the Kubernetes Node name (kind names both alike)', () => {
    const place = podPlace(ref, pod({ nodeName: 'demo-worker2', containers: [] }));
    assert.equal(place.container, 'demo-worker2');
    assert.equal(place.node, undefined);
  });

  it('a node of another cluster has no lab node', async () => {
    const place = podPlace(ref, pod({ nodeName: 'other-worker', containers: [] }), await loadPlan(article));
    assert.equal(place.node, undefined);
  });

  it('an unscheduled pod is an error naming it and its phase', () => {
    assert.throws(() => podPlace(ref, pod({ containers: [] })), (e: unknown) => e instanceof KindlabError && e.code === 'RUNTIME_CONTAINER' && /pod default\/nettool-1 is not scheduled.*phase Pending/.test(e.message));
  });
});
