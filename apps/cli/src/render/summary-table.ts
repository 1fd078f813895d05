import type { GroupSummary, RunSummary } from '@llm-lens/metrics';
import Table from 'cli-table3';
import type { ErrorExamples } from './error-examples.js';
import { type Colors, formatMs, formatPercent, formatRate } from './format.js';

type DistributionKey = 'ttft' | 'ttfo' | 'itl' | 'tpot' | 'chunk_gap' | 'e2e' | 'ttfb' | 'queue';

const LATENCY_ROWS: Array<{ key: DistributionKey; label: string }> = [
  { key: 'ttft', label: 'TTFT' },
  { key: 'ttfo', label: 'TTFO (first answer token)' },
  { key: 'itl', label: 'ITL (per token)' },
  { key: 'chunk_gap', label: 'Chunk gap' },
  { key: 'tpot', label: 'TPOT' },
  { key: 'e2e', label: 'E2E' },
  { key: 'ttfb', label: 'TTFB (headers)' },
];

/**
 * The console report: a latency table per provider/model/scenario, then usage and errors
 * (with the first message of each error class when `examples` has one).
 */
export function renderSummary(
  summary: RunSummary,
  colors: Colors,
  examples?: ErrorExamples,
): string {
  const out: string[] = [];
  for (const group of summary.groups) out.push(renderGroup(group, colors, examples));
  const f = summary.fidelity;
  const fidelityLine = `Fidelity: event-loop delay p99 ${formatMs(f.event_loop_delay_p99_ms)} ms, max ${formatMs(f.event_loop_delay_max_ms)} ms — ${
    f.client_bound
      ? colors.red('CLIENT-BOUND: numbers may describe this machine, not the API')
      : colors.green('client not the bottleneck')
  }`;
  out.push(fidelityLine);
  for (const warning of f.warnings) out.push(colors.yellow(`warning: ${warning}`));
  if (!summary.complete) {
    out.push(colors.yellow('Run interrupted: results are partial ("complete": false).'));
  }
  return `${out.join('\n')}\n`;
}

function renderGroup(
  group: GroupSummary,
  colors: Colors,
  examples: ErrorExamples | undefined,
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
  for (const row of LATENCY_ROWS) {
    const d = group[row.key];
    if (!d) continue;
    if (
      row.key === 'ttfo' &&
      group.ttft &&
      d.p50 === group.ttft.p50 &&
      d.count === group.ttft.count
    ) {
      continue;
    }
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
  lines.push(table.toString());
  const rate = group.output_tokens_per_s;
  const decode = group.decode_tokens_per_s;
  lines.push(
    `Tokens/s per request: p50 ${formatRate(rate?.p50)} (decode rate p50 ${formatRate(decode?.p50)})` +
      ` · run throughput ${formatRate(group.throughput.requests_per_s)} req/s, ${formatRate(group.throughput.output_tokens_per_s)} output tokens/s over ${group.throughput.window_s.toFixed(1)} s`,
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
  const { total, succeeded, failed, warmup } = group.requests;
  const successLine = `Requests: ${succeeded}/${total} succeeded (${formatPercent(group.success_rate)})${warmup ? `, ${warmup} warm-up excluded` : ''}`;
  lines.push(failed > 0 ? colors.yellow(successLine) : successLine);
  const errors = Object.entries(group.errors);
  if (errors.length > 0) {
    lines.push(`Errors: ${errors.map(([cls, n]) => `${cls} ${n}`).join(', ')}`);
    const messages = examples?.of(group.provider, group.model, group.scenario);
    for (const [cls] of errors) {
      const message = messages?.get(cls);
      if (message !== undefined) lines.push(colors.dim(`  ${cls}, first: ${message}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
