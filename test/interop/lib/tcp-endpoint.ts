/**
 * Child process used by transport tests: runs our TcpListener inside a netns (`ip netns exec NS node --import tsx ...`).
 * Usage: tcp-endpoint.ts listen ADDRESS PORT PEER PASSWORD [MINTTL]. Prints "listening" then "accepted <addr>" per
 * connection and echoes one line back.
 */
import { TcpListener, secureAccepted, plainAddress } from '../../../src/bgp/session/transport.js';

const [mode, address, port, peer, password, minTtl] = process.argv.slice(2);
if (mode !== 'listen') throw new Error('usage: listen ADDRESS PORT PEER PASSWORD [MINTTL]');
const l = await TcpListener.listen({ address: address!, port: Number(port) });
if (password && password !== '-') l.setPassword(peer!, password);
l.on('connection', (s) => {
  if (minTtl) secureAccepted(s, { minTtl: Number(minTtl) });
  console.log(`accepted ${plainAddress(s.remoteAddress)}`);
  s.on('data', (d: Buffer) => s.end(`echo ${d.toString()}`));
  s.on('error', () => undefined);
});
console.log('listening');
