import {
  describeSlo,
  type GoodputSummary,
  type GroupSummary,
  type LatencyMetric,
  type ResilienceSummary,
  type RunFidelity,
  type RunSummary,
  type SweepReport,
} from '@llm-lens/metrics';
import { type ServerMetricsReport, serverView } from '@llm-lens/server-metrics';
import Table from 'cli-table3';
import { calibrationLine } from '../commands/calibrate.js';
import { type Colors, formatMs, formatPercent, formatRate, formatUsd } from './format.js';
import { renderRepeats } from './repeats-table.js';
import { budgetWarning, maxAttemptsOf, resilienceLines, retriesLine } from './resilience-lines.js';
import { sessionsLine } from './session-line.js';

const LATENCY_ROWS: Array<{ key: LatencyMetric; label: string }> = [
  { key: 'ttft', label: 'TTFT' },
  { key: 'ttfo', label: 'TTFO (first answer token)' },
  { key: 'itl', label: 'ITL (per token)' },
  { key: 'chunk_gap', label: 'Chunk gap' },
  { key: 'tpot', label: 'TPOT' },
  { key: 'e2e', label: 'E2E' },
  { key: 'ttfb', label: 'TTFB (headers)' },
  { key: 'ttft_from_schedule', label: 'TTFT from schedule' },
  { key: 'e2e_from_schedule', label: 'E2E from schedule' },
  { key: 'queue', label: 'Queue (waited to go)' },
  { key: 'schedule_lag', label: 'Schedule lag (client)' },
];

/** Rows shown only when requests waited to go: otherwise they repeat TTFT and E2E. */
const WHEN_QUEUED: ReadonlySet<LatencyMetric> = new Set([
  'ttft_from_schedule',
  'e2e_from_schedule',
  'queue',
  'schedule_lag',
]);

/** Queue p99 (ms) from which the from-schedule rows are worth a look. */
const QUEUED_P99_MS = 1;

/**
 * The console report: a latency table per provider/model/scenario, then usage, requests,
 * multi-turn sessions, errors (with the first message of each error class) and retries; then the run's lines:
 * the server's view, rate limits, circuit breakers and the budget, and the fidelity line.
 */
export function renderSummary(summary: RunSummary, colors: Colors): string {
  const out: string[] = [];
  // Absent from summaries written before the resilience block existed.
  const resilience = summary.resilience ?? null;
  for (const group of summary.groups) out.push(renderGroup(group, colors, resilience));
  for (const sweep of summary.sweeps ?? []) out.push(renderSweep(sweep, colors));
  if (summary.repeats) out.push(renderRepeats(summary.repeats, colors));
  if (summary.server_metrics) {
    out.push(serverLine(summary.server_metrics as unknown as ServerMetricsReport, colors));
  }
  out.push(...resilienceLines(resilience, summary.run.started_at, colors));
  out.push(fidelityLine(summary.fidelity, colors));
  if (summary.fidelity.calibration !== null) {
    out.push(colors.dim(`Calibration: ${calibrationLine(summary.fidelity.calibration)}`));
  }
  for (const warning of summary.fidelity.warnings) out.push(colors.yellow(`warning: ${warning}`));
  const budgetStop = budgetWarning(resilience);
  if (budgetStop !== undefined) out.push(colors.yellow(budgetStop));
  if (!summary.complete) {
    out.push(colors.yellow('Run interrupted: results are partial ("complete": false).'));
  }
  return `${out.join('\n')}\n`;
}

