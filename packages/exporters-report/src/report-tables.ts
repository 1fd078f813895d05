// The report's content as plain tables and lines, built once from the summary: the Markdown
// and the HTML report render the same numbers, each in its own markup.
import {
  describeSlo,
  type GroupSummary,
  type RunSummary,
  type SweepReport,
} from '@llm-lens/metrics';
import {
  formatDuration,
  formatMs,
  formatPercent,
  formatRate,
  formatRelative,
  formatUsd,
  MISSING,
} from './cell-format.js';

/** One cell: its text, and what it stands out for. */
export interface ReportCell {
  text: string;
  /** A second, quieter part of the text (a target's scenario): `text · subtext` in one line of Markdown. */
  subtext?: string;
  /** The best value of its column (comparison), or the best level of a sweep. */
  isBest?: boolean;
  /** A value to look at: the knee of a sweep, an interrupted run. */
  isWarning?: boolean;
  /** The cell names a target: its index in `summary.groups` (the HTML report colours it). */
  targetIndex?: number;
}

export interface ReportColumn {
  label: string;
  align: 'left' | 'right';
}

export interface ReportTable {
  columns: ReportColumn[];
  rows: ReportCell[][];
}

/** A sweep as the report shows it: a table of its levels and where it bent. */
export interface SweepSection {
  title: string;
  table: ReportTable;
  /** Where the sweep bent and why, or that it did not. */
  kneeLine: string;
  /** The best level before the knee, when there is one. */
  bestLine: string | null;
}

/** Everything the report says, as text. */
export interface ReportContent {
  header: {
    runId: string;
    startedAt: string;
    endedAt: string;
    duration: string;
    toolVersion: string;
    complete: boolean;
    /** `complete` or `interrupted`. */
    status: string;
  };
  /** One row per target (provider · model · scenario). */
  results: ReportTable;
  /** Each statistic of each target relative to the best target's; null with fewer than 2 targets. */
  comparison: ReportTable | null;
  errors: ReportTable | null;
  fidelity: { line: string; clientBound: boolean | null; warnings: string[] };
  goodput: ReportTable | null;
  sweeps: SweepSection[];
}

/** A statistic of the results and comparison tables. */
interface Statistic {
  label: string;
  value: (group: GroupSummary) => number | null | undefined;
  format: (value: number | null | undefined) => string;
  isLowerBetter: boolean;
}

const STATISTICS: readonly Statistic[] = [
  stat('Success', (g) => g.success_rate, formatPercent, false),
  stat('TTFT p50 (ms)', (g) => g.ttft?.p50, formatMs, true),
  stat('TTFT p95 (ms)', (g) => g.ttft?.p95, formatMs, true),
  stat('TTFT p99 (ms)', (g) => g.ttft?.p99, formatMs, true),
  stat('ITL p50 (ms)', (g) => g.itl?.p50, formatMs, true),
  stat('ITL p95 (ms)', (g) => g.itl?.p95, formatMs, true),
  stat('TPOT p50 (ms)', (g) => g.tpot?.p50, formatMs, true),
  stat('E2E p50 (ms)', (g) => g.e2e?.p50, formatMs, true),
  stat('E2E p95 (ms)', (g) => g.e2e?.p95, formatMs, true),
  stat('req/s', (g) => g.throughput.requests_per_s, formatRate, false),
  stat('output tok/s', (g) => g.throughput.output_tokens_per_s, formatRate, false),
];

const COST_STATISTIC = stat('cost/request', (g) => g.cost?.per_request_usd, formatUsd, true);

function stat(
  label: string,
  value: Statistic['value'],
  format: Statistic['format'],
  isLowerBetter: boolean,
): Statistic {
  return { label, value, format, isLowerBetter };
}

/** `openai · gpt-4o-mini · chat`: how the report names a target. */
export function targetLabel(group: Pick<GroupSummary, 'provider' | 'model' | 'scenario'>): string {
  return `${group.provider} · ${group.model} · ${group.scenario}`;
}

