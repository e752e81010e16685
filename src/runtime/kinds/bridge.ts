/**
 * `bridge`: an L2 switch. Realized inside a small container's network namespace (not on the
 * host): a Linux bridge `br0`, VLAN filtering off, and every link endpoint of this node
 * enslaved to it as it arrives. VLAN filtering stays off (the kernel default; setting it
 * explicitly fails on kernels built without CONFIG_BRIDGE_VLAN_FILTERING).
 */
import { ip, ipBatch } from '../netns.js';
import type { NodeKind } from './types.js';

export const BRIDGE_NAME = 'br0';

export const bridgeKind: NodeKind = {
  name: 'bridge',
  containerOptions(node, opts) {
    // A switch needs no management address: keep it off the mgmt network unless asked.
    return { ...opts, Cmd: opts.Cmd ?? ['sleep', 'infinity'] };
  },
  async afterCreate(node, ctx) {
    const pid = await ctx.netnsPid(node);
    await ipBatch(
      pid,
      [`link add name ${BRIDGE_NAME} type bridge stp_state 0 forward_delay 0`, `link set dev ${BRIDGE_NAME} up`],
      node.name,
    ).catch(async (e) => {
      // Repeat deploys find the bridge already there.
      const out = await ip(pid, ['-o', 'link', 'show', 'dev', BRIDGE_NAME], node.name).catch(() => '');
      if (!out) throw e;
    });
  },
  async onEndpoint(node, iface, ctx) {
    await ip(await ctx.netnsPid(node), ['link', 'set', 'dev', iface, 'master', BRIDGE_NAME], node.name);
  },
};
