/** HTTP client for the agent's admin API (TCP or unix socket). */
import http from 'node:http';
import { KindlabError } from '../errors.js';
import { parseAdminAddress } from './admin-addr.js';

export async function adminRequest<T>(admin: string, method: string, path: string, payload?: unknown): Promise<T> {
  const a = parseAdminAddress(admin);
  const data = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise<T>((resolve, reject) => {
    const req = http.request(
      {
        method,
        path,
        ...(a.kind === 'tcp' ? { host: a.host, port: a.port } : { socketPath: a.path }),
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
        timeout: 10_000,
      },
      (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (s += c));
        res.on('end', () => {
          const ctype = String(res.headers['content-type'] ?? '');
          const parsed = ctype.includes('json') && s ? (JSON.parse(s) as unknown) : s;
          if ((res.statusCode ?? 500) >= 400) {
            const msg = typeof parsed === 'object' && parsed && 'error' in parsed ? String((parsed as { error: unknown }).error) : s;
            reject(new KindlabError('BGP_ADMIN', `${method} ${path}: ${msg}`));
          } else resolve(parsed as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) =>
      reject(new KindlabError('BGP_ADMIN', `cannot reach the agent at ${admin}: ${e.message}`, { cause: e, hint: 'is `lab-agent run` running? pass --admin ADDR' })),
    );
    req.end(data);
  });
}