function statisticsOf(summary: RunSummary): readonly Statistic[] {
  const isPriced = summary.groups.some((g) => g.cost !== null);
  return isPriced ? [...STATISTICS, COST_STATISTIC] : STATISTICS;
}

function targetCell(group: GroupSummary, index: number): ReportCell {
  return {
    text: `${group.provider} · ${group.model}`,
    subtext: group.scenario,
    targetIndex: index,
  };
}

/** Builds the report's tables and lines from a run summary (pure). */
export function buildReportContent(summary: RunSummary): ReportContent {
  const startedMs = Date.parse(summary.run.started_at);
  const endedMs = Date.parse(summary.run.ended_at);
  return {
    header: {
      runId: summary.run.run_id,
      startedAt: summary.run.started_at,
      endedAt: summary.run.ended_at,
      duration: formatDuration(endedMs - startedMs),
      toolVersion: summary.run.tool_version,
      complete: summary.complete,
      status: summary.complete ? 'complete' : 'interrupted',
    },
    results: resultsTable(summary),
    comparison: summary.groups.length >= 2 ? comparisonTable(summary) : null,
    errors: errorsTable(summary),
    fidelity: fidelityOf(summary),
    goodput: goodputTable(summary),
    sweeps: summary.sweeps.map(sweepSection),
  };
}

function resultsTable(summary: RunSummary): ReportTable {
  const statistics = statisticsOf(summary);
  return {
    columns: [
      { label: 'Target', align: 'left' },
      { label: 'Requests', align: 'right' },
      ...statistics.map((s): ReportColumn => ({ label: s.label, align: 'right' })),
    ],
    rows: summary.groups.map((group, index) => [
      targetCell(group, index),
      { text: requestsText(group) },
      ...statistics.map((s): ReportCell => ({ text: s.format(s.value(group)) })),
    ]),
  };
}

/** `200`, or `180 of 200` when some planned requests were never sent. */
function requestsText(group: GroupSummary): string {
  const total = group.requests.total.toLocaleString('en-US');
  if (group.requests.planned !== null && group.requests.planned > group.requests.total) {
    return `${total} of ${group.requests.planned.toLocaleString('en-US')}`;
  }
  return total;
}

function comparisonTable(summary: RunSummary): ReportTable {
  const statistics = statisticsOf(summary);
  const columns: ReportColumn[] = [
    { label: 'Target', align: 'left' },
    ...statistics.map((s): ReportColumn => ({ label: s.label, align: 'right' })),
  ];
  const bests = statistics.map((s) => {
    const values = summary.groups
      .map((g) => s.value(g))
      .filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    if (values.length === 0) return null;
    return s.isLowerBetter ? Math.min(...values) : Math.max(...values);
  });
  const rows = summary.groups.map((group, index) => [
    targetCell(group, index),
    ...statistics.map((s, i): ReportCell => {
      const value = s.value(group);
      const best = bests[i] ?? null;
      if (value === null || value === undefined || !Number.isFinite(value) || best === null) {
        return { text: MISSING };
      }
      if (value === best) return { text: 'best', isBest: true };
      if (best === 0) return { text: MISSING };
      return { text: formatRelative(value / best - 1) };
    }),
  ]);
  return { columns, rows };
}

function errorsTable(summary: RunSummary): ReportTable | null {
  const rows: ReportCell[][] = [];
  summary.groups.forEach((group, index) => {
    const classes = Object.entries(group.errors)
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1]);
    for (const [errorClass, count] of classes) {
      rows.push([
        targetCell(group, index),
        { text: errorClass },
        { text: count.toLocaleString('en-US') },
        { text: group.error_examples[errorClass] ?? MISSING },
      ]);
    }
  });
  if (rows.length === 0) return null;
  return {
    columns: [
      { label: 'Target', align: 'left' },
      { label: 'Error class', align: 'left' },
      { label: 'Count', align: 'right' },
      { label: 'Example message', align: 'left' },
    ],
    rows,
  };
}

