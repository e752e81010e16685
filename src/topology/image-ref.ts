/**
 * Image references and sysctl keys checked at the edge, so a hostile or mistyped value is refused
 * with its position instead of by Docker or runc at deploy time.
 */

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

/** Why `ref` is not an image reference, or undefined when it is one. */
export function imageRefProblem(ref: string): string | undefined {
  if (ref.length > 255 + 128 + 80) return `image reference is ${ref.length} characters long`;
  if (REFERENCE.test(ref)) return undefined;
  const bad = /[^A-Za-z0-9._\-/:@[\]]/.exec(ref);
  if (bad) return `image "${ref}" is not an image reference: character ${JSON.stringify(bad[0])} is not allowed (expected [registry/]name[:tag][@digest])`;
  return `image "${ref}" is not an image reference (expected [registry/]name[:tag][@digest], lower-case name)`;
}

// The sysctls a container may set in its own namespaces (Docker's validation): net.*, the IPC
// namespace's kernel.msg*/kernel.sem/kernel.shm*/fs.mqueue.*, and kernel.domainname/hostname (UTS).
const NAMESPACED = /^(?:net\.|kernel\.(?:msg|sem$|shm|domainname$|hostname$)|fs\.mqueue\.)/;
const KEY = /^[A-Za-z0-9_]+(?:[./][A-Za-z0-9_-]+)+$/;

/** Why `key` cannot be set in a container's namespaces, or undefined when it can. */
export function sysctlKeyProblem(key: string): string | undefined {
  if (!KEY.test(key) || key.split(/[./]/).includes('..')) return `sysctl key "${key}" is not a sysctl name (dot-separated words such as net.ipv4.ip_forward)`;
  const dotted = key.replace(/\//g, '.');
  if (!NAMESPACED.test(dotted)) return `sysctl ${dotted} is not namespaced: a container can set only net.*, kernel.msg*/sem/shm*, kernel.domainname/hostname and fs.mqueue.*`;
  return undefined;
}
