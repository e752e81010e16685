/**
 * `linux`: a plain container, containerlab semantics. Nothing beyond the common steps:
 * its `exec:` lines run (split like a shell, no shell) after all its links are up.
 */
import type { NodeKind } from './types.js';

export const linuxKind: NodeKind = {
  name: 'linux',
};
