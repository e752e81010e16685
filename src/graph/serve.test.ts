/** `lab graph --serve`: the port it accepts, HEAD like GET without a body, and Ctrl-C closing at once. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runGraph } from '../cli/graph.js';
import { KindlabError } from '../errors.js';
import { parsePort, serveGraph } from './serve.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ROUTERS = fileURLToPath(new URL('../../labs/cilium-bgp/routers.yaml', import.meta.url));

function get(url: string, method: string, agent?: Agent): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('lab graph --serve', () => {
  test('the port is a decimal integer up to 65535 (0: any free port)', () => {
    for (const ok of ['1', '80', '8080', '65535', '0']) assert.equal(parsePort(ok), Number(ok), ok);
    for (const bad of ['1e3', '0x50', '80.0', '8080.5', '-1', '65536', '99999', '', ' 80', '+80', 'http', '123456']) assert.equal(parsePort(bad), undefined, bad);
  });

  test('lab graph --serve 1e3 is a usage error naming the value', { timeout: 10_000 }, async () => {
    await assert.rejects(runGraph({ topo: ROUTERS, static: true, serve: '1e3', direction: 'auto', format: 'mermaid' }), (e: unknown) => e instanceof KindlabError && e.code === 'USAGE' && e.shortMessage.includes('"1e3" is not a port'));
    await assert.rejects(runGraph({ topo: ROUTERS, static: true, serve: '70000', direction: 'auto', format: 'mermaid' }), (e: unknown) => e instanceof KindlabError && e.code === 'USAGE');
  });

  test('HEAD answers like GET, without a body; other paths and methods are 404', { timeout: 10_000 }, async () => {
    const html = '<html><body>lab graph ü</body></html>';
    const server = await serveGraph(async () => html, 0);
    try {
      const g = await get(server.url, 'GET');
      const h = await get(server.url, 'HEAD');
      assert.equal(g.status, 200);
      assert.equal(g.body, html);
      assert.equal(h.status, 200);
      assert.equal(h.body, '');
      assert.equal(h.headers['content-type'], g.headers['content-type']);
      assert.equal(h.headers['content-length'], String(Buffer.byteLength(html)));
      assert.equal(h.headers['content-length'], g.headers['content-length']);
      assert.equal((await get(new URL('/index.html', server.url).href, 'HEAD')).status, 200);
      const missing = await get(new URL('/nope', server.url).href, 'HEAD');
      assert.equal(missing.status, 404);
      assert.equal(missing.body, '');
      assert.equal((await get(server.url, 'POST')).status, 404);
    } finally {
      await server.close();
    }
  });

  test('close() does not wait for keep-alive connections', { timeout: 10_000 }, async () => {
    const server = await serveGraph(async () => 'page', 0);
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await get(server.url, 'GET', agent)).status, 200);
      const t0 = Date.now();
      await server.close();
      assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
    } finally {
      agent.destroy();
    }
  });

  /** Runs `lab graph --serve 0` from source (main(), exiting as bin/lab.js does), makes `client(url)`'s requests, then sends SIGINT; how long until it exits. */
  async function stopAfter(client: (url: string) => Promise<void>): Promise<{ code: number | null; ms: number }> {
    const script = `const { main } = await import('./src/cli/lab.ts'); process.exitCode = await main(${JSON.stringify(['graph', '-t', ROUTERS, '--static', '--serve', '0'])});`;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        void exited.then(() => reject(new Error('lab graph --serve exited early')));
      });
      await client(url);
      const t0 = Date.now();
      proc.kill('SIGINT');
      const code = await exited;
      return { code, ms: Date.now() - t0 };
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  }

  test('Ctrl-C (SIGINT) stops lab graph --serve at once, with a keep-alive client connected', { timeout: 30_000 }, async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const { code, ms } = await stopAfter(async (url) => {
        // a request that needs no drawing, over a connection the client keeps open
        assert.equal((await get(new URL('/nope', url).href, 'GET', agent)).status, 404);
      });
      assert.equal(code, 0);
      assert.ok(ms < 2000, `lab graph --serve took ${ms} ms to stop after SIGINT`);
    } finally {
      agent.destroy();
    }
  });

  test('Ctrl-C (SIGINT) stops lab graph --serve at once while a page is being drawn', { timeout: 60_000 }, async () => {
    let sock: Socket | undefined;
    try {
      const { code, ms } = await stopAfter(async (url) => {
        const u = new URL(url);
        sock = connect(Number(u.port), u.hostname);
        sock.on('error', () => {});
        await new Promise<void>((resolve) => sock!.once('connect', () => resolve()));
        sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        await new Promise((r) => setTimeout(r, 300));
      });
      assert.equal(code, 0);
      assert.ok(ms < 2000, `lab graph --serve took ${ms} ms to stop after SIGINT`);
    } finally {
      sock?.destroy();
    }
  });
});
