/** LabContext's node facts: one exec reads a node's addresses and its BGP daemons; the script against real sh and /proc. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../topology/index.js';
import { LabContext, nodeFactsScript, parseNodeFacts, type ExecOutput, type NodeExec } from './context.js';

const article = fileURLToPath(new URL('../../labs/cilium-bgp/routers.yaml', import.meta.url));

describe('node facts', () => {
  test('the script on this machine: lo and its 127.0.0.1, and a process whose argv0 is bgpd counts as FRR', async () => {
    const fake = spawn('bash', ['-c', 'exec -a /usr/lib/frr/bgpd sleep 30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = await execa('sh', ['-c', nodeFactsScript()], { reject: false });
      const facts = parseNodeFacts(r.stdout);
      assert.ok(facts.addresses?.some((a) => a.iface === 'lo' && a.address === '127.0.0.1' && a.family === 4), JSON.stringify(facts.addresses));
      assert.ok(facts.daemons.includes('frr'), r.stdout.slice(-400));
    } finally {
      fake.kill();
    }
  });

  test('parse: ip failing gives no addresses, no mark (no sh) gives none known, daemons from the lines after the mark only', () => {
    const mark = (status: number) => `--kindlab-facts ip exit ${status}`;
    assert.deepEqual(parseNodeFacts(`\n${mark(127)}\n/usr/lib/frr/bgpd -d\n`), { addresses: [], daemons: ['frr'] });
    assert.deepEqual(parseNodeFacts('OCI runtime exec failed: exec: "sh": executable file not found'), { daemons: [] });
    // a process line before the mark is not a process (it cannot be: ip's JSON comes first); garbage JSON is no address
    assert.deepEqual(parseNodeFacts(`not json\n${mark(0)}\nbird -f\n`), { addresses: [], daemons: ['bird'] });
    const ipJson = JSON.stringify([{ ifname: 'eth1', addr_info: [{ family: 'inet', local: '10.0.0.1', scope: 'global' }] }]);
    assert.deepEqual(parseNodeFacts(`${ipJson}\n\n${mark(0)}\ngobgpd -f x\nlab-agent k8s (in the node daemon)\n`), {
      addresses: [{ address: '10.0.0.1', iface: 'eth1', family: 4, scope: 'global' }],
      daemons: ['gobgp', 'agent'],
    });
  });

  test('prefetched, a node\'s addresses and daemons share one exec; asked alone, each is its own read; without sh, ip alone', async () => {
    const plan = await loadPlan(article);
    const calls: string[][] = [];
    const ipJson = JSON.stringify([{ ifname: 'lo', addr_info: [{ family: 'inet', local: '10.0.0.1', scope: 'global' }] }]);
    const exec = (withSh: boolean): NodeExec => async (node, argv): Promise<ExecOutput> => {
      calls.push([node, ...argv]);
      if (argv[0] === 'sh' && !withSh) return { exitCode: 127, stdout: '', stderr: 'exec: "sh": executable file not found' };
      if (argv[0] === 'sh') return { exitCode: 0, stdout: `${argv[2]!.startsWith('ip ') ? `${ipJson}\n\n--kindlab-facts ip exit 0\n` : ''}/usr/lib/frr/bgpd -A 127.0.0.1\n`, stderr: '' };
      if (argv[0] === 'ip') return { exitCode: 0, stdout: ipJson, stderr: '' };
      throw new Error(`unexpected ${argv.join(' ')}`);
    };
    const ctx = new LabContext(plan, exec(true));
    ctx.prefetchFacts('tor0');
    const [addrs, daemons] = await Promise.all([ctx.addresses('tor0'), ctx.daemons('tor0')]);
    assert.deepEqual(addrs.map((a) => a.address), ['10.0.0.1']);
    assert.deepEqual(daemons, ['frr']);
    assert.equal(await ctx.preferredAddress('tor0'), '10.0.0.1');
    assert.deepEqual(calls.map((c) => c.slice(0, 2)), [['tor0', 'sh']], 'one exec for both');

    calls.length = 0;
    const alone = new LabContext(plan, exec(true));
    assert.deepEqual((await alone.addresses('tor1')).map((a) => a.address), ['10.0.0.1']);
    assert.deepEqual(await alone.daemons('tor1'), ['frr']);
    alone.prefetchFacts('tor1');
    assert.deepEqual(calls.map((c) => c.slice(0, 2)), [['tor1', 'ip'], ['tor1', 'sh']], 'each its own read; prefetch after them reads nothing');

    calls.length = 0;
    const bare = new LabContext(plan, exec(false));
    bare.prefetchFacts('tor0');
    assert.deepEqual((await bare.addresses('tor0')).map((a) => a.address), ['10.0.0.1']);
    assert.deepEqual(await bare.daemons('tor0'), []);
    assert.deepEqual(calls.map((c) => c.slice(0, 2)), [['tor0', 'sh'], ['tor0', 'ip']]);
  });
});
