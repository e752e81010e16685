import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { agentScript, describeFault, parseAgentRestart, applyToFile, clearPlan, emptyFaultFile, labViewOf, lossRules, planFault, probability, tcpdumpArgv, undoSteps } from './plan.js';
import type { FaultFile, FaultRequest, LabView } from './types.js';

const view: LabView = labViewOf(
  '/tmp/lab-x',
  { lab: 'x', nodes: [{ name: 'r1', container: 'clab-x-r1', kind: 'linux' }, { name: 'r2', container: 'clab-x-r2', kind: 'linux' }, { name: 'r3', container: 'clab-x-r3', kind: 'linux' }] },
  {
    links: [
      { a: { node: 'r1', interface: 'eth1' }, z: { node: 'r2', interface: 'eth1' } },
      { a: { node: 'r2', interface: 'eth2' }, z: { node: 'r3', interface: 'eth1' } },
      { a: { node: 'r1' }, z: { node: 'r3', interface: 'eth9' } },
    ],
  },
);
const r1e1 = { node: 'r1', iface: 'eth1' };
const r2e1 = { node: 'r2', iface: 'eth1' };

function record(file: FaultFile, req: FaultRequest): FaultFile {
  return applyToFile(file, planFault(req, view, file), new Date(0)).file;
}

test('labViewOf keeps the links with both ends named', () => {
  assert.equal(view.links.length, 2);
});

test('unknown node or interface: an error naming it, with what exists', () => {
  const f = emptyFaultFile('x');
  assert.throws(() => planFault({ kind: 'link', endpoints: [{ node: 'r9', iface: 'eth1' }], action: 'down' }, view, f), (e: unknown) => e instanceof KindlabError && e.code === 'NODE_NOT_FOUND' && /"r9"/.test(e.message) && /r1, r2, r3/.test(e.hint ?? ''));
  assert.throws(() => planFault({ kind: 'link', endpoints: [{ node: 'r2', iface: 'eth7' }], action: 'down' }, view, f), (e: unknown) => e instanceof KindlabError && e.code === 'IFACE_NOT_FOUND' && /"eth7"/.test(e.message) && e.hint === 'its link interfaces: eth1, eth2');
  assert.throws(() => planFault({ kind: 'link', endpoints: [r1e1, { node: 'r3', iface: 'eth1' }], action: 'down' }, view, f), (e: unknown) => e instanceof KindlabError && e.code === 'FAULT' && /not the two ends of one link/.test(e.message) && /linked to r2:eth1/.test(e.hint ?? ''));
  assert.throws(() => planFault({ kind: 'node', node: 'r7', action: 'stop' }, view, f), (e: unknown) => e instanceof KindlabError && e.code === 'NODE_NOT_FOUND');
});

test('link down: ip link set down on each end given, recorded; up on both ends ends it', () => {
  const f0 = emptyFaultFile('x');
  const p = planFault({ kind: 'link', endpoints: [r1e1, r2e1], action: 'down' }, view, f0);
  assert.deepEqual(p.steps.map((s) => [s.node, s.in === 'docker' ? s.action : s.argv.join(' ')]), [
    ['r1', 'ip link set dev eth1 down'],
    ['r2', 'ip link set dev eth1 down'],
  ]);
  const f1 = applyToFile(f0, p, new Date(0)).file;
  assert.deepEqual(f1.faults, [{ id: 1, at: '1970-01-01T00:00:00.000Z', fault: { type: 'link-down', endpoints: [r1e1, r2e1] } }]);
  // `up` on both ends ends the recorded fault
  const up = planFault({ kind: 'link', endpoints: [r2e1, r1e1], action: 'up' }, view, f1);
  assert.deepEqual(up.remove, [1]);
  assert.equal(up.add, undefined);
  assert.deepEqual(applyToFile(f1, up, new Date(0)).file.faults, []);
});

