import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action, DeployContext } from './deploy-steps.js';
import { EarlyStart } from './early-start.js';

const ctx = {} as DeployContext;
const action = (title: string, log: string[], opts: { fail?: boolean; gate?: Promise<void> } = {}): Action => ({
  title,
  besideNodes: true,
  async run(_c, progress) {
    log.push(`${title} begins`);
    await opts.gate;
    progress(`${title} said`);
    if (opts.fail) throw new Error(`${title} failed`);
    log.push(`${title} ends`);
  },
});

test('started early: the actions run in order in the background; each step waits for its run and tells what it said', async () => {
  const log: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const [a, b] = [action('api', log, { gate }), action('daemons', log)];
  const early = new EarlyStart([a, b]);
  early.start(ctx);
  early.start(ctx); // once
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['api begins'], 'the second waits for the first');
  open();
  const said: string[] = [];
  await early.step(a).run(ctx, (m) => said.push(m));
  await early.step(b).run(ctx, (m) => said.push(m));
  assert.deepEqual(log, ['api begins', 'api ends', 'daemons begins', 'daemons ends']);
  assert.deepEqual(said, ['api said', '(ran beside the Nodes step)', 'daemons said', '(ran beside the Nodes step)']);
});

test('not started: a step runs its action itself, as before', async () => {
  const log: string[] = [];
  const a = action('api', log);
  const early = new EarlyStart([a]);
  assert.equal(early.started, false);
  const said: string[] = [];
  await early.step(a).run(ctx, (m) => said.push(m));
  assert.deepEqual([log, said], [['api begins', 'api ends'], ['api said']]);
});

test('a failed early run fails its own step (and the ones after it), never as an unhandled rejection', async () => {
  const log: string[] = [];
  const [a, b] = [action('api', log, { fail: true }), action('daemons', log)];
  const early = new EarlyStart([a, b]);
  early.start(ctx);
  await early.settled();
  await assert.rejects(early.step(a).run(ctx, () => undefined), /api failed/);
  await assert.rejects(early.step(b).run(ctx, () => undefined), /api failed/);
  assert.deepEqual(log, ['api begins']);
});

test('stop(): a run waiting in its poll stops at its next turn, and the actions after it never start', async () => {
  const log: string[] = [];
  const waiting: Action = {
    title: 'ready',
    async run(c) {
      log.push('ready polls');
      for (;;) {
        c.signal?.throwIfAborted();
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  const early = new EarlyStart([waiting, action('agents', log)]);
  const c = {} as DeployContext;
  early.start(c);
  await new Promise((r) => setTimeout(r, 30));
  early.stop();
  await early.settled();
  assert.deepEqual(log, ['ready polls']);
  await assert.rejects(early.step(waiting).run(c, () => undefined), /the deploy failed/);
});
