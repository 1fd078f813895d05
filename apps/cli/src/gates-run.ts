import { writeFileSync } from 'node:fs';
import type { RequestRecord } from '@llm-lens/core-timing';
import { renderMarkdownReport } from '@llm-lens/exporters-report';
import {
  appendStepSummary,
  type ComparisonTableRow,
  evaluateThresholds,
  formatValue,
  groupLabel,
  parseThreshold,
  type RegressionCheck,
  renderGatesMarkdown,
  renderJUnit,
  type Threshold,
  type ThresholdBreach,
  type ThresholdMonitor,
  type ThresholdResult,
  thresholdsPassed,
} from '@llm-lens/gates';
import {
  createParentDirectories,
  probeOutputPath,
  type RecordSink,
  type RunSummary,
} from '@llm-lens/metrics';
import Table from 'cli-table3';
import { CliError } from './cli-error.js';
import type { Colors } from './render/format.js';

/** The gate flags of `benchmark`, as yargs gives them. */
export interface GateFlags {
  threshold?: string[] | undefined;
  abortOnFail?: boolean | undefined;
  junit?: string | undefined;
  markdown?: string | undefined;
}

/** What a run is held to, parsed before anything is sent. */
export interface GatePlan {
  thresholds: Threshold[];
  abortOnFail: boolean;
  junit: string | undefined;
  markdown: string | undefined;
}

/**
 * Parses the config's `thresholds` and every `--threshold` (the config's first), so a typo
 * is a usage error naming `thresholds[i]` or the flag, with the valid names, before the run.
 */
