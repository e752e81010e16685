/** FRR's /etc/frr/daemons file: which daemons watchfrr starts, each bound to loopback. Pure. */
export const FRR_DAEMONS = ['bgpd', 'ospfd', 'ospf6d', 'ripd', 'ripngd', 'isisd', 'pimd', 'pim6d', 'ldpd', 'nhrpd', 'eigrpd', 'babeld', 'sharpd', 'pbrd', 'bfdd', 'fabricd', 'vrrpd', 'pathd'];
export const DEFAULT_FRR_DAEMONS = ['bgpd', 'bfdd', 'vrrpd', 'ospfd', 'ospf6d'];

/** The content of /etc/frr/daemons enabling `enabled`. Pure. */
export function renderDaemons(enabled: readonly string[]): string {
  const v6 = new Set(['ospf6d', 'ripngd', 'pim6d']);
  const lines = FRR_DAEMONS.map((d) => `${d}=${enabled.includes(d) ? 'yes' : 'no'}`);
  lines.push('vtysh_enable=yes', 'zebra_options="-A 127.0.0.1 -s 90000000"', 'staticd_options="-A 127.0.0.1"');
  for (const d of FRR_DAEMONS) lines.push(`${d}_options="-A ${v6.has(d) ? '::1' : '127.0.0.1'}"`);
  return lines.join('\n') + '\n';
}

