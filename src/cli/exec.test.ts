/** `lab exec` pod targets: pod/NAME with -n, CLUSTER/pod/NAME, --cluster, and the contradictions refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podRefOf } from './exec.js';

describe('lab exec pod targets', () => {
  it('pod/NAME, pod/NS/NAME, -n NS (as kubectl), CLUSTER/pod/NAME and --cluster', () => {
    assert.deepEqual(podRefOf('pod/web', {}), { ref: { type: 'pod', namespace: 'default', name: 'web', ref: 'pod/web' } });
    assert.deepEqual(podRefOf('pod/web', { namespace: 'prod' }).ref.namespace, 'prod');
    assert.deepEqual(podRefOf('pod/prod/web', { namespace: 'prod' }).ref.namespace, 'prod');
    assert.deepEqual(podRefOf('k02/pod/web', {}), { ref: { type: 'pod', namespace: 'default', name: 'web', ref: 'pod/web' }, cluster: 'k02' });
    assert.equal(podRefOf('pod/web', { cluster: 'kind-k02' }).cluster, 'kind-k02');
    assert.equal(podRefOf('k02/pod/web', { cluster: 'k02' }).cluster, 'k02');
  });

  it('refused: not a pod, two namespaces, two clusters', () => {
    assert.throws(() => podRefOf('svc/web', {}), /"svc\/web" is not pod\/NAME, pod\/NAMESPACE\/NAME or CLUSTER\/pod\/NAME/);
    assert.throws(() => podRefOf('pod/a/web', { namespace: 'b' }), /"pod\/a\/web" is in namespace a but -n says b/);
    assert.throws(() => podRefOf('k01/pod/web', { cluster: 'k02' }), /"k01\/pod\/web" names cluster k01 but --cluster says k02/);
  });
});