test('loss: statistic DROP rules on what the end sends (OUTPUT and FORWARD, v4 and v6); a new loss replaces the old; loss 0 removes', () => {
  assert.equal(probability(30), '0.3000');
  assert.equal(probability(12.5), '0.1250');
  const rules = lossRules(r1e1, 30, '-I');
  assert.deepEqual(rules.map((s) => (s.in === 'netns' ? s.argv.slice(0, 6).join(' ') : '')), [
    'iptables -w -I OUTPUT -o eth1',
    'iptables -w -I FORWARD -o eth1',
    'ip6tables -w -I OUTPUT -o eth1',
    'ip6tables -w -I FORWARD -o eth1',
  ]);
  assert.ok(rules.every((s) => s.in === 'netns' && s.argv.join(' ').includes('-m statistic --mode random --probability 0.3000') && s.argv.at(-1) === 'DROP'));
  const f1 = record(emptyFaultFile('x'), { kind: 'link', endpoints: [r1e1], action: 'loss', percent: 30 });
  const p2 = planFault({ kind: 'link', endpoints: [r1e1], action: 'loss', percent: 10 }, view, f1);
  assert.deepEqual(p2.remove, [1]);
  assert.deepEqual(p2.steps.map((s) => (s.in === 'netns' ? `${s.argv[2]} ${s.argv[11]}` : '')), [
    ...Array(4).fill('-D 0.3000'),
    ...Array(4).fill('-I 0.1000'),
  ]);
  const p0 = planFault({ kind: 'link', endpoints: [r1e1], action: 'loss', percent: 0 }, view, f1);
  assert.equal(p0.add, undefined);
  assert.deepEqual(p0.remove, [1]);
  assert.ok(p0.steps.every((s) => s.in === 'netns' && s.argv[2] === '-D' && s.tolerate?.test('iptables: Bad rule (does a matching rule exist in that chain?).')));
});

test('down on both ends, then up on one: the other end stays down and recorded', () => {
  const f1 = record(emptyFaultFile('x'), { kind: 'link', endpoints: [r1e1, r2e1], action: 'down' });
  const p = planFault({ kind: 'link', endpoints: [r2e1], action: 'up' }, view, f1);
  assert.deepEqual(p.steps.map((s) => s.node), ['r2']);
  assert.deepEqual(applyToFile(f1, p, new Date(0)).file.faults.map((x) => x.fault), [{ type: 'link-down', endpoints: [r1e1] }]);
  // and a down on one end of a recorded two-end down: one entry per end, no end twice
  const p2 = planFault({ kind: 'link', endpoints: [r1e1], action: 'down' }, view, f1);
  assert.deepEqual(applyToFile(f1, p2, new Date(0)).file.faults.map((x) => x.fault), [{ type: 'link-down', endpoints: [r2e1] }, { type: 'link-down', endpoints: [r1e1] }]);
});

test('loss on both ends, then loss 0 on one: the other end keeps its loss (same entry)', () => {
  const f1 = record(emptyFaultFile('x'), { kind: 'link', endpoints: [r1e1, r2e1], action: 'loss', percent: 30 });
  const p = planFault({ kind: 'link', endpoints: [r2e1], action: 'loss', percent: 0 }, view, f1);
  assert.ok(p.steps.length === 4 && p.steps.every((s) => s.node === 'r2' && s.in === 'netns' && s.argv[2] === '-D'));
  assert.deepEqual(applyToFile(f1, p, new Date(0)).file.faults, [{ id: 1, at: '1970-01-01T00:00:00.000Z', fault: { type: 'link-loss', endpoints: [r1e1], percent: 30 } }]);
});

