import { renameSync, rmSync, writeFileSync } from 'node:fs';
import {
  createParentDirectories,
  DISTRIBUTION_STATISTICS,
  type DistributionSummary,
  type GroupSummary,
  LATENCY_METRICS,
  RATE_METRICS,
  type RunSummary,
  type SummaryExporter,
} from '@llm-lens/metrics';
import { type CsvCell, formatCsvLines, numberCell } from './csv-dialect.js';
import { CsvExportError } from './csv-export-error.js';

/** The columns of a summary CSV, in order. */
export const SUMMARY_CSV_COLUMNS = [
  'run_id',
  'provider',
  'model',
  'scenario',
  'metric',
  'statistic',
  'value',
  'unit',
] as const;

/** One row of a summary CSV. */
export interface SummaryCsvRow {
  run_id: string;
  provider: string;
  model: string;
  scenario: string;
  metric: string;
  statistic: string;
  value: number;
  unit: string;
}

type GroupRow = Pick<SummaryCsvRow, 'metric' | 'statistic' | 'value' | 'unit'>;

function distributionRows(
  metric: string,
  distribution: DistributionSummary | null,
  unit: string,
): GroupRow[] {
  if (distribution === null) return [];
  return DISTRIBUTION_STATISTICS.map((statistic) => ({
    metric,
    statistic,
    value: distribution[statistic],
    unit: statistic === 'count' ? 'samples' : unit,
  }));
}

/** Rows for each named value of an object that is a number (a null one has no row). */
function valueRows(
  metric: string,
  values: Readonly<Record<string, number | null | undefined>>,
  units: Readonly<Record<string, string>>,
): GroupRow[] {
  const rows: GroupRow[] = [];
  for (const [statistic, value] of Object.entries(values)) {
    if (typeof value !== 'number') continue;
    rows.push({ metric, statistic, value, unit: units[statistic] ?? '' });
  }
  return rows;
}

const REQUEST_UNITS = {
  planned: 'requests',
  total: 'requests',
  succeeded: 'requests',
  failed: 'requests',
  warmup: 'requests',
  not_sent: 'requests',
};
const THROUGHPUT_UNITS = {
  window_s: 's',
  requests_per_s: 'requests/s',
  output_tokens_per_s: 'tokens/s',
  dispatch_rate_per_s: 'requests/s',
};
const TOKEN_UNITS = {
  input: 'tokens',
  output: 'tokens',
  reasoning: 'tokens',
  cached_input: 'tokens',
};
const COST_UNITS = {
  total_usd: 'USD',
  per_request_usd: 'USD',
  priced_requests: 'requests',
  unpriced_requests: 'requests',
};
const GOODPUT_UNITS = { requests: 'requests', fraction: 'ratio', requests_per_s: 'requests/s' };

/** The rows of one group, in the documented order. */
function groupRows(group: GroupSummary): GroupRow[] {
  const { requests, throughput, tokens, cost, goodput } = group;
  const rows: GroupRow[] = [
    ...valueRows(
      'requests',
      {
        planned: requests.planned,
        total: requests.total,
        succeeded: requests.succeeded,
        failed: requests.failed,
        warmup: requests.warmup,
        not_sent: requests.not_sent,
      },
      REQUEST_UNITS,
    ),
    { metric: 'success_rate', statistic: 'value', value: group.success_rate, unit: 'ratio' },
  ];
  for (const metric of LATENCY_METRICS) rows.push(...distributionRows(metric, group[metric], 'ms'));
  for (const metric of RATE_METRICS) {
    rows.push(...distributionRows(metric, group[metric], 'tokens/s'));
  }
  rows.push(
    ...valueRows(
      'throughput',
      {
        window_s: throughput.window_s,
        requests_per_s: throughput.requests_per_s,
        output_tokens_per_s: throughput.output_tokens_per_s,
        dispatch_rate_per_s: throughput.dispatch_rate_per_s,
      },
      THROUGHPUT_UNITS,
    ),
    ...valueRows(
      'tokens',
      {
        input: tokens.input,
        output: tokens.output,
        reasoning: tokens.reasoning,
        cached_input: tokens.cached_input,
      },
      TOKEN_UNITS,
    ),
  );
  if (cost !== null) {
    rows.push(
      ...valueRows(
        'cost',
        {
          total_usd: cost.total_usd,
          per_request_usd: cost.per_request_usd,
          priced_requests: cost.priced_requests,
          unpriced_requests: cost.unpriced_requests,
        },
        COST_UNITS,
      ),
    );
  }
  if (goodput !== null) {
    rows.push(
      ...valueRows(
        'goodput',
        {
          requests: goodput.requests,
          fraction: goodput.fraction,
          requests_per_s: goodput.requests_per_s,
        },
        GOODPUT_UNITS,
      ),
    );
  }
  for (const [errorClass, count] of Object.entries(group.errors)) {
    rows.push({ metric: 'errors', statistic: errorClass, value: count, unit: 'requests' });
  }
  return rows;
}

/**
 * The summary as long-format rows: one per group × metric × statistic, for every number
 * the summary holds (a null value, such as a distribution with no samples, has no row).
 */
export function summaryToCsvRows(summary: RunSummary): SummaryCsvRow[] {
  const rows: SummaryCsvRow[] = [];
  for (const group of summary.groups) {
    const labels = {
      run_id: summary.run.run_id,
      provider: group.provider,
      model: group.model,
      scenario: group.scenario,
    };
    for (const row of groupRows(group)) rows.push({ ...labels, ...row });
  }
  return rows;
}

/** The summary CSV text: the header, then {@link summaryToCsvRows}. */
export function formatSummaryCsv(summary: RunSummary): string {
  const lines: CsvCell[][] = [[...SUMMARY_CSV_COLUMNS]];
  for (const row of summaryToCsvRows(summary)) {
    lines.push(
      SUMMARY_CSV_COLUMNS.map((column) => {
        const value = row[column];
        return typeof value === 'number' ? numberCell(value) : value;
      }),
    );
  }
  return formatCsvLines(lines);
}

/**
 * Writes the summary CSV atomically (temp file + rename): a reader never sees half a file,
 * and a failed write leaves no temp file behind.
 */
export function writeSummaryCsv(path: string, summary: RunSummary): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    createParentDirectories(path);
    writeFileSync(temp, formatSummaryCsv(summary));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CsvExportError(
      'LENS_EXPORT_CSV_WRITE',
      `cannot write the summary CSV ${path}: ${(error as Error).message}. Give a file path in a writable directory (--export csv-summary=FILE.csv).`,
      { cause: error },
    );
  }
}

/** The summary CSV exporter: {@link writeSummaryCsv} to one path. */
export class SummaryCsvExporter implements SummaryExporter {
  constructor(readonly path: string) {}

  async export(summary: RunSummary): Promise<void> {
    writeSummaryCsv(this.path, summary);
  }
}
