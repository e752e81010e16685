/**
 * The runner with real processes on the host as the "node" (commands run through execa, traffic
 * to 127.0.0.1 only): bounded pool, per-check timeout, --wait retries, evidence on failure.
 * (ping, traceroute, bgp and route probes run in containers: test/e2e/verify.test.ts.)
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { LabPlan } from '../topology/types.js';
import { EvidenceLog, LabContext, daemonsIn, shellQuote, type NodeExec } from './context.js';
import { mapPool } from '../lib/pool.js';
import { curlWaitS, retryDelay, runChecks } from './run.js';
import type { CurlExpectation } from './types.js';

const hostExec: NodeExec = async (_node, argv) => {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const plan = { name: 't', nodes: [], links: [], sections: {} } as unknown as LabPlan;
const ctx = () => new LabContext(plan, hostExec);

let server: Server;
let base = '';
let hits = 0;
// /gate fails twice, then passes; /held answers only once /gate has passed (503 after 8 s otherwise)
let gateHits = 0;
let lateHits = 0;
let gateOpen: () => void = () => undefined;
let opened = new Promise<void>((r) => (gateOpen = r));
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/late' && ++lateHits === 1) return; // the first request is never answered (a dropped SYN)
    if (req.url === '/gate') {
      if (++gateHits < 3) return void res.writeHead(503).end('not yet');
      gateOpen();
      return void res.writeHead(200).end('open');
    }
    if (req.url === '/held') {
      const cap = setTimeout(() => res.writeHead(503).end('gate never opened'), 8000);
      return void opened.then(() => {
        clearTimeout(cap);
        res.writeHead(200).end('released');
      });
    }
    hits++;
    if (req.url === '/flaky' && hits < 3) res.writeHead(503).end('warming up');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from kindlab');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const curl = (path: string, over: Partial<CurlExpectation> = {}): CurlExpectation => ({ kind: 'curl', name: path, from: 'host', url: `${base}${path}`, status: 200, ...over });

describe('runChecks', () => {
  test('curl: status and body substring, failures carry the command and output', async () => {
    const [ok, body, status] = await runChecks(ctx, [curl('/'), curl('/', { contains: 'nope' }), curl('/', { status: 204 })]);
    assert.equal(ok!.passed, true, ok!.detail);
    assert.match(ok!.detail, /HTTP 200/);
    assert.equal(body!.passed, false);
    assert.match(body!.detail, /lacks "nope"/);
    assert.match(body!.evidence.command, /^host\$ curl -sS .*127\.0\.0\.1/);
    assert.match(body!.evidence.output, /hello from kindlab/);
    assert.match(status!.detail, /HTTP 200, expected 204/);
  });

  test('curl blocked: passes when nothing answers (refused port), fails when the server answers', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const [refused, open] = await runChecks(ctx, [{ ...curl('/'), url: `http://127.0.0.1:${port}/`, blocked: true }, curl('/', { blocked: true })]);
    assert.equal(refused!.passed, true, refused!.detail);
    assert.match(refused!.detail, /blocked as expected \(curl exit 7/);
    assert.equal(open!.passed, false);
    assert.match(open!.detail, /HTTP 200 answered, but it should be blocked/);
  });

  test('per-check timeout: a probe that hangs fails with "timed out" and does not hold the others', async () => {
    const start = Date.now();
    const [hang, fine] = await runChecks(ctx, [curl('/hang', { timeoutMs: 400 }), curl('/')]);
    assert.equal(hang!.passed, false);
    assert.equal(hang!.detail, 'timed out after 400ms');
    assert.equal(fine!.passed, true);
    assert.ok(Date.now() - start < 4000);
  });

  test('--wait retries only failing checks until they pass', async () => {
    hits = 0;
    const rounds: number[] = [];
    const [flaky, steady] = await runChecks(ctx, [curl('/flaky'), curl('/')], { waitMs: 10_000, retryDelayMs: 50, onRound: (r) => rounds.push(r) });
    assert.equal(flaky!.passed, true, flaky!.detail);
    assert.ok(flaky!.attempts >= 2, `attempts ${flaky!.attempts}`);
    assert.equal(steady!.attempts, 1);
    assert.deepEqual(rounds.slice(0, 2), [1, 2]);
  });

  test('--wait: a failing check retries while a slow one is still running (no round barrier)', async () => {
    gateHits = 0;
    opened = new Promise<void>((r) => (gateOpen = r));
    // /held only answers 200 once /gate passed, which takes /gate's third attempt
    const [gate, held] = await runChecks(ctx, [curl('/gate'), curl('/held')], { waitMs: 20_000, retryDelayMs: 50 });
    assert.equal(gate!.passed, true, gate!.detail);
    assert.equal(gate!.attempts, 3);
    assert.equal(held!.passed, true, held!.detail);
    assert.equal(held!.attempts, 1);
  });

  test('--wait: a curl left unanswered waits 1 s on its first attempt, then 2 s, and passes on the next', async () => {
    lateHits = 0;
    const [late] = await runChecks(ctx, [curl('/late')], { waitMs: 20_000, retryDelayMs: 50 });
    assert.equal(late!.passed, true, late!.detail);
    assert.equal(late!.attempts, 2);
    assert.match(late!.evidence.command, / -m 2 /, 'the second attempt waits 2 s');
  });

  test('curl wait per attempt: 1, 2, 4, 5 s while a retry can follow; 5 s for the last attempt and for blocked', () => {
    assert.deepEqual([1, 2, 3, 4, 9].map((a) => curlWaitS(a, true, false)), [1, 2, 4, 5, 5]);
    assert.equal(curlWaitS(1, false, false), 5);
    assert.equal(curlWaitS(1, true, true), 5);
  });

  test('retry backoff: 100 ms doubling, capped', () => {
    assert.deepEqual([2, 3, 4, 5, 6, 7].map((a) => retryDelay(a, 2000)), [100, 200, 400, 800, 1600, 2000]);
    assert.equal(retryDelay(9, 50), 50);
  });

  test('without --wait a failing check is run once', async () => {
    hits = 0;
    const [flaky] = await runChecks(ctx, [curl('/flaky')], { retryDelayMs: 10 });
    assert.equal(flaky!.passed, false);
    assert.equal(flaky!.attempts, 1);
  });
});

describe('LabContext.query', () => {
  test('one exec per node and command in a context; each caller logs it; run() is never shared', async () => {
    const calls: string[] = [];
    const counting: NodeExec = async (node, argv) => {
      calls.push(`${node} ${argv.join(' ')}`);
      return { exitCode: 0, stdout: `out ${calls.length}`, stderr: '' };
    };
    const c = new LabContext(plan, counting);
    const [a, b] = [new EvidenceLog(), new EvidenceLog()];
    const [x, y] = await Promise.all([c.query(a, 'r1', ['vtysh', '-c', 'show bgp summary json']), c.query(b, 'r1', ['vtysh', '-c', 'show bgp summary json'])]);
    assert.equal(x.stdout, 'out 1');
    assert.equal(y.stdout, 'out 1');
    assert.deepEqual(a.evidence(), { command: "r1$ vtysh -c 'show bgp summary json'", output: 'out 1' });
    assert.deepEqual(b.evidence(), a.evidence());
    await c.query(undefined, 'r2', ['vtysh', '-c', 'show bgp summary json']);
    await c.run(undefined, 'r1', ['vtysh', '-c', 'show bgp summary json']);
    assert.equal(calls.length, 3);
    // a new context (a retry) asks again
    await new LabContext(plan, counting).query(undefined, 'r1', ['vtysh', '-c', 'show bgp summary json']);
    assert.equal(calls.length, 4);
  });
});

describe('helpers', () => {
  test('pool keeps order and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3, 0], 2, async (ms) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, ms * 5));
      running--;
      return ms * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
    assert.equal(peak, 2);
  });
  test('daemons from process command lines', () => {
    assert.deepEqual(daemonsIn('/usr/lib/frr/watchfrr -d -F traditional zebra bgpd\n/usr/lib/frr/bgpd -d -F traditional -A 127.0.0.1\n'), ['frr']);
    assert.deepEqual(daemonsIn('bird -c /etc/bird.conf\ngobgpd -f x.toml\nnode /opt/kindlab/bin/lab-agent.js run --config /etc/a.yaml\n').sort(), ['agent', 'bird', 'gobgp']);
    assert.deepEqual(daemonsIn('vtysh -c show bgp summary\nsleep 100\n'), []);
  });
  test('shell quoting of evidence commands', () => {
    assert.equal(shellQuote(['vtysh', '-c', 'show bgp summary json']), "vtysh -c 'show bgp summary json'");
    assert.equal(shellQuote(['echo', "it's"]), "echo 'it'\\''s'");
    assert.equal(shellQuote(['curl', '-w', '\n%{x}']), "curl -w $'\\n%{x}'");
  });
});
