import { KindlabError } from '../../errors.js';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A failed API request, carrying what goes into the Kubernetes `Status` object. */
export class ApiError extends KindlabError {
  constructor(
    readonly httpCode: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super('K8S_API', message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.shortMessage,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.httpCode,
    };
  }
}

/** `pods "x" not found` etc.; `resource` is the plural (qualified with the group when not core). */
export function notFound(resource: string, name: string, group?: string): ApiError {
  return new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource.split('.')[0], ...(group ? { group } : {}) });
}

export function alreadyExists(resource: string, name: string, group?: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource.split('.')[0], ...(group ? { group } : {}) });
}

export function conflict(resource: string, name: string, group?: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, kind: resource.split('.')[0], ...(group ? { group } : {}) },
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** 422 with one cause per problem: `Pod "x" is invalid: spec.containers: Required value`. */
export function invalid(kind: string, name: string, causes: StatusCause[], group?: string): ApiError {
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const msg = `${kind} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', msg, { name, kind, ...(group ? { group } : {}), causes });
}

/** An object over etcd's request limit: etcd itself answers "request is too large". */
export function tooLarge(gr: string, key: string): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `${gr} "${key}": etcdserver: request is too large (objects are limited to 1.5 MiB)`);
}
