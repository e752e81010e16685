import YAML from 'yaml';
import { ApiError, badRequest } from '../store/errors.js';
import type { K8sObject } from '../store/types.js';
import { applyJsonPatch } from './patch/json-patch.js';
import { applyMergePatch } from './patch/merge-patch.js';
import { applyStrategicMergePatch } from './patch/strategic-merge.js';
import { errorMessage } from '../../errors.js';

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

export function patchKind(contentType: string | undefined, builtin: boolean): PatchKind {
  const ct = (contentType ?? '').split(';')[0]!.trim();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      if (!builtin) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
}

/** Applies a PATCH body to `current` (may be undefined for server-side apply creating). */
export function applyPatch(kind: PatchKind, current: unknown, text: string): K8sObject {
  let patch: unknown;
  try {
    patch = kind === 'apply' ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding patch: ${errorMessage(e)}`);
  }
  if (kind !== 'json' && (!patch || typeof patch !== 'object' || Array.isArray(patch))) throw badRequest('error decoding patch: patch must be a JSON object');
  let out: unknown;
  if (kind === 'json') out = applyJsonPatch(current, patch);
  else if (kind === 'strategic') out = applyStrategicMergePatch(current, patch);
  else out = applyMergePatch(current ?? {}, patch);
  if (!out || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch produced something that is not an object');
  const o = out as K8sObject;
  if (o.metadata !== undefined && (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata))) throw badRequest('metadata must be an object');
  o.metadata ??= {};
  return o;
}
