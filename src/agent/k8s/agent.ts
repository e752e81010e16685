/**
 * `lab-agent k8s`: the node BGP agent on a Kubernetes cluster. Watches the cluster, recomputes the AgentIntent
 * with the dialect's pure function (debounced), and applies the difference to the running BgpSpeaker:
 * originate/withdraw without session resets, neighbors added/removed/reset only when their parameters change.
 * kube-router mode also installs learned best routes into the kernel FIB.
 */
import type http from 'node:http';
import { KubeClient, LEASES, SERVICES, isConflict, isNotFound, loadKubeconfig, type Lease } from '../../cluster/client/index.js';
import { BgpSpeaker } from '../../bgp/index.js';
import { Rib } from '../../bgp/index.js';
import type { Logger } from '../../bgp/index.js';
import { startAdminServer } from '../admin-server.js';
import { bindDialect, detectDialect, DIALECT_MODULES, type BoundDialect } from '../dialects/index.js';
import type { AgentIntent, ClusterView, DialectName } from '../dialects/types.js';
import { FibInstaller } from '../fib/installer.js';
import { bfdPeers, planIsEmpty, planReconcile } from './reconcile.js';
import { BfdLink } from '../bfd-link.js';
import { markerValid, takeRestartMarker, writeRestartMarker } from './restart-marker.js';
import { ClusterWatch } from './watch.js';
import { EventRecorder, problemEvent, sessionEvent } from './events.js';
import { errorMessage } from '../../errors.js';

export interface K8sAgentOptions {
  node: string;
  kubeconfig?: string;
  dialect?: DialectName;
  /** The dialect's own flags (kube-router / kube-ovn style), passed through. */
  dialectArgs: string[];
  admin: string;
  /** BGP listen address; port 0 = do not listen. */
  listen: { address: string; port: number };
  log: Logger;
  debounceMs?: number;
  /** Install routes into this netns instead of the agent's own (tests); `false` disables the FIB. */
  fibNetns?: string | false;
  /** Planned-restart marker file (restart-marker.ts): written on a graceful stop, read at start. */
  restartMarker?: string;
}

export class K8sAgent {
  private readonly client: KubeClient;
  private watch!: ClusterWatch;
  private dialect: BoundDialect | undefined;
  private speaker: BgpSpeaker | undefined;
  private admin: http.Server | undefined;
  private fib: FibInstaller | undefined;
  private intent: AgentIntent | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the last debounced recompute fired (ms since epoch). */
  private lastFired = 0;
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly started = Date.now();
  /** Problems already logged (each is logged once while it persists). */
  private problems = new Set<string>();
  /** This run follows a planned restart (valid marker): R/F bits, kernel routes kept until End-of-RIB. */
  private restarting = false;
  private releaseTimer: NodeJS.Timeout | undefined;
  /** BFD sessions of the peers that ask for them; a BFD Up → Down tears the BGP session down. */
  private readonly bfd: BfdLink;
  /** Kubernetes Events on this node: sessions up/down, configuration problems. */
  private readonly events: EventRecorder;
  recomputes = 0;

  constructor(private readonly o: K8sAgentOptions) {
    this.client = new KubeClient(loadKubeconfig(o.kubeconfig), { userAgent: `lab-agent/${o.node}` });
    if (o.dialect) this.dialect = bindDialect(o.dialect, o.dialectArgs);
    this.bfd = new BfdLink(() => this.speaker, { log: o.log });
    this.events = new EventRecorder(this.client, o.node, o.log);
  }

  get currentIntent(): AgentIntent | undefined {
    return this.intent;
  }

  get bgp(): BgpSpeaker | undefined {
    return this.speaker;
  }

  async start(): Promise<void> {
    if (this.o.restartMarker) {
      const m = takeRestartMarker(this.o.restartMarker);
      this.restarting = markerValid(m, Date.now());
      if (m) this.o.log.info(this.restarting ? 'graceful restart: restarting speaker (forwarding preserved)' : 'restart marker too old: cold start', { ...m });
    }
    const kinds = this.dialect ? this.dialect.kinds : Object.values(DIALECT_MODULES).flatMap((d) => d.kinds);
    this.watch = new ClusterWatch(this.client, kinds, this.o.log, () => this.schedule());
    await this.watch.start();
    await this.recompute();
  }

