/**
 * Which image each node runs, as containerlab and Docker users expect (pure code):
 *   - `images:` entries the user wrote are applied first (the user asked for them);
 *   - `image-pull-policy` (IfNotPresent by default, Always, Never) decides local use vs pull;
 *   - the article-image aliases (DEFAULT_ALIASES) are only a fallback when an image can be neither
 *     found nor pulled, or when the lab runs offline (`--offline` / `images: { offline: true }`).
 * Every substitution is described so deploy can say it and inspect can show it.
 */
import { BASE_IMAGE, BASE_REPO, DEFAULT_ALIASES, lookupAlias, repositoryOf } from './image-aliases.js';

export type PullPolicy = 'IfNotPresent' | 'Always' | 'Never';

/** The `images:` section: user aliases and the offline switch. */
export interface ImageSettings {
  aliases: Record<string, string>;
  offline: boolean;
}

export function imageSettings(section: unknown, offlineFlag = false): ImageSettings {
  const aliases: Record<string, string> = {};
  let offline = offlineFlag;
  if (section && typeof section === 'object') {
    for (const [k, v] of Object.entries(section as Record<string, unknown>)) {
      if (k === 'offline' && typeof v === 'boolean') offline ||= v;
      else if (typeof v === 'string') aliases[k] = v;
    }
  }
  return { aliases, offline };
}

/** The first step for one requested image, before looking at the engine. */
export type ImageStep =
  /** Our own image (kindlab/*): built locally when missing, never pulled. */
  | { type: 'base'; image: string }
  /** A user `images:` alias: run `image` instead. */
  | { type: 'alias'; image: string }
  /** Use what is local; pull when missing (IfNotPresent) or always (Always); never pull (Never). */
  | { type: 'policy'; policy: PullPolicy; offline: boolean };

export function firstStep(requested: string, policy: PullPolicy | undefined, settings: ImageSettings): ImageStep {
  const repo = repositoryOf(requested);
  if (repo.startsWith('kindlab/')) return { type: 'base', image: repo === BASE_REPO ? withDefaultTag(requested) : BASE_IMAGE };
  const user = lookupAlias(requested, settings.aliases);
  if (user !== undefined && user !== requested) return { type: 'alias', image: user };
  return { type: 'policy', policy: policy ?? 'IfNotPresent', offline: settings.offline };
}

/** The fallback image for `requested` from the built-in article aliases, if any. */
export function fallbackImage(requested: string): string | undefined {
  return lookupAlias(requested, DEFAULT_ALIASES);
}

/** Registry host of a reference, as Docker reads it (`nginx` → docker.io, `127.0.0.1:5000/x` → 127.0.0.1:5000). */
export function registryHost(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = ref.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'index.docker.io' ? 'docker.io' : first;
  return 'docker.io';
}

/** `nginx` → `nginx:latest`; a tag or digest stays. What Docker pulls when no tag is given. */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref : `${ref}:latest`;
}

/** How a node's image was settled; `substitute` is set when it runs something other than it asked for. */
export interface ImageResolution {
  requested: string;
  /** The image the container is created from. */
  image: string;
  pulled?: boolean;
  substitute?: ImageSubstitute;
}

export interface ImageSubstitute {
  /** The image the topology names. */
  for: string;
  /** The image that runs instead. */
  image: string;
  /** Short description, e.g. `kindlab/base (FRR 8.4.4)`. */
  description: string;
  /** Why: `offline`, `images: alias`, or the pull failure. */
  reason: string;
}

/** `frrouting/frr:v8.2.2 → kindlab/base (FRR 8.4.4)` */
export function substitutionLine(s: ImageSubstitute): string {
  return `${s.for} → ${s.description}`;
}

/** Container labels recording a substitution, so `lab inspect` shows it without the topology file. */
export const LABEL_IMAGE_REQUESTED = 'kindlab.image.requested';
export const LABEL_IMAGE_SUBSTITUTE = 'kindlab.image.substitute';
export const LABEL_IMAGE_REASON = 'kindlab.image.substitute-reason';

export function imageLabels(r: ImageResolution): Record<string, string> {
  if (!r.substitute) return { [LABEL_IMAGE_REQUESTED]: r.requested };
  return {
    [LABEL_IMAGE_REQUESTED]: r.requested,
    [LABEL_IMAGE_SUBSTITUTE]: r.substitute.description,
    [LABEL_IMAGE_REASON]: r.substitute.reason,
  };
}

/** The substitution recorded in a container's labels, if any. */
export function substituteFromLabels(labels: Record<string, string>, image: string): ImageSubstitute | undefined {
  const requested = labels[LABEL_IMAGE_REQUESTED];
  const description = labels[LABEL_IMAGE_SUBSTITUTE];
  if (!requested || !description) return undefined;
  return { for: requested, image, description, reason: labels[LABEL_IMAGE_REASON] ?? '' };
}
