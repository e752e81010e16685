import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentProcessPids, supervisedAgentPids } from './agent-takeover.js';

test("finds kindlab's supervised agent by its command line, not a DaemonSet's agent nor other processes", () => {
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-'));
  try {
    const put = (pid: string, argv: string[]) => {
      fs.mkdirSync(path.join(proc, pid));
      fs.writeFileSync(path.join(proc, pid, 'cmdline'), argv.join('\0') + '\0');
    };
    put('101', ['node', '/opt/kindlab/dist/agent/cli.js', 'k8s', '--node', 'worker', '--kubeconfig', '/var/lib/kindlab/node/kubeconfig']);
    put('102', ['/usr/local/bin/node', '/opt/kindlab/bin/lab-agent.js', 'k8s', '--node', 'worker', '--dialect', 'kube-router']);
    put('103', ['sh', '/var/lib/kindlab/node/agent.sh']);
    put('104', ['node', '/opt/kindlab/dist/agent/cli.js', 'neighbor']);
    fs.mkdirSync(path.join(proc, 'self'));
    assert.deepEqual(supervisedAgentPids(proc), [101]);
    // any lab-agent k8s process (one of a topology's exec lines): the in-process agent does not start beside it
    assert.deepEqual(agentProcessPids(proc).sort(), [101, 102]);
  } finally {
    fs.rmSync(proc, { recursive: true, force: true });
  }
});
