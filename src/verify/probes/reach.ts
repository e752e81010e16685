/** ping, traceroute and curl output, parsed. Pure functions. */

export interface PingResult {
  sent: number;
  received: number;
  lossPct: number;
}

/** iputils / busybox ping summary line: `3 packets transmitted, 3 received, 0% packet loss`. */
export function parsePing(stdout: string): PingResult | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received(?:, \+\d+ errors)?, ([\d.]+)% packet loss/.exec(stdout);
  if (!m) return undefined;
  return { sent: Number(m[1]), received: Number(m[2]), lossPct: Number(m[3]) };
}

/** `traceroute -n`: one entry per hop, the first address that answered or `*`. */
export function parseTraceroute(stdout: string): string[] {
  const hops: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const addr = /(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:]+)/i.exec(m[2]!);
    hops[Number(m[1]) - 1] = addr ? addr[1]! : '*';
  }
  return Array.from(hops, (h) => h ?? '*');
}

export const CURL_STATUS_MARK = '\n--kindlab-http-status:';

/** curl run with `-w '<mark>%{http_code}'`: the body and the status. */
export function parseCurl(stdout: string): { status: number; body: string } | undefined {
  const i = stdout.lastIndexOf(CURL_STATUS_MARK);
  if (i < 0) return undefined;
  return { status: Number(stdout.slice(i + CURL_STATUS_MARK.length).trim()), body: stdout.slice(0, i) };
}
