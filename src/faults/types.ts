/** The data of lab faults: what a user asks for, what is recorded in the lab directory, what runs. Pure types. */

/** One end of a lab link: `node:iface`. */
export interface Endpoint {
  node: string;
  iface: string;
}

/** The same calls as the runtime's ContainerAction. */
export type NodeAction = 'stop' | 'start' | 'restart' | 'pause' | 'unpause';

/** What a `lab fault link|node|bgp …` command line asks for. */
export type FaultRequest =
  | { kind: 'link'; endpoints: Endpoint[]; action: 'down' | 'up' }
  | { kind: 'link'; endpoints: Endpoint[]; action: 'flap'; periodMs: number; count?: number }
  | { kind: 'link'; endpoints: Endpoint[]; action: 'loss'; percent: number }
  | { kind: 'node'; node: string; action: NodeAction }
  | { kind: 'bgp'; node: string; peer?: string }
  | { kind: 'agent'; node: string; action: AgentAction };

/**
 * The BGP agent of a k8s node (lab-agent k8s, hosted in the node daemon's process): `kill` is a hard crash
 * (as SIGKILL: sessions dropped without NOTIFICATION), `restart` a planned one (as SIGTERM); in both the
 * node daemon starts the next run 1 s later. `stop` keeps it down (its marker removed) until `start` or
 * `lab fault clear`. oldPid/newPid are from builds that ran the agent as its own process.
 */
export type AgentAction = 'kill' | 'restart' | 'stop' | 'start';

/**
 * A fault as recorded in `<labDir>/faults.json`. The persistent ones (link down, flap, loss,
 * node stop/pause) are undone by `lab fault clear`; the events (restart, BGP reset) undo themselves
 * and are kept only so `lab fault list` shows what was done.
 */
export type Fault =
  | {
      type: 'link-down';
      endpoints: Endpoint[];
      /**
       * The routes through each end before it went down (`ip -o [-6] route show dev IFACE`): setting a
       * link down flushes them, a pulled cable would not, so clearing the fault puts them back.
       */
      routes?: Array<{ node: string; iface: string; family: 4 | 6; routes: string[] }>;
    }
  | { type: 'link-flap'; endpoints: Endpoint[]; periodMs: number; count?: number; pid: number }
  | { type: 'link-loss'; endpoints: Endpoint[]; percent: number }
  | { type: 'node-stop'; node: string }
  | { type: 'node-pause'; node: string }
  | { type: 'node-restart'; node: string }
  | { type: 'bgp-reset'; node: string; peer?: string }
  /** An agent killed or restarted (an event): the supervisor's new agent, when it was seen. */
  | { type: 'agent-kill' | 'agent-restart'; node: string; oldPid?: number; newPid?: number; oldRun?: number; newRun?: number; restartMs?: number }
  | { type: 'agent-stop'; node: string };

export interface FaultEntry {
  id: number;
  /** ISO time it was applied. */
  at: string;
  fault: Fault;
}

/** `<labDir>/faults.json`. */
export interface FaultFile {
  version: 1;
  lab: string;
  nextId: number;
  faults: FaultEntry[];
}

/**
 * One action of a fault or of its undo. `netns`: a host binary run inside the node's network
 * namespace (so node images need no ip/iptables); `docker`: a container lifecycle call;
 * `container`: a command run inside the node's container (vtysh). `tolerate`: stderr that means
 * "already so" (an undo that finds nothing to undo).
 */
export type Step =
  | { in: 'netns'; node: string; argv: string[]; tolerate?: RegExp }
  | { in: 'docker'; node: string; action: NodeAction }
  | { in: 'container'; node: string; argv: string[]; hint?: string };

/** The nodes and links of a deployed lab, as its lab directory records them. */
export interface LabView {
  lab: string;
  labDir: string;
  nodes: Array<{ name: string; container: string; kind: string }>;
  links: Array<[Endpoint, Endpoint]>;
}
