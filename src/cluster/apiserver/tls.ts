import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { KindlabError } from '../../errors.js';

/**
 * Per-lab PKI for the API server: a CA and a serving certificate signed by it.
 *
 * Node can make key pairs and verify certificates but has no API to issue X.509
 * certificates, so we run `openssl` (present on the host and in Debian images). The files
 * live in the lab directory: when `lab` generates them on the host before the
 * control-plane container starts, the container only reads them and needs no openssl.
 */
export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'apiserver.crt', key: 'apiserver.key', sans: 'apiserver.sans' };

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execa('openssl', args, { cwd });
  } catch (e) {
    throw new KindlabError('CLUSTER_CONFIG', `openssl ${args[0]} failed while generating the API server certificates`, { cause: e, detail: (e as { stderr?: string }).stderr, hint: 'install openssl, or generate the PKI on the host with ensurePki before starting the API server' });
  }
}

function sanLine(sans: string[]): string {
  return sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? `IP:${s}` : `DNS:${s}`)).join(',');
}

/** The SANs every serving certificate carries, plus `extra` (node IPs, apiServerAddress…). */
export function defaultSans(extra: string[] = []): string[] {
  const base = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '127.0.0.1', '10.96.0.1'];
  return [...new Set([...base, ...extra])].sort();
}

/** Loads the PKI in `dir`, creating the CA once and re-issuing the serving cert when the SANs change. */
export async function ensurePki(dir: string, sans: string[]): Promise<Pki> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (f: string) => path.join(dir, f);
  if (!fs.existsSync(p(FILES.caCert)) || !fs.existsSync(p(FILES.caKey))) {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', FILES.caKey, '-out', FILES.caCert, '-days', '3650', '-subj', '/CN=kindlab-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
  }
  const want = sans.join(',');
  const have = fs.existsSync(p(FILES.sans)) ? fs.readFileSync(p(FILES.sans), 'utf8') : '';
  if (!fs.existsSync(p(FILES.cert)) || !fs.existsSync(p(FILES.key)) || have !== want) {
    const ext = `subjectAltName=${sanLine(sans)}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n`;
    fs.writeFileSync(p('apiserver.ext'), ext);
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', FILES.key, '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver'], dir);
    await openssl(['x509', '-req', '-in', 'apiserver.csr', '-CA', FILES.caCert, '-CAkey', FILES.caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-out', FILES.cert, '-days', '3650', '-extfile', 'apiserver.ext'], dir);
    fs.writeFileSync(p(FILES.sans), want);
    fs.rmSync(p('apiserver.csr'), { force: true });
  }
  return { caCert: fs.readFileSync(p(FILES.caCert), 'utf8'), serverCert: fs.readFileSync(p(FILES.cert), 'utf8'), serverKey: fs.readFileSync(p(FILES.key), 'utf8') };
}

/** The bearer token clients present; created once per lab. */
export function ensureToken(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const t = randomBytes(24).toString('hex');
  fs.writeFileSync(file, `${t}\n`, { mode: 0o600 });
  return t;
}
