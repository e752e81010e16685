/**
 * TCP MD5 (RFC 2385) and TTL between two of our own endpoints over a veth pair: our listener runs in a separate
 * netns (child process), our connector in the test's netns. A wrong or missing password must never connect.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type net from 'node:net';
import { connectTcp } from '../../src/bgp/session/transport.js';
import { createNetnsPeer, waitFor, type NetnsPeer } from './lib/netns.js';

const endpoint = fileURLToPath(new URL('./lib/tcp-endpoint.ts', import.meta.url));
let peer: NetnsPeer;
const out: string[] = [];

before(async () => {
  peer = await createNetnsPeer('md5');
  for (const [addr, port, from] of [[peer.peer4, '1179', peer.host4], [peer.peer6, '1179', peer.host6]] as const) {
    const p = peer.spawn(process.execPath, ['--import', 'tsx', endpoint, 'listen', addr, port, from, 's3cret']);
    p.stdout?.on('data', (d: Buffer) => out.push(...d.toString().trim().split('\n')));
    p.stderr?.on('data', (d: Buffer) => out.push(`ERR ${d.toString()}`));
  }
  await waitFor('both listeners', async () => out.filter((l) => l === 'listening').length === 2, 20_000);
});
after(async () => {
  await peer?.cleanup();
});

async function echo(sock: net.Socket): Promise<string> {
  sock.end('hello');
  let got = '';
  sock.on('data', (d) => (got += d.toString()));
  await once(sock, 'close');
  return got;
}

for (const v of ['4', '6'] as const) {
  test(`MD5 over IPv${v}: the right password connects and carries data`, async () => {
    const host = v === '4' ? peer.peer4 : peer.peer6;
    const local = v === '4' ? peer.host4 : peer.host6;
    const sock = await connectTcp({ host, port: 1179, localAddress: local, password: 's3cret', ttl: 1, timeoutMs: 5000 });
    assert.equal(await echo(sock), 'echo hello');
    assert.ok(out.includes(`accepted ${local}`), out.join('\n'));
  });

  test(`MD5 over IPv${v}: a wrong password never connects`, async () => {
    const host = v === '4' ? peer.peer4 : peer.peer6;
    const local = v === '4' ? peer.host4 : peer.host6;
    const before = out.length;
    await assert.rejects(connectTcp({ host, port: 1179, localAddress: local, password: 'wrong', timeoutMs: 3000 }), /timed out/);
    await assert.rejects(connectTcp({ host, port: 1179, localAddress: local, timeoutMs: 2000 }), /timed out/);
    assert.deepEqual(out.slice(before).filter((l) => l.startsWith('accepted')), []);
  });
}

test('a connect to a closed port fails with ECONNREFUSED, not a hang', async () => {
  await assert.rejects(connectTcp({ host: peer.peer4, port: 1180, timeoutMs: 5000 }), /refused/i);
});
