import { randomBytes } from 'node:crypto';
import { ApiError, badRequest, conflict, notFound } from '../store/errors.js';
import type { ObjectStore } from '../store/store.js';
import { clone, type K8sObject } from '../store/types.js';
import { admitNode, admitService, DEFAULT_NETWORK, type ClusterNetworkConfig } from './admission.js';
import { applyDefaults } from './defaults.js';
import { apiVersionOf, GR, grOf, RESOURCES, type ResourceDef } from './resources.js';
import { validateObject } from './validate.js';

export interface WriteOptions {
  dryRun?: boolean;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  const b = randomBytes(n);
  return [...b].map((x) => NAME_ALPHABET[x % NAME_ALPHABET.length]).join('');
}

function specChanged(a: K8sObject, b: K8sObject): boolean {
  const strip = (o: K8sObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined, apiVersion: undefined });
  return strip(a) !== strip(b);
}

/**
 * The write path every client uses (HTTP handlers and in-process controllers): defaulting,
 * validation, admission (address allocation), status-subresource rules, generation, owner
 * cascade. Nothing is stored unless every step passed, so a failed request changes nothing.
 */
export class Registry {
  constructor(
    readonly store: ObjectStore,
    readonly net: ClusterNetworkConfig = DEFAULT_NETWORK,
  ) {}

  /** Object as a given served version sees it (versions of one kind share storage). */
  present(def: ResourceDef, o: K8sObject, version = def.versions[0]!): K8sObject {
    o.apiVersion = apiVersionOf(def.group, version);
    o.kind = def.kind;
    return o;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): K8sObject {
    const o = this.store.get(grOf(def), def.namespaced ? ns : undefined, name);
    if (!o) throw notFound(grOf(def), name, def.group || undefined);
    return o;
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined): void {
    if (!def.namespaced) return;
    if (!ns) throw badRequest('the namespace of the object is required');
    const n = this.store.get(GR.namespaces, undefined, ns);
    if (!n) throw notFound('namespaces', ns);
    if ((n.metadata.deletionTimestamp || (n.status as { phase?: string } | undefined)?.phase === 'Terminating'))
      throw new ApiError(403, 'Forbidden', `${def.resource} "${'?'}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
  }

  private admit(def: ResourceDef, o: K8sObject, old?: K8sObject): void {
    applyDefaults(o);
    validateObject(o, def.group);
    if (def.kind === 'Service' && !def.group) admitService(this.store, this.net, o, old);
    if (def.kind === 'Node' && !def.group && !old) admitNode(this.store, this.net, o);
  }

  create(def: ResourceDef, ns: string | undefined, body: K8sObject, opts: WriteOptions = {}): K8sObject {
    if (!body || typeof body !== 'object' || !body.metadata || typeof body.metadata !== 'object') {
      if (body && typeof body === 'object' && body.metadata === undefined) body.metadata = {};
      else throw badRequest('the body of the request was not a valid object: metadata must be an object');
    }
    if (body.kind && body.kind !== def.kind) throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version or kind (${def.kind})`);
    const o = clone(body);
    o.kind = def.kind;
    if (def.namespaced) {
      if (o.metadata.namespace && ns && o.metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      o.metadata.namespace = o.metadata.namespace || ns || 'default';
    } else delete o.metadata.namespace;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${randomSuffix()}`;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'selfLink', 'managedFields'] as const) delete o.metadata[k];
    o.metadata.generation = 1;
    this.checkNamespace(def, o.metadata.namespace);
    this.admit(def, o);
    if (opts.dryRun) return this.present(def, { ...o, metadata: { ...o.metadata, uid: 'dry-run', creationTimestamp: new Date().toISOString() } });
    return this.present(def, this.store.create(grOf(def), o));
  }

  /** PUT semantics; `subresource` 'status' changes only status, otherwise status is kept. */
  update(def: ResourceDef, ns: string | undefined, name: string, body: K8sObject, subresource?: string, opts: WriteOptions = {}): K8sObject {
    if (!body || typeof body !== 'object' || typeof body.metadata !== 'object') throw badRequest('the body of the request was not a valid object');
    if (body.metadata.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    if (body.kind && body.kind !== def.kind) throw badRequest(`the kind of the object (${body.kind}) does not match the kind of the URL (${def.kind})`);
    const old = this.get(def, ns, name);
    const expectRv = body.metadata.resourceVersion;
    if (expectRv && expectRv !== old.metadata.resourceVersion) throw conflict(grOf(def), name, def.group || undefined);
    let o: K8sObject;
    if (subresource === 'status') o = { ...old, status: clone(body.status) };
    else {
      o = clone(body);
      o.kind = def.kind;
      if (def.subresources?.includes('status')) o.status = old.status;
      o.metadata = { ...o.metadata, name, namespace: old.metadata.namespace, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
      if (!def.namespaced) delete o.metadata.namespace;
      o.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      if (o.metadata.deletionTimestamp === undefined) delete o.metadata.deletionTimestamp;
    }
    o.metadata.generation = (old.metadata.generation ?? 1) + (subresource !== 'status' && specChanged(old, o) ? 1 : 0);
    this.admit(def, o, old);
    if (opts.dryRun) return this.present(def, o);
    if (o.metadata.deletionTimestamp && !(o.metadata.finalizers ?? []).length) {
      return this.present(def, this.store.delete(grOf(def), old.metadata.namespace, name, old.metadata.uid));
    }
    return this.present(def, this.store.update(grOf(def), o, expectRv));
  }

  /**
   * Deletes now, or marks for deletion while finalizers remain. A namespace takes its
   * contents with it; dependents (ownerReferences) are removed by the GC controller.
   */
  delete(def: ResourceDef, ns: string | undefined, name: string, opts: WriteOptions & { preconditionUid?: string; preconditionRv?: string } = {}): K8sObject {
    const old = this.get(def, ns, name);
    if (opts.preconditionUid && opts.preconditionUid !== old.metadata.uid)
      throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${old.metadata.uid}`);
    if (opts.preconditionRv && opts.preconditionRv !== old.metadata.resourceVersion)
      throw new ApiError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${opts.preconditionRv}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    if (opts.dryRun) return this.present(def, old);
    if ((old.metadata.finalizers ?? []).length) {
      if (old.metadata.deletionTimestamp) return this.present(def, old);
      old.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      return this.present(def, this.store.update(grOf(def), old));
    }
    if (def.kind === 'Namespace' && !def.group) this.deleteNamespaceContents(name);
    return this.present(def, this.store.delete(grOf(def), def.namespaced ? ns : undefined, name));
  }

  private deleteNamespaceContents(ns: string): void {
    for (const d of RESOURCES) {
      if (!d.namespaced) continue;
      for (const o of this.store.list(grOf(d), ns).items) this.store.delete(grOf(d), ns, o.metadata.name!);
    }
  }
}
