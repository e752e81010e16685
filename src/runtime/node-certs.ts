/**
 * Node certificates (containerlab's `certificate: { issue: true }`): a per-lab CA and, for each node
 * that asks, an RSA key and a certificate signed by that CA, laid out in the lab directory as
 * containerlab does — `.tls/ca/ca.pem|ca.key` and `.tls/<node>/<node>.pem|.key|.csr`. The CA is
 * `settings.certificate-authority`'s external cert/key when given (used in place, not copied).
 * Existing files are kept: a redeploy reuses the lab's CA and certificates, as containerlab does.
 * The SANs are the node name, its container name, `<node>.<lab>.io`, the node's `sans` and its
 * management addresses. Node's crypto module cannot sign certificates, so `openssl` does (the
 * cluster PKI uses it the same way).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { KindlabError } from '../errors.js';
import type { CertificateAuthority, LabPlan, NodePlan } from '../topology/index.js';
import type { Action } from './deploy-steps.js';

export interface CaFiles {
  cert: string;
  key: string;
}

export function tlsDir(plan: LabPlan): string {
  return join(plan.labDir, '.tls');
}

/** Where the lab CA's files are (the external ones when the topology names them). */
export function caFiles(plan: LabPlan, ca: CertificateAuthority): CaFiles {
  if (ca.certFile && ca.keyFile) return { cert: ca.certFile, key: ca.keyFile };
  const dir = join(tlsDir(plan), 'ca');
  return { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') };
}

export function nodeCertFiles(plan: LabPlan, node: string): { cert: string; key: string; csr: string } {
  const dir = join(tlsDir(plan), node);
  return { cert: join(dir, `${node}.pem`), key: join(dir, `${node}.key`), csr: join(dir, `${node}.csr`) };
}

/** The names and addresses a node certificate is valid for. Pure. */
export function nodeSans(plan: LabPlan, n: NodePlan): string[] {
  const base = [n.name, n.containerName, `${n.name}.${plan.name}.io`, ...(n.certificate?.sans ?? [])];
  for (const ip of [n.mgmtIPv4, n.mgmtIPv6]) if (ip) base.push(ip.split('/')[0]!);
  return [...new Set(base)];
}

/** openssl's -days from a validity (at least one day: openssl counts whole days). */
export function validityDays(ms: number): number {
  return Math.max(1, Math.ceil(ms / 86_400_000));
}

function sanLine(sans: string[]): string {
  return sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? `IP:${s}` : `DNS:${s}`)).join(',');
}

async function openssl(args: string[], what: string): Promise<void> {
  const r = await execa('openssl', args, { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new KindlabError('DEPLOY', `${what}: openssl ${args[0]} failed`, { detail: String(r.stderr || r.message), hint: 'kindlab issues node certificates with openssl: install it on the host' });
  }
}

export async function ensureCa(plan: LabPlan, ca: CertificateAuthority): Promise<CaFiles> {
  const files = caFiles(plan, ca);
  if (ca.certFile || (existsSync(files.cert) && existsSync(files.key))) return files;
  await mkdir(join(tlsDir(plan), 'ca'), { recursive: true, mode: 0o700 });
  await openssl(
    ['req', '-x509', '-newkey', `rsa:${ca.keySize}`, '-nodes', '-keyout', files.key, '-out', files.cert, '-days', String(validityDays(ca.validityMs)),
      '-subj', `/O=kindlab/CN=${plan.name} lab CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,digitalSignature'],
    `lab ${plan.name}: CA`,
  );
  return files;
}

export async function ensureNodeCert(plan: LabPlan, n: NodePlan, ca: CaFiles): Promise<void> {
  const cert = n.certificate;
  if (!cert) return;
  const f = nodeCertFiles(plan, n.name);
  if (existsSync(f.cert) && existsSync(f.key)) return;
  const dir = join(tlsDir(plan), n.name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const what = `${n.name}: certificate`;
  await openssl(['req', '-new', '-newkey', `rsa:${cert.keySize}`, '-nodes', '-keyout', f.key, '-out', f.csr, '-subj', `/O=kindlab/CN=${n.name}.${plan.name}.io`], what);
  const ext = join(dir, 'ext.cnf');
  await writeFile(ext, `subjectAltName=${sanLine(nodeSans(plan, n))}\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=critical,CA:FALSE\n`);
  try {
    await openssl(['x509', '-req', '-in', f.csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', String(validityDays(cert.validityMs)), '-extfile', ext, '-out', f.cert], what);
  } finally {
    await rm(ext, { force: true });
  }
}

export const certificatesAction: Action = {
  title: 'Certificates',
  async run(ctx, progress) {
    const ca = ctx.plan.ca;
    if (!ca) return;
    const files = await ensureCa(ctx.plan, ca);
    progress(`CA ${files.cert}`);
    for (const n of ctx.plan.nodes) {
      if (!n.certificate) continue;
      await ensureNodeCert(ctx.plan, n, files);
      progress(`${n.name}: ${nodeCertFiles(ctx.plan, n.name).cert}`);
    }
  },
};
