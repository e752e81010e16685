/**
 * PATCH → watch MODIFIED latency, shared by bench/k8s-scale.ts and bench/apiserver-scale.ts: one watch of a
 * namespace from now, then `patches` annotation patches one at a time, each timed until its event arrives
 * (10 s, else counted missed).
 */
import { PODS, type KubeClient, type Pod } from '../../src/cluster/client/index.js';

export interface WatchLatency { ms: number[]; missed: number }

export async function watchPatchLatency(client: KubeClient, ns: string, opts: { label: string; settleMs: number; stride: number; patches?: number }): Promise<WatchLatency> {
  const out: WatchLatency = { ms: [], missed: 0 };
  const pods = (await client.list(PODS, { namespace: ns })).items;
  const list = await client.list(PODS, { namespace: ns, limit: 1 });
  const ac = new AbortController();
  const waiting = new Map<string, (t: number) => void>();
  const watcher = (async () => {
    try {
      for await (const ev of client.watch(PODS, { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: ac.signal })) {
        if (ev.type !== 'MODIFIED') continue;
        const mark = (ev.object as Pod).metadata.annotations?.['bench/mark'];
        if (mark) waiting.get(mark)?.(performance.now());
      }
    } catch { /* aborted */ }
  })();
  await new Promise((r) => setTimeout(r, opts.settleMs));
  for (let i = 0; i < (opts.patches ?? 100) && pods.length > 0; i++) {
    const p = pods[(i * opts.stride) % pods.length]!;
    const mark = `${opts.label}${i}`;
    const seen = new Promise<number>((resolve) => { waiting.set(mark, resolve); setTimeout(() => resolve(NaN), 10_000); });
    const t = performance.now();
    await client.patch(PODS, p.metadata.name!, { metadata: { annotations: { 'bench/mark': mark } } }, { namespace: ns });
    const at = await seen;
    waiting.delete(mark);
    if (Number.isNaN(at)) out.missed++;
    else out.ms.push(at - t);
  }
  ac.abort();
  await watcher;
  return out;
}
