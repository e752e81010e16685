import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiSubnet } from './api-net.js';

test('API network subnet: a deterministic /28 in 100.64.0.0/10, another block per retry', () => {
  const a = apiSubnet('bgp-cplane-demo');
  assert.deepEqual(apiSubnet('bgp-cplane-demo'), a);
  for (const lab of ['bgp-cplane-demo', 'x', 'calico-service-ips', 'a-very-long-lab-name-0123456789']) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { subnet, gateway } = apiSubnet(lab, attempt);
      const m = /^100\.(\d+)\.(\d+)\.(\d+)\/28$/.exec(subnet);
      assert.ok(m, subnet);
      assert.ok(Number(m[1]) >= 64 && Number(m[1]) <= 127, subnet);
      assert.equal(Number(m[3]) % 16, 0, `${subnet} is /28-aligned`);
      assert.equal(gateway, `100.${m[1]}.${m[2]}.${Number(m[3]) + 1}`);
    }
  }
  assert.notEqual(apiSubnet('lab', 1).subnet, apiSubnet('lab', 0).subnet);
});
