/**
 * Test harness only: extra Docker engines on this machine, each dockerd in its own network
 * namespace (entered with nsenter: `ip netns exec` remounts /sys and breaks dockerd's cgroup
 * mounts), the namespaces joined by a veth "underlay" with one address each, as two machines
 * on one LAN would be. Users point `hosts:` at real machines; this stands in for them in CI.
 * Everything is found again by the test's own ids: pids it started, its netns and temp dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { until } from './helpers.js';

export interface TestEngine {
  name: string;
  netns: string;
  root: string;
  sock: string;
  underlay: string;
  /** The veth end in this engine's namespace (the underlay device). */
  dev: string;
  proc?: ChildProcess;
}

export function engine(name: string, tag: string, index: number): TestEngine {
  return { name, netns: `${tag}-${name}`, root: `/tmp/${tag}-${name}`, sock: `/tmp/${tag}-${name}/d.sock`, underlay: `10.250.0.${index + 1}`, dev: `ul-${name}` };
}

/** The netns pair and the underlay veth between them. */
export async function makeUnderlay(engines: TestEngine[]): Promise<void> {
  for (const e of engines) {
    await execa('ip', ['netns', 'add', e.netns]);
    await execa('ip', ['-n', e.netns, 'link', 'set', 'lo', 'up']);
  }
  const [a, b] = engines as [TestEngine, TestEngine];
  await execa('ip', ['link', 'add', a.dev, 'netns', a.netns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.netns]);
  for (const e of [a, b]) {
    await execa('ip', ['-n', e.netns, 'addr', 'add', `${e.underlay}/24`, 'dev', e.dev]);
    await execa('ip', ['-n', e.netns, 'link', 'set', e.dev, 'up']);
  }
}

/**
 * The machine running `lab` reaches each engine's underlay address, as it would reach machines on
 * its LAN (the kubeconfig of a lab whose control-plane runs on an engine points there): a veth
 * from this namespace into the engine's, a /30 on it and a host route to the underlay address.
 * Removed with the engine's namespace.
 */
export async function reachFromHost(engines: TestEngine[]): Promise<void> {
  for (const [i, e] of engines.entries()) {
    const near = `${e.netns}-up`;
    await execa('ip', ['link', 'add', near, 'type', 'veth', 'peer', 'name', 'lan', 'netns', e.netns]);
    await execa('ip', ['addr', 'add', `10.250.${10 + i}.1/30`, 'dev', near]);
    await execa('ip', ['link', 'set', near, 'up']);
    await execa('ip', ['-n', e.netns, 'addr', 'add', `10.250.${10 + i}.2/30`, 'dev', 'lan']);
    await execa('ip', ['-n', e.netns, 'link', 'set', 'lan', 'up']);
    await execa('ip', ['route', 'replace', `${e.underlay}/32`, 'via', `10.250.${10 + i}.2`]);
  }
}

/**
 * Starts (or restarts, same data) a dockerd in the engine's namespace and waits for its API.
 * `hide`: directories this machine has that the engine must not see, as on another machine: the engine runs in a
 * mount namespace of its own with an empty tmpfs over each (its containers and their binds see that, not ours).
 */
export async function startEngine(e: TestEngine, opts: { hide?: string[]; args?: string[] } = {}): Promise<void> {
  await mkdir(e.root, { recursive: true });
  for (const d of opts.hide ?? []) await mkdir(d, { recursive: true });
  const hidden = (opts.hide ?? []).length === 0 ? ['dockerd'] : [
    'unshare', '-m', '--propagation', 'private', 'sh', '-c',
    `${(opts.hide ?? []).map((d) => `mount -t tmpfs kl-hidden '${d}' && `).join('')}exec dockerd "$@"`, 'dockerd',
  ];
  const args = [
    `--net=/var/run/netns/${e.netns}`, ...hidden,
    '--data-root', `${e.root}/data`, '--exec-root', `${e.root}/x`, '-H', `unix://${e.sock}`, '--pidfile', `${e.root}/d.pid`,
    '--bridge', 'none', '--iptables=false', '--ip6tables=false', '--cgroup-parent', `/${e.netns}`, '--log-level', 'error',
    // more dockerd flags (another listener: `-H tcp://…:2376 --tlsverify …`)
    ...(opts.args ?? []),
  ];
  const proc = spawn('nsenter', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  e.proc = proc;
  await until(`dockerd ${e.name}`, async () => {
    if (proc.exitCode !== null) throw new Error(`dockerd ${e.name} exited ${proc.exitCode}: ${err}`);
    const r = await execa('docker', ['-H', `unix://${e.sock}`, 'version', '--format', '{{.Server.Version}}'], { reject: false });
    return r.exitCode === 0 ? true : undefined;
  }, 30_000, 250);
}

/** Every process started under the engine's directories (dockerd, its containerd, shims, container inits via their shims): by pid. */
async function processesOf(e: TestEngine): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(e.root)) pids.push(Number(p));
  }
  return pids;
}

