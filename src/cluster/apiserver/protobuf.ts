import { ApiError } from '../store/errors.js';
import { errorMessage } from '../../errors.js';

/**
 * Decoder for the Kubernetes protobuf envelope that kubectl's typed clients send
 * (`kubectl create deployment|job|namespace|configmap|secret|service` POST
 * `application/vnd.kubernetes.protobuf`, and client-go does not fall back to JSON on
 * 415). Only the messages those generators fill are described; unknown fields are skipped.
 * Responses are always JSON (clients accept it).
 */
type Kind = 'string' | 'int' | 'bool' | 'bytes' | 'map' | 'mapBytes' | 'mapQuantity' | 'intOrString' | 'time' | Schema;
interface Field {
  name: string;
  kind: Kind;
  repeated?: boolean;
  /** Pointer fields: a zero value was set on purpose and is kept. */
  keepZero?: boolean;
}
type Schema = Record<number, Field>;

const f = (name: string, kind: Kind, extra: Partial<Field> = {}): Field => ({ name, kind, ...extra });

const ObjectMeta: Schema = {
  1: f('name', 'string'), 2: f('generateName', 'string'), 3: f('namespace', 'string'), 5: f('uid', 'string'), 6: f('resourceVersion', 'string'),
  7: f('generation', 'int'), 8: f('creationTimestamp', 'time'), 11: f('labels', 'map'), 12: f('annotations', 'map'), 14: f('finalizers', 'string', { repeated: true }),
  // `kubectl create job --from=cronjob/X` sets the Job's owner
  13: f('ownerReferences', { 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('controller', 'bool'), 7: f('blockOwnerDeletion', 'bool') }, { repeated: true }),
};
const LabelSelector: Schema = { 1: f('matchLabels', 'map'), 2: f('matchExpressions', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', { repeated: true }) }, { repeated: true }) };
const ContainerPort: Schema = { 1: f('name', 'string'), 2: f('hostPort', 'int'), 3: f('containerPort', 'int'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') };
const EnvVar: Schema = { 1: f('name', 'string'), 2: f('value', 'string') };
const Resources: Schema = { 1: f('limits', 'mapQuantity'), 2: f('requests', 'mapQuantity') };
const Container: Schema = {
  1: f('name', 'string'), 2: f('image', 'string'), 3: f('command', 'string', { repeated: true }), 4: f('args', 'string', { repeated: true }), 5: f('workingDir', 'string'),
  6: f('ports', ContainerPort, { repeated: true }), 7: f('env', EnvVar, { repeated: true }), 8: f('resources', Resources), 13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'), 16: f('stdin', 'bool'), 17: f('stdinOnce', 'bool'), 18: f('tty', 'bool'), 20: f('terminationMessagePolicy', 'string'),
};
const PodSpec: Schema = {
  2: f('containers', Container, { repeated: true }), 3: f('restartPolicy', 'string'), 4: f('terminationGracePeriodSeconds', 'int', { keepZero: true }), 6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', 'map'), 8: f('serviceAccountName', 'string'), 10: f('nodeName', 'string'), 11: f('hostNetwork', 'bool'), 16: f('hostname', 'string'),
  19: f('schedulerName', 'string'), 20: f('initContainers', Container, { repeated: true }), 24: f('priorityClassName', 'string'),
};
const PodTemplateSpec: Schema = { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) };
const RollingUpdate: Schema = { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') };
const DeploymentSpec: Schema = {
  1: f('replicas', 'int', { keepZero: true }), 2: f('selector', LabelSelector), 3: f('template', PodTemplateSpec), 4: f('strategy', { 1: f('type', 'string'), 2: f('rollingUpdate', RollingUpdate) }),
  5: f('minReadySeconds', 'int'), 6: f('revisionHistoryLimit', 'int', { keepZero: true }), 7: f('paused', 'bool'), 9: f('progressDeadlineSeconds', 'int', { keepZero: true }),
};
// batch/v1 JobSpec (`kubectl create job`): the pointer ints keep an explicit 0.
const JobSpec: Schema = {
  1: f('parallelism', 'int', { keepZero: true }), 2: f('completions', 'int', { keepZero: true }), 3: f('activeDeadlineSeconds', 'int', { keepZero: true }), 4: f('selector', LabelSelector),
  5: f('manualSelector', 'bool'), 6: f('template', PodTemplateSpec), 7: f('backoffLimit', 'int', { keepZero: true }), 8: f('ttlSecondsAfterFinished', 'int', { keepZero: true }),
  9: f('completionMode', 'string'), 10: f('suspend', 'bool'),
};
// batch/v1 CronJobSpec (`kubectl create cronjob`)
const CronJobSpec: Schema = {
  1: f('schedule', 'string'), 2: f('startingDeadlineSeconds', 'int', { keepZero: true }), 3: f('concurrencyPolicy', 'string'), 4: f('suspend', 'bool'),
  5: f('jobTemplate', { 1: f('metadata', ObjectMeta), 2: f('spec', JobSpec) }), 6: f('successfulJobsHistoryLimit', 'int', { keepZero: true }), 7: f('failedJobsHistoryLimit', 'int', { keepZero: true }), 8: f('timeZone', 'string'),
};
const ServicePort: Schema = { 1: f('name', 'string'), 2: f('protocol', 'string'), 3: f('port', 'int'), 4: f('targetPort', 'intOrString'), 5: f('nodePort', 'int') };
const ServiceSpec: Schema = {
  1: f('ports', ServicePort, { repeated: true }), 2: f('selector', 'map'), 3: f('clusterIP', 'string'), 4: f('type', 'string'), 5: f('externalIPs', 'string', { repeated: true }),
  7: f('sessionAffinity', 'string'), 10: f('externalName', 'string'), 11: f('externalTrafficPolicy', 'string'),
};

const BY_KIND: Record<string, Schema> = {
  Deployment: { 1: f('metadata', ObjectMeta), 2: f('spec', DeploymentSpec) },
  Pod: { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) },
  Job: { 1: f('metadata', ObjectMeta), 2: f('spec', JobSpec) },
  CronJob: { 1: f('metadata', ObjectMeta), 2: f('spec', CronJobSpec) },
  Namespace: { 1: f('metadata', ObjectMeta) },
  ConfigMap: { 1: f('metadata', ObjectMeta), 2: f('data', 'map'), 3: f('binaryData', 'mapBytes'), 4: f('immutable', 'bool') },
  Secret: { 1: f('metadata', ObjectMeta), 2: f('data', 'mapBytes'), 3: f('type', 'string'), 4: f('stringData', 'map'), 5: f('immutable', 'bool') },
  Service: { 1: f('metadata', ObjectMeta), 2: f('spec', ServiceSpec) },
  DeleteOptions: { 1: f('gracePeriodSeconds', 'int', { keepZero: true }), 2: f('preconditions', { 1: f('uid', 'string'), 2: f('resourceVersion', 'string') }), 4: f('propagationPolicy', 'string'), 5: f('dryRun', 'string', { repeated: true }) },
};

interface Raw {
  field: number;
  wire: number;
  value: bigint | Buffer;
}

function readFields(buf: Buffer): Raw[] {
  const out: Raw[] = [];
  let i = 0;
  const varint = (): bigint => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++]!;
      r |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return r;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const r of readFields(buf)) {
    const fd = schema[r.field];
    if (!fd) continue;
    const v = decodeValue(r, fd);
    if (v === undefined) continue;
    if (fd.kind === 'map' || fd.kind === 'mapBytes' || fd.kind === 'mapQuantity') o[fd.name] = { ...((o[fd.name] as object) ?? {}), ...(v as object) };
    else if (fd.repeated) ((o[fd.name] ??= []) as unknown[]).push(v);
    else o[fd.name] = v;
  }
  return o;
}

function decodeValue(r: Raw, fd: Field): unknown {
  const buf = r.value as Buffer;
  switch (fd.kind) {
    case 'string': {
      const s = buf.toString('utf8');
      return s === '' && !fd.repeated ? undefined : s;
    }
    case 'int': {
      const n = Number(BigInt.asIntN(64, r.value as bigint));
      return n === 0 && !fd.keepZero ? undefined : n;
    }
    case 'bool':
      return (r.value as bigint) !== 0n ? true : undefined;
    case 'bytes':
      return buf.toString('base64');
    case 'time':
      return undefined;
    case 'map':
    case 'mapBytes':
    case 'mapQuantity': {
      const e = decodeMessage(buf, { 1: f('k', 'string'), 2: f('v', fd.kind === 'map' ? 'string' : fd.kind === 'mapBytes' ? 'bytes' : { 1: f('string', 'string') }) });
      const val = fd.kind === 'mapQuantity' ? (e.v as { string?: string } | undefined)?.string : e.v;
      return { [String(e.k ?? '')]: val ?? '' };
    }
    case 'intOrString': {
      const x = decodeMessage(buf, { 1: f('type', 'int'), 2: f('intVal', 'int', { keepZero: true }), 3: f('strVal', 'string') });
      return x.type === 1 ? x.strVal : (x.intVal ?? 0);
    }
    default:
      return decodeMessage(buf, fd.kind);
  }
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `k8s\0`-prefixed protobuf body into the JSON object it stands for. */
export function decodeK8sProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ApiError(415, 'UnsupportedMediaType', 'protobuf body without the k8s envelope');
  try {
    const env = decodeMessage(body.subarray(4), { 1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }), 2: f('raw', 'bytes') });
    const tm = (env.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    const schema = tm.kind ? BY_KIND[tm.kind] : undefined;
    if (!schema) throw new ApiError(415, 'UnsupportedMediaType', `protobuf bodies for kind ${tm.kind ?? '?'} are not supported; send application/json`);
    const obj = decodeMessage(Buffer.from(String(env.raw ?? ''), 'base64'), schema);
    return { apiVersion: tm.apiVersion, kind: tm.kind, ...obj, metadata: obj.metadata ?? {} };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, 'BadRequest', `unable to decode protobuf body: ${errorMessage(e)}`);
  }
}
