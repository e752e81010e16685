/** The embedded cluster as a lab sees it from the host: pod references and pod placement. */
export { labNodeOf, looksLikePodRef, looksLikeRef, parseObjectRef, parsePodRef, podExecPrefix, podPlace, type ObjectRef, type PodPlace, type PodRef } from './pods.js';
