/** `lab verify --impact`: the lab must be green; then each element is failed, measured and restored. */
import { writeFile } from 'node:fs/promises';
import { KindlabError } from '../errors.js';
import { FaultRunner, loadLabView } from '../faults/index.js';
import { IMPACT_FORMATS, SEVERITY_COLOURS, impactElements, impactOverlay, linkSeverity, pickElements, runImpact, writeImpact, writeImpactHtml, writeImpactJunit, type ImpactFormat, type ImpactReport } from '../impact/index.js';
import type { Runtime } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';
import { LabContext, dockerExec, kubeLookup, labChecks, runChecks } from '../verify/index.js';

export interface ImpactValues {
  format: string;
  output?: string;
  concurrency: number;
  waitMs: number;
  timeoutMs?: number;
  elements?: string;
  recoverMs?: number;
  /** Also write the matrix as JUnit XML here. */
  junit?: string;
  /** Also write the static HTML report (graph coloured by impact) here. */
  html?: string;
}

/** The lab's graph with each element coloured by the checks its failure breaks; Mermaid text when it cannot be drawn. */
async function impactGraph(plan: LabPlan, report: ImpactReport): Promise<{ graphSvg?: string; graphMermaid?: string }> {
  const { graphOfPlan, toMermaid, renderSvg } = await import('../graph/index.js');
  const overlay = impactOverlay(report);
  const nodes = Object.fromEntries(Object.entries(overlay.nodes).map(([n, sev]) => [n, SEVERITY_COLOURS[sev]]));
  const mermaid = toMermaid(await graphOfPlan(plan, { live: false }), { nodes, edge: (a, z) => {
    const sev = linkSeverity(overlay, a, z);
    return sev ? SEVERITY_COLOURS[sev].stroke : undefined;
  } });
  try {
    return { graphSvg: await renderSvg(mermaid) };
  } catch {
    return { graphMermaid: mermaid };
  }
}

/** `runtime`: the lab's (its engines, for a lab over several): checks and faults run on each node's engine. */
export async function runImpactCommand(plan: LabPlan, runtime: Runtime, v: ImpactValues): Promise<number> {
  if (!(IMPACT_FORMATS as readonly string[]).includes(v.format)) throw new KindlabError('USAGE', `--impact writes ${IMPACT_FORMATS.join(', ')}, not ${v.format}`);
  const cluster = plan.cluster ? kubeLookup(plan) : undefined;
  const newContext = () => new LabContext(plan, dockerExec(runtime, plan), cluster);
  const ac = new AbortController();
  const onSignal = () => {
    process.stderr.write('\ninterrupted: restoring the lab (the current fault is cleared)\n');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let faults: FaultRunner | undefined;
  try {
    const view = await loadLabView(plan.labDir);
    const { picked, unknown } = pickElements(impactElements(view, plan), v.elements?.split(',').map((x) => x.trim()).filter(Boolean));
    if (unknown.length) throw new KindlabError('USAGE', `--elements: no link or node "${unknown.join('", "')}" in lab ${plan.name}`, { hint: `elements: ${impactElements(view, plan).map((e) => e.name.split(' (')[0]).join(', ')}` });
    faults = new FaultRunner(view, undefined, runtime);
    if ((await faults.list()).faults.length) throw new KindlabError('VERIFY', `lab ${plan.name} has faults applied (lab fault list): clear them first with lab fault clear`);
    const checks = await labChecks(plan, newContext, v.concurrency);
    const baseline = await runChecks(newContext, checks, { concurrency: v.concurrency, waitMs: Math.max(v.waitMs, 60_000), ...(v.timeoutMs !== undefined ? { timeoutMs: v.timeoutMs } : {}) });
    const red = baseline.filter((r) => !r.passed);
    if (red.length || checks.length === 0) {
      throw new KindlabError('VERIFY', checks.length === 0 ? `lab ${plan.name} has no checks to measure failures against` : `lab ${plan.name} is not green (${red.length} of ${checks.length} checks fail): --impact measures failures from a green lab`, { detail: red.map((r) => `FAIL ${r.name}: ${r.detail}`).join('\n') || undefined, hint: `see: lab verify -t ${plan.file} --wait 60s` });
    }
    process.stderr.write(`lab ${plan.name}: green (${checks.length} checks); failing ${picked.length} elements one at a time\n`);
    const report = await runImpact({
      lab: plan.name,
      checks,
      elements: picked,
      newContext,
      runChecks,
      faults,
      concurrency: v.concurrency,
      ...(v.recoverMs !== undefined ? { recoverMs: v.recoverMs } : {}),
      signal: ac.signal,
      onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    if (v.junit) {
      await writeFile(v.junit, writeImpactJunit(report));
      process.stderr.write(`JUnit XML written to ${v.junit}\n`);
    }
    if (v.html) {
      await writeFile(v.html, writeImpactHtml(report, await impactGraph(plan, report)));
      process.stderr.write(`HTML report written to ${v.html}\n`);
    }
    const text = writeImpact(report, v.format as ImpactFormat);
    if (v.output) {
      await writeFile(v.output, text);
      process.stdout.write(`lab ${plan.name}: impact of ${report.rows.length} faults written to ${v.output}\n`);
    } else process.stdout.write(text);
    return report.stopped ? 1 : 0;
  } finally {
    cluster?.close();
    await faults?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
