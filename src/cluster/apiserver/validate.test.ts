import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError } from '../store/errors.js';
import { MAX_DATA_BYTES, validateObject } from './validate.js';

const obj = (kind: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'default' }, data });

test('ConfigMap and Secret data are limited to 1 MiB as in Kubernetes', () => {
  validateObject(obj('ConfigMap', { a: 'x'.repeat(MAX_DATA_BYTES) }), '');
  assert.throws(() => validateObject(obj('ConfigMap', { a: 'x'.repeat(MAX_DATA_BYTES / 2), b: 'y'.repeat(MAX_DATA_BYTES / 2 + 1) }), ''), (e: ApiError) => e.httpCode === 422 && /Too long: must have at most 1048576 bytes/.test(e.message));
  // Secret data is base64: 1.4 Mi characters decode to ~1.05 MiB
  const b64 = Buffer.alloc(MAX_DATA_BYTES + 3).toString('base64');
  assert.throws(() => validateObject(obj('Secret', { k: b64 }), ''), (e: ApiError) => e.httpCode === 422 && /data: Too long/.test(e.message));
  validateObject(obj('Secret', { k: Buffer.alloc(MAX_DATA_BYTES - 3).toString('base64') }), '');
});

test('CronJobs with a schedule or time zone the controller cannot use are refused with the field at fault', () => {
  const cj = (spec: Record<string, unknown>) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x', namespace: 'default' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec } });
  validateObject(cj({}), 'batch');
  validateObject(cj({ schedule: '@hourly', timeZone: 'Europe/Paris' }), 'batch');
  const refused: Array<[Record<string, unknown>, RegExp]> = [
    [{ schedule: 'every minute' }, /spec\.schedule: Invalid value: "every minute": expected exactly 5 fields/],
    [{ schedule: '0 * * * * *' }, /spec\.schedule: Invalid value/],
    [{ schedule: '* * * * *', timeZone: 'Nowhere/Land' }, /spec\.timeZone: Invalid value: "Nowhere\/Land": unknown time zone/],
    [{ schedule: undefined }, /spec\.schedule: Required value/],
    [{ concurrencyPolicy: 'Sometimes' }, /spec\.concurrencyPolicy: Unsupported value/],
    [{ jobTemplate: { spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'busybox' }] } } } } }, /spec\.jobTemplate\.spec\.template\.spec\.restartPolicy: Unsupported value/],
  ];
  for (const [spec, re] of refused) assert.throws(() => validateObject(cj(spec), 'batch'), (e: ApiError) => e.httpCode === 422 && re.test(e.message), JSON.stringify(spec));
});