export function planGates(
  config: { thresholds?: string[] | undefined; abort_on_fail?: boolean | undefined },
  flags: GateFlags,
): GatePlan {
  const thresholds: Threshold[] = [];
  try {
    (config.thresholds ?? []).forEach((text, i) => {
      thresholds.push(parseThreshold(text, `thresholds[${i}]`));
    });
    for (const text of flags.threshold ?? []) thresholds.push(parseThreshold(text, '--threshold'));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const abortOnFail = flags.abortOnFail ?? config.abort_on_fail ?? false;
  if (abortOnFail && thresholds.length === 0) {
    throw new CliError(
      "--abort-on-fail stops a run when a threshold can no longer pass, and there is none: add one with --threshold (e.g. --threshold 'success_rate>=0.99') or thresholds: in the config",
    );
  }
  const problems: string[] = [];
  for (const [flag, path] of [
    ['--junit', flags.junit],
    ['--markdown', flags.markdown],
  ] as const) {
    if (path === undefined) continue;
    const problem = probeOutputPath(path);
    if (problem !== undefined) problems.push(`${flag}: ${path} ${problem}`);
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  return { thresholds, abortOnFail, junit: flags.junit, markdown: flags.markdown };
}

/**
 * `--abort-on-fail`: a record sink that feeds a {@link ThresholdMonitor} and aborts `stop`
 * at the first threshold that can no longer pass, keeping the breach for the report.
 */
export class AbortOnFailSink implements RecordSink {
  readonly #monitor: ThresholdMonitor;
  readonly #stop: AbortController;
  breach: ThresholdBreach | undefined;

  constructor(monitor: ThresholdMonitor, stop: AbortController) {
    this.#monitor = monitor;
    this.#stop = stop;
  }

  write(record: RequestRecord): boolean {
    if (this.breach !== undefined) return true;
    this.#monitor.add(record);
    const [breach] = this.#monitor.check();
    if (breach !== undefined) {
      this.breach = breach;
      this.#stop.abort();
    }
    return true;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {}
}

/** What the gates said of a run: goes into the summary's `gates` block. */
export interface GatesReport {
  thresholds: ThresholdResult[];
  /** With --abort-on-fail, the threshold that stopped the run early; else null. */
  aborted: ThresholdBreach | null;
  /** With --baseline: what the run was compared with, the table and the checks; else null. */
  baseline: Record<string, unknown> | null;
  comparison: ComparisonTableRow[] | null;
  regressions: RegressionCheck[] | null;
  passed: boolean;
}

/** Judges the finished run against its thresholds (and the baseline's checks, when given). */
export function judgeRun(
  summary: RunSummary,
  plan: GatePlan,
  extra: {
    aborted?: ThresholdBreach | undefined;
    baseline?: Record<string, unknown> | null;
    comparison?: ComparisonTableRow[] | null;
    regressions?: RegressionCheck[] | null;
  } = {},
): GatesReport {
  const thresholds = evaluateThresholds(summary, plan.thresholds);
  const regressions = extra.regressions ?? null;
  return {
    thresholds,
    aborted: extra.aborted ?? null,
    baseline: extra.baseline ?? null,
    comparison: extra.comparison ?? null,
    regressions,
    passed:
      thresholdsPassed(thresholds) &&
      extra.aborted === undefined &&
      (regressions ?? []).every((check) => check.passed),
  };
}

/** Whether the run has anything for the gates to say. */
export function hasGates(plan: GatePlan, report: GatesReport): boolean {
  return plan.thresholds.length > 0 || report.regressions !== null || report.comparison !== null;
}

/** The pass/fail table of the console, one row per threshold × group. */
export function renderGatesTable(report: GatesReport, colors: Colors): string {
  const lines: string[] = [];
  if (report.thresholds.length > 0) {
    const table = new Table({
      head: ['threshold', 'target', 'value', 'limit', ''],
      style: { head: [], border: [], compact: true },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      colAligns: ['left', 'left', 'right', 'right', 'left'],
    });
    for (const result of report.thresholds) {
      if (result.groups.length === 0) {
        table.push([result.threshold, '(no group matched)', '—', '', colors.red('FAIL')]);
        continue;
      }
      for (const group of result.groups) {
        table.push([
          result.threshold,
          groupLabel(group),
          group.value === null ? '—' : formatValue(group.value, result.unit),
          `${result.operator} ${formatValue(result.limit, result.unit)}`,
          group.passed ? colors.green('pass') : colors.red('FAIL'),
        ]);
      }
    }
    lines.push(`\nThresholds\n${table.toString()}`);
  }
  if (report.aborted !== null) {
    lines.push(colors.red(`Stopped early (--abort-on-fail): ${report.aborted.message}`));
  }
  if (report.regressions !== null && report.regressions.length > 0) {
    const table = new Table({
      head: ['regression check', 'result', ''],
      style: { head: [], border: [], compact: true },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const check of report.regressions) {
      table.push([
        check.name,
        check.message,
        check.passed ? colors.green('pass') : colors.red('FAIL'),
      ]);
    }
    lines.push(`\nRegressions against the baseline\n${table.toString()}`);
  }
  const failed =
    report.thresholds.filter((t) => !t.passed).length +
    (report.regressions ?? []).filter((r) => !r.passed).length;
  lines.push(
    report.passed
      ? colors.green('Gates: every check passed')
      : colors.red(`Gates: ${failed} check${failed === 1 ? '' : 's'} failed (exit code 4)`),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `--junit` and `--markdown`, and appends the Markdown to `$GITHUB_STEP_SUMMARY` when
 * the run is inside GitHub Actions: the results table and fidelity line, then the gates.
 */
export function writeGateOutputs(
  summary: RunSummary,
  plan: GatePlan,
  report: GatesReport,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const written: string[] = [];
  if (plan.junit !== undefined) {
    createParentDirectories(plan.junit);
    writeFileSync(
      plan.junit,
      renderJUnit({
        run: summary.run,
        thresholds: report.thresholds,
        regressions: report.regressions,
        properties: { tool_version: summary.run.tool_version },
      }),
    );
    written.push(plan.junit);
  }
  const wantsMarkdown = plan.markdown !== undefined || env.GITHUB_STEP_SUMMARY !== undefined;
  if (!wantsMarkdown) return written;
  const markdown = `${renderMarkdownReport(summary)}\n${renderGatesMarkdown({
    thresholds: report.thresholds,
    regressions: report.regressions,
    comparison: report.comparison,
  })}`;
  if (plan.markdown !== undefined) {
    createParentDirectories(plan.markdown);
    writeFileSync(plan.markdown, markdown);
    written.push(plan.markdown);
  }
  if (env.GITHUB_STEP_SUMMARY !== undefined && env.GITHUB_STEP_SUMMARY !== '') {
    appendStepSummary(markdown, env);
  }
  return written;
}
