/** `lab-agent run --config FILE`: the speaker standalone, admin API, JSON logs; SIGTERM → graceful stop. */
import { createSpeaker } from '../bgp/index.js';
import { createLogger } from '../bgp/index.js';
import { loadAgentConfig } from './config.js';
import { startAdminServer } from './admin-server.js';
import { BfdLink } from './bfd-link.js';

export async function runAgent(opts: { config: string; admin?: string; restarting?: boolean }): Promise<void> {
  const cfg = await loadAgentConfig(opts.config);
  const log = createLogger({ level: cfg.logLevel });
  const speaker = createSpeaker(cfg.speaker, { log, restarting: opts.restarting });
  for (const o of cfg.originate) speaker.originate(o.prefix, o.attrs);
  await speaker.start();
  const bfd = new BfdLink(() => speaker, { log });
  await bfd.sync(cfg.bfd);
  const admin = opts.admin ?? cfg.admin;
  const server = await startAdminServer(speaker, admin, Date.now(), { bfd });
  log.info('agent started', { asn: cfg.speaker.asn, routerId: cfg.speaker.routerId, admin, neighbors: cfg.speaker.neighbors.length });
  let stopping = false;
  const stop = (signal: string, graceful: boolean) => {
    if (stopping) return;
    stopping = true;
    log.info('agent stopping', { signal, graceful });
    // BFD first (AdminDown to the peers, RFC 5882 §3.2), so that they do not take our stop for a path failure.
    void bfd.close().then(() => speaker.stop({ graceful })).finally(() => {
      server.close();
      setTimeout(() => process.exit(0), 200).unref();
    });
  };
  // SIGTERM is a planned stop: graceful restart (no Cease, peers keep our routes). SIGINT sends Cease.
  process.on('SIGTERM', () => stop('SIGTERM', true));
  process.on('SIGINT', () => stop('SIGINT', false));
}
