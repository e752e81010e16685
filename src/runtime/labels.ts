/**
 * Docker labels and kernel marks that tie every created resource to its lab, so that
 * `lab destroy` works from labels alone (even when the topology file is gone).
 */
export const LABEL_LAB = 'kindlab.lab';
export const LABEL_NODE = 'kindlab.node';
export const LABEL_KIND = 'kindlab.kind';
export const LABEL_LABDIR = 'kindlab.labdir';
export const LABEL_TOPO = 'kindlab.topo';
/** On a pod's containers (sandbox and real-image containers): the node container whose node daemon runs them (cluster/node/real-pod-plan.ts sets it). */
export const LABEL_POD_OF = 'kindlab.pod-of';

/** Interface alias prefix marking veth ends we created: `kindlab:<lab>:<link>`. */
export const LINK_MARK_PREFIX = 'kindlab:';

export function labLabels(lab: string, labDir: string, topo: string): Record<string, string> {
  return { [LABEL_LAB]: lab, [LABEL_LABDIR]: labDir, [LABEL_TOPO]: topo };
}

export function linkMarkPrefix(lab: string): string {
  return `${LINK_MARK_PREFIX}${lab}:`;
}

/** The alias set on both ends of one veth pair; identifies the link, not the end. */
export function linkMark(lab: string, a: { node: string; iface: string }, z: { node: string; iface: string }): string {
  return `${linkMarkPrefix(lab)}${a.node}:${a.iface}--${z.node}:${z.iface}`;
}
