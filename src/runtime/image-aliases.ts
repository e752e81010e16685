/**
 * Image aliases: the images the articles name (frrouting/frr, nicolaka/netshoot, nginx, ...) map onto
 * the local base image. Used as a fallback only, when an image can be neither found nor pulled or the
 * lab runs offline (see image-plan.ts). Pure code.
 */

export const BASE_REPO = 'kindlab/base';
export const BASE_IMAGE = `${BASE_REPO}:latest`;

/** Repository patterns (tag ignored, `*` wildcard) → local image. Users extend this with `images:`. */
export const DEFAULT_ALIASES: Readonly<Record<string, string>> = {
  'frrouting/frr': BASE_IMAGE,
  'quay.io/frrouting/frr': BASE_IMAGE,
  'nicolaka/netshoot': BASE_IMAGE,
  'cr7258/nettool': BASE_IMAGE,
  nginx: BASE_IMAGE,
  busybox: BASE_IMAGE,
  alpine: BASE_IMAGE,
  debian: BASE_IMAGE,
  ubuntu: BASE_IMAGE,
  'kindest/node': BASE_IMAGE,
  'osrg/gobgp': BASE_IMAGE,
  'jauderho/gobgp': BASE_IMAGE,
  'pierky/bird': BASE_IMAGE,
  'cloudnativelabs/kube-router': BASE_IMAGE,
  'kindlab/*': BASE_IMAGE,
};

/** `docker.io/library/nginx:1.25` → `nginx`; `ghcr.io/x/y:tag@sha256:..` → `ghcr.io/x/y`. */
export function repositoryOf(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (ref.startsWith(prefix)) return ref.slice(prefix.length);
  }
  return ref.startsWith('library/') ? ref.slice('library/'.length) : ref;
}

function globToRegExp(pattern: string): RegExp {
  const esc = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`);
}

/**
 * The local image to run for `image`. User aliases win over the defaults; a pattern may name a full
 * reference with tag (`nginx:1.25`) or a repository (`nginx`, `frrouting/*`). Unknown images are returned
 * unchanged (they must then exist locally).
 */
export function resolveImage(image: string, aliases: Record<string, string> = {}): string {
  return lookupAlias(image, aliases) ?? lookupAlias(image, DEFAULT_ALIASES) ?? image;
}

/** The target of `image` in one alias table, if an entry matches. */
export function lookupAlias(image: string, table: Readonly<Record<string, string>>): string | undefined {
  const repo = repositoryOf(image);
  if (table[image] !== undefined) return table[image];
  if (table[repo] !== undefined) return table[repo];
  for (const [pattern, target] of Object.entries(table)) {
    if (pattern.includes('*') && (globToRegExp(pattern).test(repo) || globToRegExp(pattern).test(image))) return target;
  }
  return undefined;
}