test('node faults: docker actions; start/unpause end stop/pause; restart is an event', () => {
  let f = record(emptyFaultFile('x'), { kind: 'node', node: 'r1', action: 'stop' });
  f = record(f, { kind: 'node', node: 'r2', action: 'pause' });
  assert.deepEqual(f.faults.map((x) => x.fault.type), ['node-stop', 'node-pause']);
  assert.deepEqual(undoSteps(f.faults[0]!.fault), [{ in: 'docker', node: 'r1', action: 'start' }]);
  assert.deepEqual(undoSteps(f.faults[1]!.fault), [{ in: 'docker', node: 'r2', action: 'unpause' }]);
  const g = record(f, { kind: 'node', node: 'r2', action: 'unpause' });
  assert.deepEqual(g.faults.map((x) => x.id), [1]);
  const h = record(f, { kind: 'node', node: 'r1', action: 'restart' });
  assert.deepEqual(h.faults.map((x) => [x.id, x.fault.type]), [[2, 'node-pause'], [3, 'node-restart']]);
  assert.deepEqual(undoSteps(h.faults[1]!.fault), []);
});

test('bgp reset: vtysh clear in the router, all peers or one', () => {
  const f = emptyFaultFile('x');
  assert.deepEqual(planFault({ kind: 'bgp', node: 'r1' }, view, f).steps, [{ in: 'container', node: 'r1', argv: ['vtysh', '-c', 'clear ip bgp *'] }]);
  assert.deepEqual(planFault({ kind: 'bgp', node: 'r1', peer: '10.0.0.2' }, view, f).steps, [{ in: 'container', node: 'r1', argv: ['vtysh', '-c', 'clear ip bgp 10.0.0.2'] }]);
});

test('clear: every fault undone, newest first', () => {
  let f = record(emptyFaultFile('x'), { kind: 'link', endpoints: [r1e1], action: 'down' });
  f = record(f, { kind: 'link', endpoints: [r1e1], action: 'loss', percent: 20 });
  f = record(f, { kind: 'node', node: 'r3', action: 'pause' });
  const plan = clearPlan(f);
  assert.deepEqual(plan.map((x) => x.entry.id), [3, 2, 1]);
  assert.deepEqual(plan.map((x) => x.steps.length), [1, 4, 1]);
  assert.deepEqual(plan[2]!.steps, [{ in: 'netns', node: 'r1', argv: ['ip', 'link', 'set', 'dev', 'eth1', 'up'], tolerate: /Cannot find device/ }]);
});

test('tcpdump runs from the host in the node netns, pcap to stdout, packet-buffered', () => {
  assert.deepEqual(tcpdumpArgv(4242, 'eth1', 5), ['nsenter', '--net=/proc/4242/ns/net', 'tcpdump', '--immediate-mode', '-U', '-n', '-i', 'eth1', '-w', '-', '-c', '5']);
  assert.deepEqual(tcpdumpArgv(1, 'eth0').slice(-2), ['-w', '-']);
});

test('clearing a link-down puts back the routes the down flushed (kernel routes come back by themselves)', () => {
  const f = {
    type: 'link-down' as const,
    endpoints: [{ node: 'cp', iface: 'net0' }],
    routes: [
      { node: 'cp', iface: 'net0', family: 4 as const, routes: ['10.0.0.0/16 via 10.0.1.1 proto static linkdown', '10.0.1.0/24 proto kernel scope link src 10.0.1.2 linkdown'] },
      { node: 'cp', iface: 'net0', family: 6 as const, routes: ['fd00::/48 via fd00:1::1 metric 1024 pref medium'] },
    ],
  };
  assert.deepEqual(undoSteps(f), [
    { in: 'netns', node: 'cp', argv: ['ip', 'link', 'set', 'dev', 'net0', 'up'], tolerate: /Cannot find device/ },
    { in: 'netns', node: 'cp', argv: ['ip', 'route', 'replace', '10.0.0.0/16', 'via', '10.0.1.1', 'proto', 'static', 'dev', 'net0'], tolerate: /./ },
    { in: 'netns', node: 'cp', argv: ['ip', '-6', 'route', 'replace', 'fd00::/48', 'via', 'fd00:1::1', 'metric', '1024', 'pref', 'medium', 'dev', 'net0'], tolerate: /./ },
  ]);
});

