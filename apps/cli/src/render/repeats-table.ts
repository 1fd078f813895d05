// `--repeat K`: each group's statistics across the runs, so a reader sees which numbers are
// stable and which are noise.
import type { RepeatReport, RepeatSpread, RepeatStatistic } from '@llm-lens/metrics';
import Table from 'cli-table3';
import { type Colors, formatMs, formatPercent, formatRate } from './format.js';

const LABELS: Record<RepeatStatistic, string> = {
  'ttft.p50': 'TTFT p50 (ms)',
  'ttft.p95': 'TTFT p95 (ms)',
  'ttft.p99': 'TTFT p99 (ms)',
  'itl.p50': 'ITL p50 (ms)',
  'itl.p95': 'ITL p95 (ms)',
  'tpot.p50': 'TPOT p50 (ms)',
  'e2e.p50': 'E2E p50 (ms)',
  'e2e.p95': 'E2E p95 (ms)',
  'throughput.requests_per_s': 'Requests/s',
  'throughput.output_tokens_per_s': 'Output tokens/s',
  success_rate: 'Success rate',
  'goodput.fraction': 'Goodput',
};

/** A coefficient of variation above which a statistic is flagged as noisy. */
export const NOISY_CV = 0.1;

function format(statistic: RepeatStatistic, value: number): string {
  if (statistic.startsWith('throughput.')) return formatRate(value);
  if (statistic === 'success_rate' || statistic === 'goodput.fraction') return formatPercent(value);
  return formatMs(value);
}

function row(spread: RepeatSpread, colors: Colors): string[] {
  const f = (value: number) => format(spread.statistic, value);
  const half = spread.ci95 === null ? null : (spread.ci95[1] - spread.ci95[0]) / 2;
  const cv = spread.cv === null ? '-' : formatPercent(spread.cv);
  return [
    LABELS[spread.statistic],
    f(spread.mean),
    half === null ? '-' : `± ${f(half)}`,
    spread.cv !== null && spread.cv > NOISY_CV ? colors.yellow(cv) : cv,
    `${f(spread.min)} – ${f(spread.max)}`,
  ];
}

/**
 * One table per group: each statistic's mean over the runs, the half-width of its 95 %
 * confidence interval, its coefficient of variation (yellow above 10 %) and its range.
 */
export function renderRepeats(report: RepeatReport, colors: Colors): string {
  const lines = [
    colors.bold(`Across ${report.runs} runs (mean, 95% confidence interval, variation, range)`),
  ];
  for (const group of report.groups) {
    lines.push(`${group.provider} · ${group.model} · ${group.scenario}`);
    const table = new Table({
      head: ['', 'mean', '95% CI', 'CV', 'range'],
      style: { head: [], border: [], compact: true },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      colAligns: ['left', 'right', 'right', 'right', 'right'],
    });
    for (const spread of group.statistics) table.push(row(spread, colors));
    lines.push(table.toString());
  }
  return `${lines.join('\n')}\n`;
}