/**
 * The engine drops off the network, as a machine would: its API socket is moved away, so every call fails at once
 * (the dockerd and its containers keep running). Restarting a SIGKILLed dockerd on the same data timed out in CI
 * ("timeout waiting for containerd to start"), so the tests lose and regain an engine this way instead.
 */
export async function loseEngine(e: TestEngine): Promise<void> {
  await rename(e.sock, `${e.sock}.away`);
}

/** The engine is back: its socket is where the lab's hosts section says. */
export async function regainEngine(e: TestEngine): Promise<void> {
  await rename(`${e.sock}.away`, e.sock);
}

/** Stops the engine and removes what it ran and stored, its namespace with it. */
export async function removeEngine(e: TestEngine): Promise<void> {
  const sock = e.sock;
  await rename(`${sock}.away`, sock).catch(() => undefined);
  // a killed engine is started again on its data so that it removes its own containers
  const dead = !e.proc || e.proc.exitCode !== null || e.proc.signalCode;
  if (dead) await startEngine(e).catch(() => undefined);
  // containers first, through the engine if it still answers (their network namespaces go with them)
  const ids = await execa('docker', ['-H', `unix://${sock}`, 'ps', '-aq'], { reject: false });
  if (ids.exitCode === 0 && ids.stdout.trim()) await execa('docker', ['-H', `unix://${sock}`, 'rm', '-f', ...ids.stdout.trim().split('\n')], { reject: false });
  if (e.proc && e.proc.exitCode === null && !e.proc.signalCode) {
    e.proc.kill('SIGTERM');
    await until(`dockerd ${e.name} stopped`, async () => (e.proc!.exitCode !== null || e.proc!.signalCode ? true : undefined), 20_000, 100).catch(() => e.proc!.kill('SIGKILL'));
  }
  // shims and containerd of a killed engine (found by their command line naming our directories)
  for (let i = 0; i < 3; i++) {
    const left = await processesOf(e);
    if (left.length === 0) break;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  // last resort: processes still in the engine's cgroups (the test's --cgroup-parent)
  const procs = await execa('sh', ['-c', `find /sys/fs/cgroup/pids/${e.netns} -name cgroup.procs -exec cat {} + 2>/dev/null`], { reject: false });
  for (const pid of procs.stdout.split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await execa('umount', ['-R', `${e.root}/x`], { reject: false });
  await execa('sh', ['-c', `grep ' ${e.root}/' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l`], { reject: false });
  await rm(e.root, { recursive: true, force: true }).catch(() => undefined);
  await execa('ip', ['netns', 'del', e.netns], { reject: false });
  // the engine's --cgroup-parent directories, now empty (deepest first)
  await execa('sh', ['-c', `for d in /sys/fs/cgroup/*/${e.netns} /sys/fs/cgroup/${e.netns}; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done; true`], { reject: false });
}

/** docker CLI against a test engine. */
export function dockerOn(e: TestEngine, args: string[]) {
  return execa('docker', ['-H', `unix://${e.sock}`, ...args], { reject: false });
}

/** Copies images from the machine's engine into a test engine (docker save | docker load). */
export async function loadInto(e: TestEngine, refs: string[]): Promise<void> {
  await execa('sh', ['-c', `docker save "$@" | docker -H unix://${e.sock} load -q`, 'sh', ...refs]);
}