/** A sweep's levels side by side, then where it bent and the best level before that. */
export function renderSweep(sweep: SweepReport, colors: Colors): string {
  const lines = [
    colors.bold(
      `Sweep of ${sweep.parameter}: ${sweep.provider} · ${sweep.model} · ${sweep.scenario}`,
    ),
  ];
  const table = new Table({
    head: [sweep.parameter, 'req/s', 'tokens/s', 'TTFT p50', 'TTFT p95', 'E2E p95', 'errors', 'n'],
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const level of sweep.levels) {
    const row = [
      String(level.value),
      formatRate(level.requests_per_s),
      formatRate(level.output_tokens_per_s),
      level.ttft_p50_ms === null ? '-' : formatMs(level.ttft_p50_ms),
      level.ttft_p95_ms === null ? '-' : formatMs(level.ttft_p95_ms),
      level.e2e_p95_ms === null ? '-' : formatMs(level.e2e_p95_ms),
      formatPercent(level.error_rate),
      String(level.requests),
    ];
    table.push(sweep.knee?.value === level.value ? row.map((cell) => colors.yellow(cell)) : row);
  }
  lines.push(table.toString());
  if (sweep.knee === null) {
    lines.push(
      colors.green(
        `No knee: throughput still rose and latency and errors stayed within bounds at ${sweep.parameter}=${sweep.levels.at(-1)?.value ?? '-'}; sweep higher to find it`,
      ),
    );
  } else {
    lines.push(
      colors.yellow(
        `Knee at ${sweep.parameter}=${sweep.knee.value}: ${sweep.knee.reasons.join('; ')}`,
      ),
    );
  }
  if (sweep.best !== null) {
    lines.push(
      `Best before the knee: ${sweep.parameter}=${sweep.best.value}, ${formatRate(sweep.best.output_tokens_per_s)} output tokens/s, ${formatRate(sweep.best.requests_per_s)} req/s`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What the server said about itself during the run, in one line (`--server-metrics`). */
export function serverLine(report: ServerMetricsReport, colors: Colors): string {
  const view = serverView(report);
  const parts: string[] = [];
  if (view.peak_running !== null) parts.push(`running peak ${view.peak_running}`);
  if (view.peak_waiting !== null) parts.push(`waiting peak ${view.peak_waiting}`);
  if (view.max_kv_cache_usage !== null) {
    parts.push(`KV cache max ${formatPercent(view.max_kv_cache_usage)}`);
  }
  if (view.server_ttft_p50_ms !== null) {
    parts.push(
      `server TTFT p50 ${formatMs(view.server_ttft_p50_ms)} ms, p95 ${view.server_ttft_p95_ms === null ? '-' : formatMs(view.server_ttft_p95_ms)} ms (bucketed)`,
    );
  }
  const failed =
    view.scrapes_failed > 0
      ? colors.yellow(
          ` · ${view.scrapes_failed} scrape(s) failed${view.first_error === null ? '' : `, first: ${view.first_error}`}`,
        )
      : '';
  const what = parts.length > 0 ? parts.join(', ') : 'no known metric';
  return `Server view (${view.server ?? 'unknown server'}, ${report.url}): ${what}${failed}`;
}

function fidelityLine(f: RunFidelity, colors: Colors): string {
  const threads = f.workers > 1 ? ` (worst of ${f.workers} worker threads)` : '';
  const delay = `event-loop delay p99 ${formatMs(f.event_loop_delay_p99_ms)} ms, max ${formatMs(f.event_loop_delay_max_ms)} ms${threads}`;
  let verdict: string;
  if (f.client_bound === null) {
    verdict = colors.dim('run too short to judge whether the client was the bottleneck');
  } else if (f.client_bound) {
    verdict = colors.red('CLIENT-BOUND: numbers may describe this machine, not the API');
  } else {
    verdict = colors.green('client not the bottleneck');
  }
  const c = f.calibration;
  const bound =
    c === null
      ? ''
      : `; measurement error on this machine at C=${c.concurrency}: TTFT p99 ≤ ${c.ttft_error_ms.p99} ms, gap p99 ≤ ${c.chunk_gap_error_ms.p99} ms`;
  return `Fidelity: ${delay} — ${verdict}${bound}`;
}

function renderGroup(
  group: GroupSummary,
  colors: Colors,
  resilience: ResilienceSummary | null,
): string {
  const lines: string[] = [];
  lines.push(
    colors.bold(`${group.provider} · ${group.model} · ${group.scenario}`) +
      (group.complete ? '' : colors.yellow('  (partial)')),
  );
  const table = new Table({
    head: ['metric (ms)', 'min', 'mean', 'p50', 'p95', 'p99', 'max', 'n'],
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  let rows = 0;
  const queued = (group.queue?.p99 ?? 0) >= QUEUED_P99_MS;
  for (const row of LATENCY_ROWS) {
    const d = group[row.key];
    if (!d) continue;
    if (WHEN_QUEUED.has(row.key) && !queued) continue;
    if (
      row.key === 'ttfo' &&
      group.ttft &&
      d.p50 === group.ttft.p50 &&
      d.count === group.ttft.count
    ) {
      continue;
    }
    rows++;
    table.push([
      row.label,
      formatMs(d.min),
      formatMs(d.mean),
      formatMs(d.p50),
      formatMs(d.p95),
      formatMs(d.p99),
      formatMs(d.max),
      String(d.count),
    ]);
  }
  if (rows > 0) {
    lines.push(table.toString());
    const rate = group.output_tokens_per_s;
    const decode = group.decode_tokens_per_s;
    lines.push(
      `Tokens/s per request: p50 ${formatRate(rate?.p50)} (decode rate p50 ${formatRate(decode?.p50)})` +
        ` · run throughput ${formatRate(group.throughput.requests_per_s)} req/s, ${formatRate(group.throughput.output_tokens_per_s)} output tokens/s over ${group.throughput.window_s.toFixed(1)} s` +
        (group.throughput.dispatch_rate_per_s === null
          ? ''
          : ` · sent ${formatRate(group.throughput.dispatch_rate_per_s)} req/s`),
    );
    const sources = Object.entries(group.token_count_sources)
      .filter(([, n]) => n > 0)
      .map(([source, n]) => `${source} ${n}`)
      .join(', ');
    lines.push(
      `Tokens: input ${group.tokens.input}, output ${group.tokens.output}` +
        (group.tokens.reasoning ? `, reasoning ${group.tokens.reasoning}` : '') +
        (sources ? ` (counted by: ${sources})` : '') +
        (group.token_count_mismatches > 0
          ? colors.yellow(
              ` · ${group.token_count_mismatches} request(s) where server and client counts differ by >5%`,
            )
          : ''),
    );
    lines.push(costLine(group, colors));
    if (group.goodput !== null) lines.push(goodputLine(group.goodput));
  } else {
    lines.push(colors.dim('No successful request: no latency to report.'));
  }
  const requestsLine = requestsSentence(group);
  lines.push(
    group.requests.failed > 0 || (group.requests.not_sent ?? 0) > 0
      ? colors.yellow(requestsLine)
      : requestsLine,
  );
  // Absent from summaries written before sessions existed.
  const sessions = sessionsLine(group.sessions ?? null);
  if (sessions !== undefined) lines.push(sessions);
  if (group.stopped_early !== null)
    lines.push(colors.yellow(`Stopped early: ${group.stopped_early}`));
  const errors = Object.entries(group.errors);
  if (errors.length > 0) {
    lines.push(`Errors: ${errors.map(([cls, n]) => `${cls} ${n}`).join(', ')}`);
    for (const [cls] of errors) {
      const message = group.error_examples[cls];
      if (message !== undefined) lines.push(colors.dim(`  ${cls}, first: ${message}`));
    }
  }
  const retries = retriesLine(group.retries ?? null, maxAttemptsOf(resilience, group.provider));
  if (retries !== undefined) lines.push(retries);
  return `${lines.join('\n')}\n`;
}

/** `Goodput: 37/40 requests within every SLO (92.5 %), 4.1 req/s (ttft ≤ 500 ms, tpot ≤ 50 ms)` */
export function goodputLine(goodput: GoodputSummary): string {
  return `Goodput: ${goodput.requests} requests within every SLO (${formatPercent(goodput.fraction)} of measured), ${formatRate(goodput.requests_per_s)} req/s (${describeSlo(goodput.slo)})`;
}

/** `Cost: $0.000412 per request, $0.0165 for 40 requests` or why it is unknown. */
export function costLine(group: GroupSummary, colors: Colors): string {
  const cost = group.cost;
  if (cost === null) {
    return colors.dim(
      `Cost: unknown, no price for ${group.provider}/${group.model} (add one with --pricing FILE; \`llm-lens models\` lists known prices)`,
    );
  }
  const unpriced =
    cost.unpriced_requests > 0
      ? colors.yellow(` · ${cost.unpriced_requests} request(s) without token counts left out`)
      : '';
  return `Cost: ${formatUsd(cost.per_request_usd)} per request, ${formatUsd(cost.total_usd)} for ${cost.priced_requests} requests${unpriced}`;
}

/**
 * `Requests: 38/40 succeeded (95%), 2 cancelled, 460 of 500 planned not sent, 2 warm-up excluded`:
 * what was planned, what ran and what did not.
 */
export function requestsSentence(group: GroupSummary): string {
  const { total, succeeded, warmup, planned, not_sent: notSent } = group.requests;
  const parts = [
    `Requests: ${succeeded}/${total} succeeded (${formatPercent(group.success_rate)})`,
  ];
  const cancelled = group.errors.cancelled ?? 0;
  if (cancelled > 0) parts.push(`${cancelled} cancelled`);
  if (notSent !== null && notSent > 0 && planned !== null) {
    parts.push(`${notSent} of ${planned} planned not sent`);
  }
  if (warmup > 0) parts.push(`${warmup} warm-up excluded`);
  return parts.join(', ');
}
