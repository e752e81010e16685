/**
 * Docker 20.10 sometimes refuses to remove a network with "has active endpoints" although no
 * container uses it any more: its store kept endpoints of containers already gone. Destroy then
 * force-disconnects the endpoints NetworkInspect still lists (`docker network disconnect -f`) and
 * tries again; when that is not enough only a restart of that dockerd clears the store, and the
 * user is told exactly what is left and how to clear it. The words here are pure.
 */
import { KindlabError } from '../errors.js';

/** One endpoint Docker still lists on a network (NetworkInspect's Containers). */
export interface StaleEndpoint {
  /** The key NetworkInspect gives it: a container id, or `ep-…` for an endpoint whose container is gone. */
  id: string;
  name: string;
}

/** Docker's refusal to remove a network that still has endpoints. */
export function isActiveEndpoints(e: unknown): boolean {
  const text = (e as { json?: { message?: string } })?.json?.message ?? (e instanceof Error ? e.message : String(e));
  return /has active endpoints/i.test(text);
}

/** The endpoints of a NetworkInspect answer (`Containers`). Pure. */
export function staleEndpointsOf(inspect: { Containers?: Record<string, { Name?: string }> | null }): StaleEndpoint[] {
  return Object.entries(inspect.Containers ?? {}).map(([id, c]) => ({ id, name: c.Name ?? id }));
}

/** What destroy says when a network stays: the network, where, what Docker still holds, what was tried, and how to clear it. Pure. */
export function staleEndpointsMessage(o: { network: string; host?: string; lab: string; endpoints: StaleEndpoint[]; disconnected: string[] }): { reason: string; hint: string } {
  const where = o.host ? ` on host ${o.host}` : '';
  const listed = o.endpoints.map((e) => (e.name === e.id ? e.id.slice(0, 12) : `${e.name} (${e.id.slice(0, 12)})`));
  const holds = o.endpoints.length
    ? `Docker still counts ${o.endpoints.length} endpoint${o.endpoints.length === 1 ? '' : 's'} on it (${listed.join(', ')})`
    : 'Docker says it has active endpoints but lists none';
  const tried = o.disconnected.length ? `; docker network disconnect -f of ${o.disconnected.join(', ')} did not clear them` : '';
  return {
    reason: `network ${o.network}${where} was not removed: ${holds} although no container of lab ${o.lab} is left${tried}. This is a stale endpoint in dockerd's store (seen with Docker 20.10)`,
    hint: `restart that dockerd (on its machine${o.host ? ` ${o.host}` : ''}: sudo systemctl restart docker), then run: lab destroy --name ${o.lab} --cleanup (only this network is left of the lab${where})`,
  };
}

/** A network Docker would not remove even after the force-disconnects (thrown by removeNetwork). */
export class StaleEndpointsError extends KindlabError {
  /** The engine's host, in a lab over several (set by EngineRuntime). */
  host?: string;
  constructor(
    readonly network: string,
    readonly endpoints: StaleEndpoint[],
    readonly disconnected: string[],
    cause: unknown,
  ) {
    super('RUNTIME_DOCKER', `remove network ${network}: it still has active endpoints${endpoints.length ? ` (${endpoints.map((e) => e.name).join(', ')})` : ''}`, { cause, hint: 'restart dockerd, then destroy again' });
  }
}
