import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { NodeShells, shellLine, type OpenExec } from './node-shell.js';

/** Interactive exec of a local process (a real sh), standing in for `docker exec -i`: the container name is ignored. */
function localOpen(opened: string[][], program?: string): OpenExec {
  return (_container, argv, on) =>
    new Promise((resolve, reject) => {
      opened.push(argv);
      const child = spawn(program ?? argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      child.once('error', reject);
      child.once('spawn', () =>
        resolve({
          write: (d) => void child.stdin.write(d),
          end: () => void child.stdin.end(),
          ref: (on) => (on ? child.ref() : child.unref()),
        }),
      );
      child.stdout.on('data', on.stdout);
      child.stderr.on('data', on.stderr);
      child.once('close', () => on.end());
      child.stdin.on('error', () => undefined);
    });
}

test('a shell answers each command with its exact stdout, stderr and exit status', async () => {
  const shells = new NodeShells(localOpen([]));
  try {
    assert.deepEqual(await shells.run('c', ['printf', '%s', 'no newline']), { exitCode: 0, stdout: 'no newline', stderr: '' });
    assert.deepEqual(await shells.run('c', ['sh', '-c', 'echo out; echo err >&2; exit 3']), { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    assert.deepEqual(await shells.run('c', ['printf', '%s\\n\\n', "it's $HOME `x` \\ \"q\""]), { exitCode: 0, stdout: "it's $HOME `x` \\ \"q\"\n\n", stderr: '' });
    assert.deepEqual(await shells.run('c', ['true']), { exitCode: 0, stdout: '', stderr: '' });
    // a command reading stdin gets end of file, not the shell's next request
    assert.deepEqual(await shells.run('c', ['cat']), { exitCode: 0, stdout: '', stderr: '' });
    assert.equal((await shells.run('c', ['no-such-command-here']))!.exitCode, 127);
  } finally {
    shells.close();
  }
});

test('commands queue up to a few shells per container, and each gets its own answer', async () => {
  const opened: string[][] = [];
  const shells = new NodeShells(localOpen(opened), 2);
  try {
    const rs = await Promise.all(Array.from({ length: 7 }, (_, i) => shells.run('c', ['sh', '-c', `sleep 0.0${i}; echo ${i}`])));
    assert.deepEqual(rs.map((r) => r!.stdout), ['0\n', '1\n', '2\n', '3\n', '4\n', '5\n', '6\n']);
    assert.equal(opened.length, 2);
    await shells.run('d', ['true']);
    assert.equal(opened.length, 3, 'another container gets its own shell');
  } finally {
    shells.close();
  }
});

test('a command that ends its shell gets what it printed and exit -1; the next one gets a new shell', async () => {
  const opened: string[][] = [];
  const shells = new NodeShells(localOpen(opened));
  try {
    const r = await shells.run('c', ['sh', '-c', 'echo bye; kill -9 $PPID']);
    assert.equal(r!.exitCode, -1);
    assert.equal(r!.stdout, 'bye\n');
    assert.match(r!.stderr, /exec session ended/);
    assert.equal((await shells.run('c', ['echo', 'again']))!.stdout, 'again\n');
    assert.equal(opened.length, 2);
  } finally {
    shells.close();
  }
});

test('without a shell in the container, or for a multi-line argument, run answers undefined (plain exec)', async () => {
  const missing = new NodeShells(localOpen([], '/no/such/sh'));
  assert.equal(await missing.run('c', ['true']), undefined);
  // a "shell" that exits at once (the container has no sh: the exec ends before the handshake)
  const exits = new NodeShells(localOpen([], 'true'));
  assert.equal(await exits.run('c', ['true']), undefined);
  assert.equal(await exits.run('c', ['true']), undefined);
  assert.equal(shellLine(['echo', 'a\nb']), undefined);
  const shells = new NodeShells(localOpen([]));
  try {
    assert.equal(await shells.run('c', ['echo', 'two\nlines']), undefined);
  } finally {
    shells.close();
  }
});

test('a command never waits behind a busy shell: every shell busy, or none free in time, means a plain exec', async () => {
  const shells = new NodeShells(localOpen([]), 1);
  try {
    assert.equal((await shells.run('c', ['true']))!.exitCode, 0, 'the one shell is open');
    const long = shells.run('c', ['sh', '-c', 'sleep 2; echo slow']);
    const t = Date.now();
    assert.equal(await shells.run('c', ['true']), undefined, 'the only shell is busy with the long command');
    assert.ok(Date.now() - t < 500, 'answered at once, not after the long command');
    assert.equal((await long)!.stdout, 'slow\n');
  } finally {
    shells.close();
  }
  // a shell slow to open: queued commands go to a plain exec after maxQueueMs
  const slowOpen: OpenExec = (c, argv, on) => new Promise((res) => setTimeout(() => void localOpen([])(c, argv, on).then(res), 1500));
  const slow = new NodeShells(slowOpen, 3, 100);
  try {
    const t = Date.now();
    assert.equal(await slow.run('c', ['true']), undefined);
    assert.ok(Date.now() - t < 1000, `gave up after ${Date.now() - t} ms`);
  } finally {
    slow.close();
  }
});
