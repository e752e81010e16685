import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FRR_DAEMONS, renderDaemons } from './frr.js';

test('the daemons file enables exactly the listed daemons and vtysh', () => {
  const text = renderDaemons(DEFAULT_FRR_DAEMONS);
  for (const d of ['bgpd', 'bfdd', 'vrrpd', 'ospfd', 'ospf6d']) assert.match(text, new RegExp(`^${d}=yes$`, 'm'));
  for (const d of ['ripd', 'isisd', 'ldpd']) assert.match(text, new RegExp(`^${d}=no$`, 'm'));
  assert.match(text, /^vtysh_enable=yes$/m);
  assert.match(text, /^ospf6d_options="-A ::1"$/m);
  assert.match(text, /^bgpd_options="-A 127.0.0.1"$/m);
});
