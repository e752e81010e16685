/** `lab verify -t FILE [--format text|markdown|json|junit|html] [-o FILE] [--wait D] [--timeout D]` */
import { labLoadOptions } from './load-options.js';
import { writeFile } from 'node:fs/promises';
import { KindlabError } from '../errors.js';
import { pickFormat, requireTopo, type ReportValues } from './args.js';
import { DockerRuntime, runtimeForLab } from '../runtime/index.js';
import { LABEL_LAB } from '../runtime/index.js';
import { loadLabPlan } from '../runtime/index.js';
import { dockerExec } from '../verify/index.js';
import { REPORT_FORMATS, formatCheckList, formatMs, listChecks, parseDuration, stageSummary, verifyLab, writeReport, type ReportFormat } from '../verify/index.js';
import { labKubectl } from '../verify/index.js';

const USAGE = `usage: lab verify -t FILE [--format ${REPORT_FORMATS.join('|')}] [-o FILE] [--wait DURATION] [--timeout DURATION] [--concurrency N] [--node NODE] [--list]`;

function duration(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (typeof ms === 'string') throw new KindlabError('USAGE', `--${flag}: ${ms}`, { detail: USAGE });
  return ms;
}

export interface VerifyValues extends ReportValues {
  wait?: string;
  timeout?: string;
  concurrency: string;
  impact?: boolean;
  elements?: string;
  'recover-timeout'?: string;
  junit?: string;
  html?: string;
  node?: string;
  list?: boolean;
}

export async function runVerify(values: VerifyValues): Promise<number> {
  const format: ReportFormat = pickFormat(values.format, REPORT_FORMATS, USAGE);
  const topo = requireTopo(values.topo, USAGE);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new KindlabError('USAGE', `--concurrency: "${values.concurrency}" is not a positive integer`, { detail: USAGE });
  const waitMs = duration('wait', values.wait) ?? 0;
  const timeoutMs = duration('timeout', values.timeout);

  const plan = await loadLabPlan(topo, labLoadOptions());
  // a lab over several engines (hosts:): each check runs on its node's engine
  const local = new DockerRuntime();
  const runtime = await runtimeForLab(plan.name, { hosts: plan.hosts, labDir: plan.labDir, local });
  const running = (await runtime.listContainers({ [LABEL_LAB]: plan.name })).filter((c) => c.state === 'running');
  if (running.length === 0) throw new KindlabError('LAB_NOT_FOUND', `lab ${plan.name} is not running`, { hint: `deploy it first: lab deploy -t ${topo}` });
  if ((values.junit || values.html) && !values.impact) throw new KindlabError('USAGE', '--junit and --html go with --impact (for a plain verify use --format junit|html -o FILE)', { detail: USAGE });
  if (values.node !== undefined && !plan.nodes.some((n) => n.name === values.node)) {
    throw new KindlabError('NODE_NOT_FOUND', `--node: node "${values.node}" is not in lab ${plan.name}`, { hint: `nodes: ${plan.nodes.map((n) => n.name).join(', ')}` });
  }
  if (values.list) {
    const checks = await listChecks(plan, dockerExec(runtime, plan), { concurrency, ...(values.node !== undefined ? { node: values.node } : {}) });
    if (format === 'json') process.stdout.write(`${JSON.stringify(checks.map(({ pos: _pos, ...e }) => e), null, 2)}\n`);
    else process.stdout.write(formatCheckList(checks));
    return 0;
  }
  if (values.impact) {
    const { runImpactCommand } = await import('./impact.js');
    return runImpactCommand(plan, runtime, { format: values.format, output: values.output, concurrency, waitMs, elements: values.elements, recoverMs: duration('recover-timeout', values['recover-timeout']), junit: values.junit, html: values.html, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  }

  const progress = process.stderr.isTTY && !!values.wait;
  const report = await verifyLab(plan, {
    exec: dockerExec(runtime, plan),
    kubectl: labKubectl(plan),
    onStage: (stage, i, stages) => {
      if (process.stderr.isTTY) process.stderr.write(`${stageSummary(stage, i, stages.length)}\n`);
    },
    concurrency,
    waitMs,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(values.node !== undefined ? { node: values.node } : {}),
    onRound: (round, results) => {
      const failing = results.filter((r) => !r.passed).length;
      if (progress && failing > 0) process.stderr.write(`round ${round}: ${failing} of ${results.length} checks failing${waitMs ? `, retrying for up to ${formatMs(waitMs)}` : ''}\n`);
    },
  });
  const extra = format === 'html' ? await graphForHtml(topo) : {};
  const color = !values.output && process.stdout.isTTY && !process.env['NO_COLOR'];
  const text = writeReport(report, format, { color, ...extra });
  if (values.output) {
    await writeFile(values.output, text);
    process.stdout.write(`lab ${report.lab}: ${report.checks.filter((c) => c.passed).length}/${report.checks.length} checks passed; ${format} report written to ${values.output}\n`);
  } else process.stdout.write(text);
  return report.passed ? 0 : 1;
}

/** The lab graph (with session state) for the HTML report; Mermaid source when it cannot be drawn. */
async function graphForHtml(file: string): Promise<{ graphSvg?: string; graphMermaid?: string }> {
  const { graphOfPlan, toMermaid, renderSvg } = await import('../graph/index.js');
  const model = await graphOfPlan(await loadLabPlan(file, labLoadOptions()), { live: true });
  const mermaid = toMermaid(model);
  try {
    return { graphSvg: await renderSvg(mermaid) };
  } catch {
    return { graphMermaid: mermaid };
  }
}
