import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfdTransition, type BfdEvent } from './fsm.js';
import type { BfdState } from './packet.js';

const recv = (remote: BfdState): BfdEvent => ({ type: 'Recv', remote });

/** [from, event, next, diag (undefined = unchanged), cause] — RFC 5880 §6.2 diagram and §6.8.6. */
const table: Array<[BfdState, BfdEvent, BfdState, number | undefined, string]> = [
  ['Down', recv('Down'), 'Init', 0, 'handshake'],
  ['Down', recv('Init'), 'Up', 0, 'handshake'],
  ['Down', recv('Up'), 'Down', undefined, 'none'],
  ['Down', recv('AdminDown'), 'Down', undefined, 'none'],
  ['Down', { type: 'DetectTimeout' }, 'Down', undefined, 'none'],
  ['Init', recv('Down'), 'Init', undefined, 'none'],
  ['Init', recv('Init'), 'Up', 0, 'handshake'],
  ['Init', recv('Up'), 'Up', 0, 'handshake'],
  ['Init', recv('AdminDown'), 'Down', 3, 'neighbor-admin-down'],
  ['Init', { type: 'DetectTimeout' }, 'Down', 1, 'detect-timeout'],
  ['Up', recv('Up'), 'Up', undefined, 'none'],
  ['Up', recv('Init'), 'Up', undefined, 'none'],
  ['Up', recv('Down'), 'Down', 3, 'neighbor-down'],
  ['Up', recv('AdminDown'), 'Down', 3, 'neighbor-admin-down'],
  ['Up', { type: 'DetectTimeout' }, 'Down', 1, 'detect-timeout'],
  ['Up', { type: 'AdminDown' }, 'AdminDown', 7, 'admin-down'],
  ['Down', { type: 'AdminDown' }, 'AdminDown', 7, 'admin-down'],
  ['AdminDown', recv('Up'), 'AdminDown', undefined, 'none'],
  ['AdminDown', recv('Down'), 'AdminDown', undefined, 'none'],
  ['AdminDown', { type: 'DetectTimeout' }, 'AdminDown', undefined, 'none'],
  ['AdminDown', { type: 'AdminUp' }, 'Down', 0, 'admin-up'],
  ['Up', { type: 'AdminUp' }, 'Up', undefined, 'none'],
];

for (const [from, e, next, diag, cause] of table) {
  test(`${from} + ${e.type}${e.type === 'Recv' ? ` ${e.remote}` : ''} → ${next}`, () => {
    const t = bfdTransition(from, e);
    assert.equal(t.next, next);
    assert.equal(t.diag, diag);
    assert.equal(t.cause, cause);
  });
}

test('three-way handshake from both sides reaches Up', () => {
  let a: BfdState = 'Down';
  let b: BfdState = 'Down';
  a = bfdTransition(a, recv(b)).next; // a hears Down → Init
  b = bfdTransition(b, recv(a)).next; // b hears Init → Up
  a = bfdTransition(a, recv(b)).next; // a hears Up → Up
  assert.deepEqual([a, b], ['Up', 'Up']);
});
