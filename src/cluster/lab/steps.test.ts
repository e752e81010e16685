import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';
import { agentWaitScript } from './steps.js';

// The script runs in a fresh PID namespace: this machine's other labs' agents must not count.
const inOwnPids = (script: string) => execa('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], { reject: false, timeout: 20_000 });

test('agent wait: one command that fails when no agent runs within its time, asks the daemon to sync once', async () => {
  const s = agentWaitScript(400);
  assert.equal(s.split("/sync'").length - 1, 1);
  const t = Date.now();
  const r = await inOwnPids(s);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.ok(Date.now() - t >= 300);
});

test('agent wait: returns as soon as an agent process (one the topology started) runs', async () => {
  // a process whose command line is the agent's: `node … bin/lab-agent.js k8s`
  const r = await inOwnPids(`sh -c 'sleep 1; exec node -e "setTimeout(() => {}, 10000)" bin/lab-agent.js k8s' & ${agentWaitScript(8000)}; echo "rc=$?"; kill %1 2>/dev/null; true`);
  assert.match(r.stdout, /rc=0/, r.stderr);
});
