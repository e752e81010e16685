import { createHash } from 'node:crypto';

/**
 * A stable, locally administered MAC for an endpoint without one: `aa:c1:ab` (containerlab's
 * OUI-like prefix, also locally administered) + 3 bytes of a hash of lab/node/interface,
 * so a redeploy gives the same addresses and topology-data.json can list them up front.
 */
export function endpointMac(lab: string, node: string, iface: string): string {
  const h = createHash('sha256').update(`${lab}\0${node}\0${iface}`).digest();
  const tail = [h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, '0'));
  return ['aa', 'c1', 'ab', ...tail].join(':');
}
