import { KindlabError } from '../../errors.js';
import type { Status } from './types.js';

/**
 * A failed API call. The one-line message is the server's `status.message` (what kubectl
 * prints); `statusCode` and `reason` are the HTTP code and the Status reason
 * (`NotFound`, `Conflict`, `Expired`…).
 */
export class KubeApiError extends KindlabError {
  readonly statusCode: number;
  readonly reason: string;
  readonly status: Status | undefined;

  constructor(statusCode: number, status: Status | undefined, request: string, bodyText?: string) {
    const reason = status?.reason ?? (statusCode === 0 ? 'ConnectionFailed' : `HTTP${statusCode}`);
    const msg = status?.message ?? (bodyText?.trim().slice(0, 200) || `HTTP ${statusCode}`);
    super('K8S_API', `${request}: ${msg}`, { detail: statusCode ? `HTTP ${statusCode} ${reason}` : undefined });
    this.statusCode = statusCode;
    this.reason = reason;
    this.status = status;
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }
  get conflict(): boolean {
    return this.statusCode === 409;
  }
  /** The resourceVersion a watch or list asked for is gone: relist. */
  get gone(): boolean {
    return this.statusCode === 410 || this.reason === 'Expired' || this.reason === 'Gone';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof KubeApiError && e.notFound;
}

export function isConflict(e: unknown): boolean {
  return e instanceof KubeApiError && e.conflict;
}
