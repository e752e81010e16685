/** Where the agent's admin API listens unless told otherwise. */
export const DEFAULT_ADMIN = '127.0.0.1:50052';

/** "127.0.0.1:50052", "[::1]:50052" → TCP; anything else (e.g. /run/lab-agent.sock) → a unix socket path. */
export type AdminAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export function parseAdminAddress(s: string): AdminAddress {
  const m = /^(?:\[([^\]]+)\]|([^/:[\]]*)):(\d+)$/.exec(s);
  if (m) return { kind: 'tcp', host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
  return { kind: 'unix', path: s };
}
