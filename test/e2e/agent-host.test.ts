/**
 * The node daemon's hosted BGP agent (src/cluster/node/agent-host.ts) against a real API server process, no Docker:
 * the control socket the lab's fault, leave and readiness scripts use. The agent starts only with its marker, a kill
 * and a restart each bring the next run, /stop without the marker keeps it down, its lines go to the agent's log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ApiServerProcess } from './kubectl-helpers.js';
import { AgentHost } from '../../src/cluster/node/agent-host.js';

const request = (socket: string, method: string, what: string) =>
  new Promise<{ code: number; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: what }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: body.trim() }));
    });
    req.on('error', reject);
    req.end();
  });

describe('agent hosted by the node daemon: control socket', { timeout: 90_000 }, () => {
  let api: ApiServerProcess;
  let host: AgentHost;
  let dir: string;
  let socket: string;
  const status = async () => JSON.parse((await request(socket, 'GET', '/status')).body) as { running: boolean; run: number; pid: number };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-agent-host-'));
    api = new ApiServerProcess(ApiServerProcess.tempDir());
    await api.start();
    socket = path.join(dir, 'agent-host.sock');
    const args = ['--node', 'kind-worker', '--kubeconfig', api.kubeconfig, '--dialect', 'cilium', '--listen', '127.0.0.1:0', '--admin', path.join(dir, 'admin.sock'), '--no-fib', '--restart-marker', path.join(dir, 'restart.json')];
    fs.writeFileSync(path.join(dir, 'agent.args'), JSON.stringify(args));
    host = new AgentHost({ stateDir: dir, logFile: path.join(dir, 'logs', 'agent.log'), socket, log: () => undefined });
    await host.listen();
  });
  after(async () => {
    await host?.close();
    await api?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('starts with its marker only; kill and restart bring the next run; stop without the marker keeps it down', async () => {
    assert.deepEqual(JSON.parse((await request(socket, 'POST', '/sync')).body).running, false, 'no marker, no agent');
    assert.deepEqual(await request(socket, 'POST', '/kill?wait=1'), { code: 409, body: 'no BGP agent runs on this node' });
    assert.deepEqual(await request(socket, 'POST', '/kill?wait=soon'), { code: 400, body: 'wait=soon: seconds, a number ≥ 0' });
    fs.writeFileSync(path.join(dir, 'agent.enabled'), '');
    const up = JSON.parse((await request(socket, 'POST', '/sync')).body) as { running: boolean; run: number; pid: number };
    assert.deepEqual([up.running, up.run, up.pid], [true, 1, process.pid], 'runs in this process');
    const kill = await request(socket, 'POST', '/kill?wait=10');
    assert.equal(kill.code, 200);
    assert.match(kill.body, /^agent run 1 -> 2 in \d+ ms$/);
    const restart = await request(socket, 'POST', '/restart?wait=10');
    assert.match(restart.body, /^agent run 2 -> 3 in \d+ ms$/);
    fs.rmSync(path.join(dir, 'agent.enabled'));
    assert.deepEqual(await request(socket, 'POST', '/stop'), { code: 200, body: 'stopped' });
    await new Promise((r) => setTimeout(r, 2500)); // past the restart delay and a marker poll
    assert.deepEqual(await status(), { running: false, run: 3, pid: process.pid });
    const log = fs.readFileSync(path.join(dir, 'logs', 'agent.log'), 'utf8');
    assert.equal(log.match(/"msg":"k8s agent started"/g)?.length, 3, log);
    assert.match(log, /"msg":"agent killed"/);
    assert.match(log, /"msg":"agent exited \(restarted in 1 s while agent.enabled exists\)","how":"restart","run":2/);
  });
});
