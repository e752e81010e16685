/**
 * The dual-stack Cilium article lab end to end (labs/cilium-bgp-dual/topo.yaml copied under a unique
 * name and management subnet): `lab deploy` with kind's ipFamily: dual, then `lab verify --wait 120s`
 * passes every declared and derived check: the ToRs' IPv4 and IPv6 iBGP sessions to every node, each
 * node's IPv4 /24 and IPv6 /64 pod CIDR on its ToR (next hop: the node's rack-link address) and on
 * router0 (via the ToR), pods with an address of each family, and ping/ping6/traceroute6 between the
 * two nettool pods across the racks, and the dual-stack Service web (web.yaml) answering curl on its
 * IPv4 and its IPv6 ClusterIP (one EndpointSlice per family, ip6tables DNAT on the nodes), as kubectl
 * shows it. Destroy leaves nothing. Run under the docker lock.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { test } from 'node:test';
import { NOTHING, lab, leftovers } from './helpers.js';
import { checkNamed, deployedArticleLab, verifyJson } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';
const name = uniqueLabName('kl-dual');
const labCopy = deployedArticleLab(name, 'kindlab-cilium-dual-', 'labs/cilium-bgp-dual');

test('dual-stack lab: routers learn every node\'s IPv4 and IPv6 pod CIDR; ping and ping6 across racks', async () => {
  const { exitCode, report } = await verifyJson(labCopy.file, ['--wait', '120s']);
  const checks = report.checks;
  assert.deepEqual(checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`), []);
  assert.equal(exitCode, 0);
  assert.match(checkNamed(checks, 'tor0 peer fd00:10:0:1::2 Established').detail, /fd00:10:0:1::2 AS65010 Established 1 pfx/);
  assert.match(checkNamed(checks, 'tor1 has route fd00:10:1:3::/64').detail, /via fd00:10:0:4::2 dev net2/);
  assert.match(checkNamed(checks, 'router0 has route fd00:10:1:2::/64').detail, /dev net1 \(tor1\)$/);
  assert.match(checkNamed(checks, 'ping6 nettool-1 → nettool-2 across racks').detail, /^pod\/nettool-2 \(fd00:10:1:2::\d+\): 3\/3 replies, 0% loss$/);
  assert.match(checkNamed(checks, 'pod/nettool-1 → pod/nettool-2').detail, /^pod\/nettool-2 \(10\.1\.2\.\d+\): 3\/3 replies, 0% loss$/);
  assert.match(checkNamed(checks, 'nettool-1 → Service web, IPv4 ClusterIP').detail, /^http:\/\/10\.96\.\d+\.\d+\/: HTTP 200, body has "Welcome to nginx"$/);
  assert.match(checkNamed(checks, 'nettool-1 → Service web, IPv6 ClusterIP').detail, /^http:\/\/\[fd00:10:96::[0-9a-f]+\]\/: HTTP 200, body has "Welcome to nginx"$/);
  assert.match(checkNamed(checks, 'nettool-1 → worker3 NodePort 30080, IPv6').detail, /^http:\/\/\[fd00:10:0:4::2\]:30080\/: HTTP 200, body has "Welcome to nginx"$/);
  assert.match(checkNamed(checks, 'pod/nettool-1 → pod/nettool-2 (IPv6) via worker, tor0, router0, tor1, worker2').detail, /^worker \(fd00:10:1:1::1\) → tor0 .* → router0 .* → tor1 .* → worker2 .* → pod\/nettool-2 \(fd00:10:1:2::\d+\)$/);

  // the pods and nodes as kubectl shows them: both families
  const pod = await lab(['exec', '-t', labCopy.file, 'pod/nettool-1', '--', 'ip', '-o', 'addr', 'show', 'dev', 'eth0']);
  assert.equal(pod.exitCode, 0, pod.stderr);
  assert.match(pod.stdout, /inet 10\.1\.1\.\d+\/24/);
  assert.match(pod.stdout, /inet6 fd00:10:1:1::\d+\/64 scope global/);
  const nb = await lab(['exec', '-t', labCopy.file, 'worker', '--', 'lab-agent', 'neighbor']);
  assert.equal(nb.exitCode, 0, nb.stderr);
  assert.match(nb.stdout, /fd00:10::1\s+65010\s+\S+\s+Established/);
  // ip6tables Service NAT is programmed next to the IPv4 one (the kubernetes Service has an IPv6 ClusterIP in a dual cluster)
  const nat6 = await lab(['exec', '-t', labCopy.file, 'worker', '--', 'ip6tables-save', '-t', 'nat']);
  assert.equal(nat6.exitCode, 0, nat6.stderr);
  assert.match(nat6.stdout, /-A PREROUTING .*-j KINDLAB-SERVICES/);
  assert.match(nat6.stdout, /-A KINDLAB-MASQ -j MASQUERADE/);
});

test('dual-stack Service: an IPv4 and an IPv6 ClusterIP, one EndpointSlice per family, both answer curl from a pod', async () => {
  const kc = await lab(['kubeconfig', '-t', labCopy.file]);
  assert.equal(kc.exitCode, 0, kc.stderr);
  const kubectl = async (...args: string[]) => {
    const r = await execa(KUBECTL, args, { env: { KUBECONFIG: kc.stdout.trim() }, reject: false, timeout: 30_000 });
    assert.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const svc = JSON.parse(await kubectl('get', 'svc', 'web', '-o', 'json')) as { spec: { clusterIP: string; clusterIPs: string[]; ipFamilies: string[]; ipFamilyPolicy: string } };
  assert.deepEqual([svc.spec.ipFamilyPolicy, svc.spec.ipFamilies], ['PreferDualStack', ['IPv4', 'IPv6']]);
  const [ip4, ip6] = svc.spec.clusterIPs;
  assert.match(ip4!, /^10\.96\.\d+\.\d+$/);
  assert.match(ip6!, /^fd00:10:96::[0-9a-f]+$/);
  assert.equal(svc.spec.clusterIP, ip4);
  const slices = JSON.parse(await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json')) as { items: Array<{ addressType: string; endpoints: Array<{ addresses: string[] }> }> };
  assert.deepEqual(slices.items.map((s) => s.addressType).sort(), ['IPv4', 'IPv6']);
  const v6slice = slices.items.find((s) => s.addressType === 'IPv6')!;
  assert.match(v6slice.endpoints[0]!.addresses[0]!, /^fd00:10:1:[23]::[0-9a-f]+$/, 'the nginx pod on rack1, its IPv6 address');
  // the curl checks of the lab's verify section passed in the test above; here by hand, each ClusterIP
  for (const url of [`http://${ip4}/`, `http://[${ip6}]/`]) {
    const r = await lab(['exec', '-t', labCopy.file, 'pod/nettool-1', '--', 'curl', '-sS', '-m', '5', url]);
    assert.equal(r.exitCode, 0, `${url}: ${r.stderr}`);
    assert.match(r.stdout, /<title>Welcome to nginx!<\/title>/, url);
  }
  const nat6 = await lab(['exec', '-t', labCopy.file, 'worker', '--', 'ip6tables-save', '-t', 'nat']);
  assert.equal(nat6.exitCode, 0, nat6.stderr);
  assert.match(nat6.stdout, new RegExp(`-A KINDLAB-SERVICES -d ${ip6}/128 -p tcp -m tcp --dport 80 .*default/web:http cluster IP`));
  assert.match(nat6.stdout, /-j DNAT --to-destination \[fd00:10:1:[23]::[0-9a-f]+\]:80/);
});

test('NetworkPolicy for both families: podSelector admits a pod\'s IPv4 and IPv6 addresses, an IPv6 ipBlock with except, enforced by ip6tables', async () => {
  const kc = await lab(['kubeconfig', '-t', labCopy.file]);
  assert.equal(kc.exitCode, 0, kc.stderr);
  const kubectl = async (args: string[], input?: string) => {
    const r = await execa(KUBECTL, args, { env: { KUBECONFIG: kc.stdout.trim() }, reject: false, timeout: 30_000, ...(input ? { input } : {}) });
    assert.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const svc = JSON.parse(await kubectl(['get', 'svc', 'web', '-o', 'json'])) as { spec: { clusterIPs: string[] } };
  const [ip4, ip6] = svc.spec.clusterIPs;
  const webPod = (JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: Array<{ spec: { nodeName: string }; status: { podIPs: Array<{ ip: string }> } }> }).items[0]!;
  const webNode = webPod.spec.nodeName.replace(/^.*-(control-plane|worker\d*)$/, '$1');
  // nettool-1 (rack0) reaches web (rack1) by its IPv6 address only through the ipBlock; nettool-2 through its labels, both families
  const policy = (except: string[]) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-ingress, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - from: [{ podSelector: { matchLabels: { run: nettool-2 } } }]
    ports: [{ port: 80 }]
  - from: [{ ipBlock: { cidr: 'fd00:10:1::/48', except: ${JSON.stringify(except)} } }]
`;
  const curl = async (from: string, url: string) => (await lab(['exec', '-t', labCopy.file, `pod/${from}`, '--', 'curl', '-sS', '-o', '/dev/null', '-m', '2', url])).exitCode === 0;
  const expect = async (want: Record<string, boolean>) => {
    const probe = async () => Object.fromEntries(await Promise.all(Object.keys(want).map(async (k) => { const [from, url] = k.split(' '); return [k, await curl(from!, url!)] as const; })));
    let got = await probe();
    for (let i = 0; i < 10 && JSON.stringify(got) !== JSON.stringify(want); i++) got = await probe(); // the enforcer applies within a watch event
    assert.deepEqual(got, want);
  };
  const v4 = `http://${ip4}/`;
  const v6 = `http://[${ip6}]/`;
  try {
    await kubectl(['apply', '-f', '-'], policy(['fd00:10:1:3::/64']));
    await expect({ [`nettool-1 ${v6}`]: true, [`nettool-1 ${v4}`]: false, [`nettool-2 ${v4}`]: true, [`nettool-2 ${v6}`]: true });
    const save6 = await lab(['exec', '-t', labCopy.file, webNode, '--', 'ip6tables-save', '-t', 'filter']);
    assert.equal(save6.exitCode, 0, save6.stderr);
    const web6 = webPod.status.podIPs.find((a) => a.ip.includes(':'))!.ip;
    assert.match(save6.stdout, new RegExp(`-A KLNP-INGRESS -d ${web6}/128 .*isolated by default/web-ingress.* -j KLNP-POD-`));
    assert.match(save6.stdout, /-A KLNP-POD-\S+ -s fd00:10:1:4::\/62 .*allowed by default\/web-ingress.* -j RETURN/);
    // nettool-1's own /64 excepted: its IPv6 is refused too
    await kubectl(['apply', '-f', '-'], policy(['fd00:10:1:1::/64']));
    await expect({ [`nettool-1 ${v6}`]: false, [`nettool-2 ${v6}`]: true });
  } finally {
    await kubectl(['delete', 'networkpolicy', 'web-ingress', '--ignore-not-found']);
  }
  await expect({ [`nettool-1 ${v6}`]: true, [`nettool-1 ${v4}`]: true });
});

test('destroy leaves nothing', async () => {
  const down = await lab(['destroy', '-t', labCopy.file]);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await leftovers(name), NOTHING);
});
