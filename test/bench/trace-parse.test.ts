/** The benches' trace parsers, on lines as `lab deploy --timings`, KINDLAB_STAGE_TRACE and KINDLAB_VERIFY_TRACE print them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { milestonesOf, timingsOf, verifyMilestonesOf } from '../../bench/lib/trace-parse.js';

test('deploy steps and the Nodes milestones: the latest node per milestone, start left out', () => {
  assert.deepEqual(timingsOf('deploy steps (wall time):\n  Images                       0.02 s    1 %\n  Nodes                        2.36 s   59 %  ← slowest\n  total                        3.97 s\n'), new Map([['Images', 0.02], ['Nodes', 2.36]]));
  const m = milestonesOf('stage-trace 0.001 worker start\nstage-trace 0.508 worker2 created\nstage-trace 1.354 router0 created\nstage-trace 2.330 router0 exec\n');
  assert.deepEqual(m, new Map([['Nodes: last created', 1.354], ['Nodes: last exec', 2.33]]));
});

test('verify milestones, and failed attempts counted from the attempt lines', () => {
  const trace = [
    'verify-trace 0.749 verifyLab',
    'verify-trace 0.749 start',
    'verify-trace 1.379 derived 26 checks',
    'verify-trace 1.453 attempt 1 FAIL router0 has the article\'s 12 routes (74 ms): frr: 2 routes in the BGP table, expected 12',
    'verify-trace 1.720 attempt 1 pass tor0 peer 10.0.1.2 Established (1 ms): frr: 10.0.1.2 AS65010 Established 1 pfx',
    'verify-trace 2.100 attempt 2 FAIL router0 has the article\'s 12 routes (60 ms): frr: 9 routes in the BGP table, expected 12',
    'verify-trace 2.900 attempt 3 pass router0 has the article\'s 12 routes (50 ms): frr: 12 routes',
    'verify-trace 3.268 checks done',
    'verify-trace 5.474 stages done',
  ].join('\n');
  assert.deepEqual(verifyMilestonesOf(trace), new Map([
    ['verify: CLI loaded', 0.749], ['verify: checks derived', 1.379], ['verify: checks passed', 3.268], ['verify: stages done', 5.474], ['verify: failed check attempts', 2],
  ]));
  assert.deepEqual(verifyMilestonesOf('no trace here'), new Map());
});