test('agent faults: only on k8s nodes; kill/restart are events with the new run; stop is undone by start or clear', () => {
  const k8s = labViewOf('/tmp/lab-k', { lab: 'k', nodes: [{ name: 'worker', container: 'k-worker', kind: 'k8s-node' }, { name: 'r1', container: 'k-r1', kind: 'linux' }] }, { links: [] });
  const f0 = emptyFaultFile('k');
  assert.throws(() => planFault({ kind: 'agent', node: 'r1', action: 'kill' }, k8s, f0), (e: unknown) => e instanceof KindlabError && e.code === 'FAULT' && /only k8s-node nodes/.test(e.message) && /worker/.test(e.hint ?? ''));
  const kill = planFault({ kind: 'agent', node: 'worker', action: 'kill' }, k8s, f0);
  assert.equal(kill.steps.length, 1);
  const step = kill.steps[0]!;
  // the agent runs in the node daemon's process: its control socket ends it as SIGKILL / SIGTERM did
  assert.ok(step.in === 'container' && step.argv[0] === 'sh' && /--unix-socket \/run\/kindlab\/agent-host\.sock -X POST 'http:\/\/agent\/kill\?wait=15'/.test(step.argv[2]!));
  assert.match(agentScript('restart'), /-X POST 'http:\/\/agent\/restart\?wait=15'/);
  assert.deepEqual(kill.add, { type: 'agent-kill', node: 'worker' });
  // the node daemon's next run, as the script prints it, goes into the record (and the pid line of a separate agent process)
  const seen = parseAgentRestart('agent run 1 -> 2 in 1130 ms\n');
  assert.deepEqual(seen, { oldRun: 1, newRun: 2, restartMs: 1130 });
  assert.deepEqual(parseAgentRestart('agent pid 41 -> 97 in 1130 ms\n'), { oldPid: 41, newPid: 97, restartMs: 1130 });
  assert.deepEqual(parseAgentRestart('agent pid - -> 12 in 5 ms'), { newPid: 12, restartMs: 5 });
  assert.deepEqual(parseAgentRestart('stopped'), {});
  const f1 = applyToFile(f0, { ...kill, add: { ...kill.add!, ...seen } }, new Date(0)).file;
  assert.equal(describeFault(f1.faults[0]!.fault), 'agent worker killed (SIGKILL) run 1; its node daemon started run 2 1130 ms later (event)');
  assert.deepEqual(undoSteps(f1.faults[0]!.fault), []);
  const f2 = applyToFile(f1, planFault({ kind: 'agent', node: 'worker', action: 'stop' }, k8s, f1), new Date(0)).file;
  assert.deepEqual(f2.faults.map((x) => x.fault.type), ['agent-kill', 'agent-stop']);
  const undo = undoSteps(f2.faults[1]!.fault);
  assert.ok(undo[0]!.in === 'container' && /touch \/var\/lib\/kindlab\/node\/agent\.enabled/.test(undo[0]!.argv[2]!));
  assert.deepEqual(clearPlan(f2).map((c) => c.steps.length), [1, 0]);
  const f3 = applyToFile(f2, planFault({ kind: 'agent', node: 'worker', action: 'start' }, k8s, f2), new Date(0)).file;
  assert.deepEqual(f3.faults.map((x) => x.fault.type), ['agent-kill']);
  // the pkill pattern in the stop script cannot match the script's own command line
  const pattern = /(agent\/cli|bin\/lab-agent)\.js k8s/;
  for (const a of ['kill', 'restart', 'stop', 'start'] as const) assert.ok(!pattern.test(agentScript(a)), a);
  for (const a of ['kill', 'restart', 'stop', 'start'] as const) assert.doesNotThrow(() => execFileSync('sh', ['-n', '-c', agentScript(a)]), a);
});
