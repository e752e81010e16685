import { isIPv4, isIPv6 } from '../controllers/ipam.js';
import { parseSchedule } from '../controllers/cronjob.js';
import { invalid, type StatusCause } from '../store/errors.js';
import type { K8sObject } from '../store/types.js';
import { matchesLabels, selectorObjectToRequirements } from './selectors.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const req = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });
const bad = (field: string, value: unknown, why: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field });
const unsupported = (field: string, value: unknown, allowed: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
  field,
});

/** Which name rule a kind uses (Services and Namespaces are stricter than most). */
function nameRule(kind: string): { re: RegExp; max: number; text: string } {
  if (kind === 'Service') return { re: DNS1035_LABEL, max: 63, text: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" };
  if (kind === 'Namespace') return { re: DNS1123_LABEL, max: 63, text: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" };
  return { re: DNS1123_SUBDOMAIN, max: 253, text: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" };
}

function validateMeta(o: K8sObject, out: StatusCause[]): void {
  const { name } = o.metadata;
  const rule = nameRule(o.kind);
  if (!name) out.push({ reason: 'FieldValueRequired', message: 'name or generateName is required', field: 'metadata.name' });
  else if (!rule.re.test(name) || name.length > rule.max) out.push(bad('metadata.name', name, rule.text));
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (!QUALIFIED.test(k)) out.push(bad(`metadata.labels`, k, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\''));
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(bad(`metadata.labels`, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
  }
  for (const [k, v] of Object.entries(o.metadata.annotations ?? {})) {
    if (!QUALIFIED.test(k)) out.push(bad('metadata.annotations', k, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\''));
    if (typeof v !== 'string') out.push(bad(`metadata.annotations.${k}`, v, 'must be a string'));
  }
}

function validatePort(p: unknown, field: string, out: StatusCause[]): void {
  if (p === undefined) return out.push(req(field)), undefined;
  if (!Number.isInteger(p) || (p as number) < 1 || (p as number) > 65535) out.push(bad(field, p, 'must be between 1 and 65535, inclusive'));
}

export function validatePodSpec(spec: unknown, at: string, out: StatusCause[]): void {
  if (!isObj(spec)) return out.push(req(at)), undefined;
  const cs = spec.containers;
  if (!Array.isArray(cs) || cs.length === 0) return out.push(req(`${at}.containers`)), undefined;
  const names = new Set<string>();
  cs.forEach((c: unknown, i) => {
    const f = `${at}.containers[${i}]`;
    if (!isObj(c)) return out.push(bad(f, c, 'must be an object')), undefined;
    if (!c.name) out.push(req(`${f}.name`));
    else if (typeof c.name !== 'string' || !DNS1123_LABEL.test(c.name)) out.push(bad(`${f}.name`, c.name, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\''));
    else if (names.has(c.name)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"`, field: `${f}.name` });
    else names.add(c.name);
    if (!c.image || typeof c.image !== 'string') out.push(req(`${f}.image`));
    if (c.ports !== undefined && !Array.isArray(c.ports)) out.push(bad(`${f}.ports`, c.ports, 'must be a list'));
    (Array.isArray(c.ports) ? c.ports : []).forEach((p: Obj, j: number) => validatePort(p?.containerPort, `${f}.ports[${j}].containerPort`, out));
  });
  if (spec.nodeSelector !== undefined && !isObj(spec.nodeSelector)) out.push(bad(`${at}.nodeSelector`, spec.nodeSelector, 'must be a map of strings'));
}

function validateService(o: K8sObject, out: StatusCause[]): void {
  const s = o.spec as Obj;
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
  if (!types.includes(s.type as string)) out.push(unsupported('spec.type', s.type, types));
  const headless = s.clusterIP === 'None';
  if (s.ports !== undefined && !Array.isArray(s.ports)) out.push(bad('spec.ports', s.ports, 'must be a list'));
  const ports = Array.isArray(s.ports) ? (s.ports as Obj[]) : [];
  if (!ports.length && !headless && s.type !== 'ExternalName') out.push(req('spec.ports'));
  ports.forEach((p, i) => {
    validatePort(p.port, `spec.ports[${i}].port`, out);
    if (!['TCP', 'UDP', 'SCTP'].includes(p.protocol as string)) out.push(unsupported(`spec.ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (ports.length > 1 && !p.name) out.push(req(`spec.ports[${i}].name`));
    if (p.nodePort !== undefined && s.type === 'ClusterIP') out.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be used when `type` is \'ClusterIP\'', field: `spec.ports[${i}].nodePort` });
  });
  const etp = s.externalTrafficPolicy;
  if (etp !== undefined && !['Cluster', 'Local'].includes(etp as string)) out.push(unsupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  if (etp === 'Local' && s.type !== 'NodePort' && s.type !== 'LoadBalancer')
    out.push(bad('spec.externalTrafficPolicy', etp, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
  if (s.externalIPs !== undefined && !Array.isArray(s.externalIPs)) out.push(bad('spec.externalIPs', s.externalIPs, 'must be a list of IP addresses'));
  (Array.isArray(s.externalIPs) ? s.externalIPs : []).forEach((ip: unknown, i: number) => {
    if (typeof ip !== 'string' || !(isIPv4(ip) || isIPv6(ip))) out.push(bad(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (s.sessionAffinity !== undefined && !['None', 'ClientIP'].includes(s.sessionAffinity as string)) out.push(unsupported('spec.sessionAffinity', s.sessionAffinity, ['ClientIP', 'None']));
  if (s.selector !== undefined && !isObj(s.selector)) out.push(bad('spec.selector', s.selector, 'must be a map of strings'));
}

function validateWorkload(o: K8sObject, out: StatusCause[]): void {
  const s = o.spec as Obj;
  if (s.replicas !== undefined && (!Number.isInteger(s.replicas) || (s.replicas as number) < 0)) out.push(bad('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
  const sel = s.selector;
  if (!isObj(sel) || (!isObj(sel.matchLabels) && !Array.isArray(sel.matchExpressions))) out.push(req('spec.selector'));
  const tpl = s.template;
  if (!isObj(tpl)) return out.push(req('spec.template')), undefined;
  const labels = (isObj(tpl.metadata) ? (tpl.metadata.labels as Record<string, string>) : undefined) ?? {};
  if (isObj(sel) && !matchesLabels(selectorObjectToRequirements(sel), labels)) out.push(bad('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  validatePodSpec(tpl.spec, 'spec.template.spec', out);
}

/** A Job's pods must end: restartPolicy OnFailure or Never (the Always default of a bare pod is refused). */
function validateJob(o: K8sObject, out: StatusCause[]): void {
  validateWorkload(o, out);
  const s = o.spec as Obj;
  const tplSpec = isObj(s.template) && isObj(s.template.spec) ? s.template.spec : {};
  const rp = tplSpec.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') out.push(unsupported('spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
  for (const f of ['parallelism', 'completions', 'backoffLimit'])
    if (s[f] !== undefined && s[f] !== null && (!Number.isInteger(s[f]) || (s[f] as number) < 0)) out.push(bad(`spec.${f}`, s[f], 'must be greater than or equal to 0'));
}

/** A CronJob's schedule and time zone must parse (the controller could never start it otherwise), and its Jobs must end. */
function validateCronJob(o: K8sObject, out: StatusCause[]): void {
  const s = o.spec as Obj;
  // upstream: Job names add 11 characters and must stay a 63-character label
  if ((o.metadata.name ?? '').length > 52) out.push(bad('metadata.name', o.metadata.name, 'must be no more than 52 characters'));
  if (typeof s.schedule !== 'string' || !s.schedule) out.push(req('spec.schedule'));
  else if (s.timeZone !== undefined && typeof s.timeZone !== 'string') out.push(bad('spec.timeZone', s.timeZone, 'must be a string'));
  else {
    const r = parseSchedule(s.schedule, s.timeZone as string | undefined);
    if ('error' in r) out.push(bad(r.field, r.field === 'spec.timeZone' ? s.timeZone : s.schedule, r.error));
  }
  const cp = s.concurrencyPolicy;
  if (cp !== undefined && !['Allow', 'Forbid', 'Replace'].includes(cp as string)) out.push(unsupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
    if (s[f] !== undefined && s[f] !== null && (!Number.isInteger(s[f]) || (s[f] as number) < 0)) out.push(bad(`spec.${f}`, s[f], 'must be greater than or equal to 0'));
  const js = isObj(s.jobTemplate) && isObj(s.jobTemplate.spec) ? s.jobTemplate.spec : undefined;
  if (!js) return out.push(req('spec.jobTemplate.spec')), undefined;
  const tpl = isObj(js.template) ? js.template : {};
  validatePodSpec(tpl.spec, 'spec.jobTemplate.spec.template.spec', out);
  const rp = isObj(tpl.spec) ? tpl.spec.restartPolicy : undefined;
  if (rp !== 'OnFailure' && rp !== 'Never') out.push(unsupported('spec.jobTemplate.spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
}

/** Kubernetes caps a ConfigMap's and a Secret's data at 1 MiB (corev1 MaxSecretSize / ConfigMap total). */
export const MAX_DATA_BYTES = 1024 * 1024;

/** data (and binaryData) must be maps of strings whose values together stay within MAX_DATA_BYTES. */
function validateDataSize(o: K8sObject, out: StatusCause[]): void {
  let total = 0;
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = (o as Obj)[field];
    if (data === undefined) continue;
    if (!isObj(data)) {
      out.push(bad(field, data, 'must be a map of strings'));
      continue;
    }
    for (const v of Object.values(data)) if (typeof v === 'string') total += o.kind === 'Secret' && field === 'data' ? Math.floor((v.length * 3) / 4) : Buffer.byteLength(v);
  }
  if (total > MAX_DATA_BYTES) out.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_DATA_BYTES} bytes`, field: o.kind === 'Secret' ? 'data' : '[]' });
}

/** Kind-specific checks; throws 422 Invalid listing every problem found. */
export function validateObject(o: K8sObject, group: string): void {
  const out: StatusCause[] = [];
  validateMeta(o, out);
  if ((o.kind === 'Pod' || o.kind === 'Service' || o.kind === 'Deployment' || o.kind === 'ReplicaSet' || o.kind === 'StatefulSet' || o.kind === 'Job' || o.kind === 'DaemonSet' || o.kind === 'CronJob') && !isObj(o.spec)) out.push(req('spec'));
  else if (o.kind === 'Pod') validatePodSpec(o.spec, 'spec', out);
  else if (o.kind === 'Service') validateService(o, out);
  else if (o.kind === 'Deployment' || o.kind === 'ReplicaSet' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet') validateWorkload(o, out);
  else if (o.kind === 'Job') validateJob(o, out);
  else if (o.kind === 'CronJob') validateCronJob(o, out);
  else if (o.kind === 'ConfigMap' || o.kind === 'Secret') validateDataSize(o, out);
  if (out.length) throw invalid(o.kind, o.metadata.name ?? '', out, group || undefined);
}
