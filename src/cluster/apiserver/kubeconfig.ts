import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export interface KubeconfigInput {
  /** Cluster name; the context is `kind-<name>` as kind names it. */
  clusterName: string;
  server: string;
  caCert: string;
  token: string;
}

export function renderKubeconfig(k: KubeconfigInput): string {
  const ctx = `kind-${k.clusterName}`;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: ctx, cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caCert).toString('base64') } }],
    users: [{ name: ctx, user: { token: k.token } }],
    contexts: [{ name: ctx, context: { cluster: ctx, user: ctx } }],
    'current-context': ctx,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, k: KubeconfigInput): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderKubeconfig(k), { mode: 0o600 });
}