function fidelityOf(summary: RunSummary): ReportContent['fidelity'] {
  const f = summary.fidelity;
  const threads = f.workers > 1 ? `, worst of ${f.workers} worker threads` : '';
  const delay = `event-loop delay p99 ${formatMs(f.event_loop_delay_p99_ms)} ms, max ${formatMs(f.event_loop_delay_max_ms)} ms${threads}`;
  let verdict: string;
  if (f.client_bound === null)
    verdict = 'run too short to judge whether the client was the bottleneck';
  else if (f.client_bound)
    verdict = 'CLIENT-BOUND: these numbers describe this client, not the API';
  else verdict = 'the client was not the bottleneck';
  return {
    line: `client_bound ${String(f.client_bound)}: ${verdict} (${delay})`,
    clientBound: f.client_bound,
    warnings: [...f.warnings],
  };
}

function goodputTable(summary: RunSummary): ReportTable | null {
  const rows: ReportCell[][] = [];
  summary.groups.forEach((group, index) => {
    const goodput = group.goodput;
    if (goodput === null) return;
    rows.push([
      targetCell(group, index),
      { text: describeSlo(goodput.slo) },
      {
        text: `${goodput.requests.toLocaleString('en-US')} of ${group.requests.total.toLocaleString('en-US')}`,
      },
      { text: formatPercent(goodput.fraction) },
      { text: formatRate(goodput.requests_per_s) },
    ]);
  });
  if (rows.length === 0) return null;
  return {
    columns: [
      { label: 'Target', align: 'left' },
      { label: 'SLO', align: 'left' },
      { label: 'Met SLO', align: 'right' },
      { label: 'Goodput', align: 'right' },
      { label: 'Goodput req/s', align: 'right' },
    ],
    rows,
  };
}

function sweepSection(sweep: SweepReport): SweepSection {
  const rows = sweep.levels.map((level): ReportCell[] => {
    const isKnee = sweep.knee?.value === level.value;
    const isBest = sweep.best?.value === level.value;
    const mark = (text: string): ReportCell =>
      isKnee ? { text, isWarning: true } : isBest ? { text, isBest: true } : { text };
    return [
      mark(String(level.value)),
      mark(formatRate(level.requests_per_s)),
      mark(formatRate(level.output_tokens_per_s)),
      mark(formatMs(level.ttft_p50_ms)),
      mark(formatMs(level.ttft_p95_ms)),
      mark(formatMs(level.e2e_p95_ms)),
      mark(formatPercent(level.error_rate)),
      mark(level.requests.toLocaleString('en-US')),
      mark(isKnee ? 'knee' : isBest ? 'best' : ''),
    ];
  });
  const last = sweep.levels.at(-1)?.value;
  const kneeLine =
    sweep.knee === null
      ? `No knee: throughput still rose and latency and errors stayed within bounds up to ${sweep.parameter} = ${last ?? MISSING}; sweep higher to find it.`
      : `Knee at ${sweep.parameter} = ${sweep.knee.value}: ${sweep.knee.reasons.join('; ')}.`;
  const bestLine =
    sweep.best === null
      ? null
      : `Best before the knee: ${sweep.parameter} = ${sweep.best.value}, ${formatRate(sweep.best.output_tokens_per_s)} output tok/s, ${formatRate(sweep.best.requests_per_s)} req/s.`;
  return {
    title: `Sweep of ${sweep.parameter}: ${sweep.provider} · ${sweep.model} · ${sweep.scenario}`,
    table: {
      columns: [
        { label: sweep.parameter, align: 'right' },
        { label: 'req/s', align: 'right' },
        { label: 'output tok/s', align: 'right' },
        { label: 'TTFT p50 (ms)', align: 'right' },
        { label: 'TTFT p95 (ms)', align: 'right' },
        { label: 'E2E p95 (ms)', align: 'right' },
        { label: 'Errors', align: 'right' },
        { label: 'Requests', align: 'right' },
        { label: '', align: 'left' },
      ],
      rows,
    },
    kneeLine,
    bestLine,
  };
}
