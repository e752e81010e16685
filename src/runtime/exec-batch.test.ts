import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';
import { batchOutcome, batchScript, execGroups, isQuickLine, quickPrefix } from './exec-batch.js';
import { splitCommand } from './argv.js';

const run = async (lines: string[][]) => {
  const r = await execa('sh', ['-c', batchScript(lines)], { reject: false, stdin: 'ignore', stripFinalNewline: false });
  return batchOutcome(r.exitCode ?? -1, String(r.stdout), String(r.stderr));
};

test('a batch of exec lines runs each argv as is, in order, and splits the output of the line that failed', async () => {
  assert.deepEqual(await run([['true'], ['echo', "it's $HOME; `x`"]]), { ran: 2, noShell: false });
  const r = await run([['echo', 'first'], ['sh', '-c', 'echo out; echo err >&2; exit 3'], ['touch', '/never']]);
  assert.deepEqual(r, { ran: 2, noShell: false, failed: { index: 1, exitCode: 3, stdout: 'out\n', stderr: 'err\n' } });
});

test("a batch line is exec'd, not a shell builtin: `cd` fails as its own docker exec would", async () => {
  const r = await run([['cd', '/']]);
  assert.equal(r.failed?.index, 0);
  assert.equal(r.failed?.exitCode, 127);
});

test('no marker and a failure: the image has no sh, the lines run one by one', () => {
  assert.deepEqual(batchOutcome(127, '', 'exec: "sh": executable file not found in $PATH'), { ran: 0, noShell: true });
});

// calico-service-ips' control-plane: three kernel lines and a link, then the agent's start in a shell
const calico = [
  'ip addr add 192.168.1.10/24 dev net0',
  'ip route add 10.48.0.0/16 via 192.168.1.1',
  '/sbin/ip route add 192.168.10.0/24 via 192.168.1.1',
  'ln -sf /opt/kindlab/bin/lab-agent.js /usr/local/bin/lab-agent',
  `sh -c 'nohup sh -c "until node /opt/kindlab/bin/lab-agent.js k8s; do sleep 1; done" &'`,
].map(splitCommand);

test('quick lines: kernel and file commands by base name; a shell, vtysh, a daemon or `ip netns exec` are not', () => {
  assert.deepEqual(calico.map(isQuickLine), [true, true, true, true, false]);
  for (const l of ["vtysh -c 'conf t'", '/usr/lib/frr/frrinit.sh start', 'ip netns exec x sleep 9', 'ip vrf exec red ping 1.1.1.1', 'sleep 5', '']) assert.equal(isQuickLine(splitCommand(l)), false, l);
  for (const l of ['sysctl -w net.ipv4.ip_forward=1', "sed -i -e 's/bgpd=no/bgpd=yes/g' /etc/frr/daemons", 'iptables -t nat -A POSTROUTING -j MASQUERADE', 'bridge vlan add vid 10 dev eth1']) assert.equal(isQuickLine(splitCommand(l)), true, l);
});

test('groups: a run of quick lines shares one exec; other lines, and a lone quick line between them, keep their own', () => {
  assert.deepEqual(execGroups(calico), [[0, 1, 2, 3], [4]]);
  const frr = ['ip addr add 10.0.12.2/24 dev eth1', 'touch /etc/frr/vtysh.conf', '/usr/lib/frr/frrinit.sh start', 'ip link set lo up', "vtysh -c 'conf t'", 'ip route add 10.9.0.0/16 via 10.0.12.1', 'ip route add 10.8.0.0/16 via 10.0.12.1'].map(splitCommand);
  assert.deepEqual(execGroups(frr), [[0, 1], [2], [3], [4], [5, 6]]);
  assert.deepEqual(execGroups([]), []);
});

test('quick prefix: the leading quick lines (run before the routers are configured)', () => {
  assert.equal(quickPrefix(calico), 4);
  assert.equal(quickPrefix(calico.slice(4)), 0);
  assert.equal(quickPrefix(calico.slice(0, 4)), 4);
  assert.equal(quickPrefix([]), 0);
});