  private schedule(): void {
    this.o.log.debug('cluster change');
    if (this.stopped || this.timer) return;
    // Adaptive: the first change after a quiet debounce window goes at once (a 0 ms timer still joins the events of
    // the same read); changes within the window of the last recompute wait for its end, so a burst costs one recompute.
    const wait = Math.max(0, (this.o.debounceMs ?? 20) - (Date.now() - this.lastFired));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFired = Date.now();
      void this.recompute();
    }, wait);
  }

  /** Serialised: one apply at a time, always from the latest view. */
  private recompute(): Promise<void> {
    this.applying = this.applying.then(() => this.applyLatest()).catch((e: unknown) => this.o.log.error('reconcile failed', { reason: errorMessage(e) }));
    return this.applying;
  }

  private pickDialect(view: ClusterView): BoundDialect | undefined {
    if (this.dialect) return this.dialect;
    const name = detectDialect(view, this.o.dialectArgs);
    if (!name) return undefined;
    this.o.log.info('dialect detected', { dialect: name });
    this.dialect = bindDialect(name, this.o.dialectArgs);
    return this.dialect;
  }

  private async applyLatest(): Promise<void> {
    if (this.stopped) return;
    this.recomputes++;
    const view = this.watch.view();
    const d = this.pickDialect(view);
    if (!d) return;
    const next = d.intent(view, this.o.node);
    this.logProblems(next);
    if (next.lbStatus?.length) await this.writeLbStatus(next.lbStatus);
    const plan = planReconcile(this.intent, next);
    await this.bfd.sync(next.localAsn !== 0 ? bfdPeers(next) : []);
    if (planIsEmpty(plan)) return;
    if (plan.newSpeaker) await this.replaceSpeaker(next);
    const sp = this.speaker!;
    for (const addr of plan.removeNeighbors) sp.removeNeighbor(addr);
    for (const c of plan.changeNeighbors) sp.updateNeighbor(c);
    for (const c of plan.addNeighbors) sp.addNeighbor(c);
    for (const p of plan.withdraw) sp.withdraw(p);
    for (const { prefix, attrs } of plan.originate) sp.originate(prefix, attrs);
    this.fib?.setLocalPrefixes(next.advertise.map((a) => a.prefix));
    this.intent = next;
    this.o.log.info('intent applied', {
      dialect: next.dialect, asn: next.localAsn, peers: next.peers.length, prefixes: next.advertise.length,
      added: plan.addNeighbors.map((n) => n.name), changed: plan.changeNeighbors.map((n) => n.name), removed: plan.removeNeighbors,
      originated: plan.originate.map((x) => x.prefix), withdrawn: plan.withdraw,
    });
  }

  /**
   * kube-router's allocator runs on one node at a time: the holder of the kube-system/kube-router-lballoc Lease
   * (kube-router's own lease name). Taken when absent or expired (15 s without renewal), renewed on every write;
   * a lost race (conflict, already exists) means another node leads.
   */
  private async holdsLbLease(): Promise<boolean> {
    const now = new Date();
    const micro = now.toISOString().replace(/Z$/, '000Z');
    const me = this.o.node;
    try {
      let cur: Lease | undefined;
      try {
        cur = await this.client.get(LEASES, 'kube-router-lballoc', 'kube-system');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (!cur) {
        await this.client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-router-lballoc', namespace: 'kube-system' }, spec: { holderIdentity: me, leaseDurationSeconds: 15, acquireTime: micro, renewTime: micro } });
        return true;
      }
      const sp = cur.spec ?? {};
      const expired = !sp.renewTime || Date.parse(sp.renewTime) + (sp.leaseDurationSeconds ?? 15) * 1000 < now.getTime();
      if (sp.holderIdentity !== me && !expired) return false;
      await this.client.update(LEASES, { ...cur, spec: { ...sp, holderIdentity: me, leaseDurationSeconds: 15, renewTime: micro, ...(sp.holderIdentity !== me ? { acquireTime: micro } : {}) } });
      return true;
    } catch (e) {
      if (!isConflict(e) && !/already exists/i.test(errorMessage(e))) this.o.log.warn('kube-router-lballoc lease', { reason: errorMessage(e) });
      return false;
    }
  }

  /** LoadBalancer addresses the dialect allocates (kube-router --run-loadbalancer): into each Service's status, by the lease holder. */
  private async writeLbStatus(list: NonNullable<AgentIntent['lbStatus']>): Promise<void> {
    if (!(await this.holdsLbLease())) return;
    for (const { namespace, name, ips } of list) {
      try {
        await this.client.patchStatus(SERVICES, name, { status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' })) } } }, { namespace, type: 'merge' });
        this.o.log.info('loadbalancer address assigned', { service: `${namespace}/${name}`, ips });
      } catch (e) {
        this.o.log.warn('loadbalancer address not written', { service: `${namespace}/${name}`, reason: errorMessage(e) });
      }
    }
  }

  private logProblems(i: AgentIntent): void {
    const now = new Set(i.problems);
    for (const p of now) {
      if (this.problems.has(p)) continue;
      this.o.log.warn('configuration problem', { dialect: i.dialect, node: i.node, reason: p });
      this.events.record(problemEvent(p));
    }
    this.problems = now;
  }

  /** A new local ASN / router id: stop the old speaker (Cease), start a fresh one with its own RIB. */
  private async replaceSpeaker(next: AgentIntent): Promise<void> {
    await this.speaker?.stop();
    await this.fib?.stop();
    this.fib = undefined;
    await this.closeAdmin();
    const active = next.localAsn !== 0;
    const routerId = next.routerId || '0.0.0.0';
    const rib = new Rib({ localAsn: next.localAsn, routerId, multipath: next.installRoutes ? 8 : 1 });
    // Only the first speaker of a run that follows a planned restart is a restarting speaker.
    const restarting = this.restarting && active;
    this.restarting = false;
    this.speaker = new BgpSpeaker(
      { asn: next.localAsn, routerId, listen: active ? this.o.listen : { address: this.o.listen.address, port: 0 }, neighbors: [], multipath: next.installRoutes ? 8 : 1 },
      { rib, log: this.o.log.child({ asn: next.localAsn }), restarting },
    );
    this.speaker.on('state', (peer: string, state: string, from: string, reason: string) => {
      this.o.log.info(state === 'Established' ? 'Peer Up' : 'Peer state', { peer, state, from, reason });
      const ev = sessionEvent(peer, state, from, reason);
      if (ev) this.events.record(ev);
    });
    await this.speaker.start();
    if (next.installRoutes && this.o.fibNetns !== false) {
      this.fib = new FibInstaller({ log: this.o.log, ...(this.o.fibNetns ? { netns: this.o.fibNetns } : {}) });
      await this.fib.attach(rib, { keep: restarting });
      if (restarting) this.releaseAfterEndOfRib(next);
    }
    this.admin = await startAdminServer(this.speaker, this.o.admin, this.started, { bfd: this.bfd });
    this.intent = undefined;
  }

  /** Kernel routes kept over the restart go once every peer sent End-of-RIB, at the latest after the restart time. */
  private releaseAfterEndOfRib(next: AgentIntent): void {
    const fib = this.fib!;
    const waiting = new Set(next.peers.map((p) => p.address));
    const release = (why: string) => {
      if (this.releaseTimer) clearTimeout(this.releaseTimer);
      this.releaseTimer = undefined;
      this.o.log.info('graceful restart: releasing the previous run\'s FIB routes', { reason: why });
      fib.releaseRetained();
    };
    if (waiting.size === 0) return release('no peers');
    const secs = Math.max(...next.peers.map((p) => p.gracefulRestart.restartTime), 1);
    this.releaseTimer = setTimeout(() => release('restart time passed'), secs * 1000);
    this.releaseTimer.unref();
    this.speaker!.on('end-of-rib', (peer: string) => {
      if (!waiting.delete(peer) || waiting.size > 0 || this.fib !== fib) return;
      release('End-of-RIB from every peer');
    });
  }

  private async closeAdmin(): Promise<void> {
    const a = this.admin;
    this.admin = undefined;
    if (!a) return;
    a.closeAllConnections();
    await new Promise<void>((r) => a.close(() => r()));
  }

  /**
   * A hard stop that behaves as SIGKILL does to a separate agent process: the TCP connections drop without a
   * NOTIFICATION, BFD goes silent (no AdminDown), kernel routes stay, no restart marker. For an agent hosted in
   * the node daemon's process (`lab fault agent kill`).
   */
  async kill(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.watch?.stop();
    // an apply half way through could start a speaker after this returns
    await this.applying;
    await this.bfd.close({ adminDown: false });
    // a graceful stop closes the connections without NOTIFICATION, which is what the peers see of a killed process
    await this.speaker?.stop({ graceful: true });
    await this.fib?.detach();
    await this.closeAdmin();
    this.events.drop();
    this.client.close();
  }

  /** `graceful`: planned restart, no Cease (peers keep our routes, RFC 4724); FIB routes are kept too. */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.watch?.stop();
    await this.applying;
    // BFD first: AdminDown tells the peers that this is not a path failure (RFC 5882 §3.2).
    await this.bfd.close();
    await this.speaker?.stop({ graceful: opts.graceful });
    const gr = (this.intent?.peers ?? []).filter((p) => p.gracefulRestart.enabled);
    if (opts.graceful && this.o.restartMarker && gr.length > 0) {
      writeRestartMarker(this.o.restartMarker, { stoppedAt: Date.now(), restartTime: Math.max(...gr.map((p) => p.gracefulRestart.restartTime)) });
    }
    if (!opts.graceful) await this.fib?.stop();
    await this.closeAdmin();
    await this.events.close();
    this.client.close();
  }
}
