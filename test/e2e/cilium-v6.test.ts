/**
 * The IPv6-only Cilium article lab end to end (labs/cilium-bgp-v6/topo.yaml copied under a unique name
 * and management subnet): `lab deploy` with kind's ipFamily: ipv6, then `lab verify --wait 120s` passes
 * every check, its stage's included: the stage annotates the nodes with router-ids (an IPv6-only node
 * has no IPv4 address for Cilium to take one from), then the ToRs' IPv6 iBGP sessions to every node,
 * each node's IPv6 /64 pod CIDR on its ToR and on router0, ping6/traceroute6 between the two nettool
 * pods across the racks and curl to the Service's IPv6 ClusterIP. Destroy leaves nothing. Run under the
 * docker lock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NOTHING, lab, leftovers } from './helpers.js';
import { checkNamed, deployedArticleLab, verifyJson } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const name = uniqueLabName('kl-v6');
const labCopy = deployedArticleLab(name, 'kindlab-cilium-v6-', 'labs/cilium-bgp-v6');

test('IPv6-only lab: router-ids by annotation, IPv6 sessions and pod CIDRs, ping6 across racks, the Service\'s IPv6 ClusterIP answers', async () => {
  const { exitCode, report } = await verifyJson(labCopy.file, ['--wait', '120s']);
  // the stage's steps (kubectl annotate) and checks are in the list too, with their stage's name
  const checks = report.checks;
  assert.deepEqual(checks.filter((c) => c.kind === 'stage').map((c) => [c.stage, c.passed]), [['router-ids', true], ['router-ids', true], ['router-ids', true], ['router-ids', true]]);
  assert.deepEqual(checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
  assert.equal(exitCode, 0, JSON.stringify(report.checks.filter((c) => !c.passed)));
  assert.match(checkNamed(checks, 'tor0 peer fd00:10:0:1::2 Established').detail, /fd00:10:0:1::2 AS65010 Established 1 pfx/);
  assert.match(checkNamed(checks, 'tor1 has route fd00:10:1:3::/64').detail, /via fd00:10:0:4::2 dev net2/);
  assert.match(checkNamed(checks, 'ping6 nettool-1 → nettool-2 across racks').detail, /^pod\/nettool-2 \(fd00:10:1:2::\d+\): 3\/3 replies, 0% loss$/);
  assert.match(checkNamed(checks, 'nettool-1 → Service web (IPv6 ClusterIP)').detail, /^http:\/\/\[fd00:10:96::[0-9a-f]+\]\/: HTTP 200, body has "Welcome to nginx"$/);

  // IPv6 only: the pod has no IPv4 address, the node no IPv4 Service rules for web
  const pod = await lab(['exec', '-t', labCopy.file, 'pod/nettool-1', '--', 'ip', '-o', 'addr', 'show', 'dev', 'eth0']);
  assert.equal(pod.exitCode, 0, pod.stderr);
  assert.match(pod.stdout, /inet6 fd00:10:1:1::\d+\/64 scope global/);
  assert.doesNotMatch(pod.stdout, /\binet /);
  const nat6 = await lab(['exec', '-t', labCopy.file, 'worker', '--', 'ip6tables-save', '-t', 'nat']);
  assert.equal(nat6.exitCode, 0, nat6.stderr);
  assert.match(nat6.stdout, /-A KINDLAB-SERVICES -d fd00:10:96::[0-9a-f]+\/128 -p tcp -m tcp --dport 80 .*default\/web:http cluster IP/);
});

test('destroy leaves nothing', async () => {
  const down = await lab(['destroy', '-t', labCopy.file]);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
