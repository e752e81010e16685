/** `lab-agent services [--json]`: the node's Service NAT state in ipvsadm -Ln's shape (reads `iptables-save -t nat`). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KindlabError, errorMessage } from '../../errors.js';
import { formatServiceNat, parseServiceNat } from './parse.js';

export async function runServices(json: boolean): Promise<number> {
  let save: string;
  try {
    save = (await promisify(execFile)('iptables-save', ['-t', 'nat'], { maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    throw new KindlabError('RUNTIME_EXEC', `iptables-save -t nat failed: ${errorMessage(e)}`, { hint: 'run it on a node (lab exec -t FILE NODE -- lab-agent services), as root', cause: e });
  }
  const vs = parseServiceNat(save);
  console.log(json ? JSON.stringify(vs, null, 2) : formatServiceNat(vs));
  return 0;
}
