import type { RequestRecord } from '@llm-lens/core-timing';
import {
  Aggregator,
  analyzeSweep,
  buildFidelity,
  buildRunSummary,
  type RunSummary,
  type SloTargets,
} from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdownReport } from './markdown-report.js';

const MS = 1_000_000n;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

function ok(
  provider: string,
  scenario: string,
  ttftMs: number,
  extra: Partial<RequestRecord> = {},
): RequestRecord {
  return {
    requestId: `${provider}-${ttftMs}`,
    provider,
    model: 'model-1',
    scenario,
    isWarmup: false,
    startedAtMs: T0,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttftNs: BigInt(ttftMs) * MS,
    e2eNs: BigInt(ttftMs + 900) * MS,
    outputTokens: 10,
    tokenEventOffsetsNs: Float64Array.of(ttftMs * 1e6),
    tokenEventTokens: Uint32Array.of(1),
    ...extra,
  };
}

function summaryOf(
  records: RequestRecord[],
  options: { complete?: boolean; slo?: SloTargets; warnings?: string[] } = {},
): RunSummary {
  const aggregator = new Aggregator({ slo: options.slo });
  for (const r of records) aggregator.add(r);
  const fidelity = buildFidelity([], { warnings: options.warnings ?? [] });
  const complete = options.complete ?? true;
  return buildRunSummary({
    runId: 'run-42',
    toolVersion: '9.9.9',
    configHash: 'x',
    startedAt: T0,
    endedAt: T0 + 12_500,
    complete,
    fidelity,
    groups: aggregator.summarize({ complete, fidelity }),
  });
}

/** The lines of the table that follows a `#### title` heading. */
function tableAfter(markdown: string, title: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`#### ${title}`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) rows.push(line);
    else if (rows.length > 0) break;
  }
  return rows;
}

/** Cells of a table row, split at unescaped pipes. */
function cells(row: string): string[] {
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

describe('renderMarkdownReport', () => {
  it('starts with one header line: run id, start, duration, tool version and status', () => {
    const [first] = renderMarkdownReport(summaryOf([ok('a', 'chat', 100)])).split('\n');
    expect(first).toBe(
      '**LLM latency report** · run run-42 · started 2026-03-01T08:00:00.000Z (12.5 s) · llm-latency-lens 9.9.9 · complete',
    );
    const interrupted = renderMarkdownReport(
      summaryOf([ok('a', 'chat', 100)], { complete: false }),
    );
    expect(interrupted.split('\n')[0]).toContain('**interrupted: results are partial**');
  });

  it('writes one results row per target with its statistics in milliseconds', () => {
    const markdown = renderMarkdownReport(summaryOf([ok('a', 'chat', 100), ok('a', 'chat', 300)]));
    const [header, align, row] = tableAfter(markdown, 'Results');
    expect(cells(header!)).toEqual([
      'Target',
      'Requests',
      'Success',
      'TTFT p50 (ms)',
      'TTFT p95 (ms)',
      'TTFT p99 (ms)',
      'ITL p50 (ms)',
      'ITL p95 (ms)',
      'TPOT p50 (ms)',
      'E2E p50 (ms)',
      'E2E p95 (ms)',
      'req/s',
      'output tok/s',
    ]);
    expect(align).toBe(
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    const values = cells(row!);
    expect(values.slice(0, 3)).toEqual(['a · model-1 · chat', '2', '100 %']);
    expect(values[3]).toBe('100.0');
    expect(values[4]).toBe('300.0');
    // No token events after the first: no ITL, no TPOT.
    expect(values[6]).toBe('—');
    expect(values[9]).toBe('1,000');
    expect(markdown).not.toContain('#### Comparison');
  });

  it('adds the cost per request only when a target is priced', () => {
    const priced = renderMarkdownReport(summaryOf([ok('a', 'chat', 100, { costUsd: 0.00042 })]));
    const [header, , row] = tableAfter(priced, 'Results');
    expect(cells(header!).at(-1)).toBe('cost/request');
    expect(cells(row!).at(-1)).toBe('\\$0.000420');
  });

  it('compares each statistic with the best target in percent, marking the best', () => {
    const markdown = renderMarkdownReport(
      summaryOf([ok('fast', 'chat', 100), ok('slow', 'chat', 123)]),
    );
    const [header, , fast, slow] = tableAfter(markdown, 'Comparison');
    const ttftColumn = cells(header!).indexOf('TTFT p50 (ms)');
    expect(cells(fast!)[ttftColumn]).toBe('**best**');
    expect(cells(slow!)[ttftColumn]).toBe('+23 %');
    expect(cells(slow!)[cells(header!).indexOf('Success')]).toBe('**best**');
  });

  it('escapes pipes, markup and line breaks of error messages so the row stays one row', () => {
    const failed: RequestRecord = {
      ...ok('a', 'chat', 100),
      status: 'error',
      errorClass: 'server_error',
      errorMessage: 'upstream | said *no*\nsee <https://x> `trace`',
    };
    const markdown = renderMarkdownReport(summaryOf([ok('a', 'chat', 100), failed]));
    const rows = tableAfter(markdown, 'Errors');
    expect(rows).toHaveLength(3);
    expect(cells(rows[2]!)).toEqual([
      'a · model-1 · chat',
      'server\\_error',
      '1',
      'upstream \\| said \\*no\\*<br>see \\<https://x\\> \\`trace\\`',
    ]);
  });

  it('escapes every character GitHub reads as markup in a cell', () => {
    expect(escapeMarkdown('a|b_c*d`e[f]g<h>i~j&k$l\\m\r\nn')).toBe(
      'a\\|b\\_c\\*d\\`e\\[f\\]g\\<h\\>i\\~j\\&k\\$l\\\\m<br>n',
    );
  });

  it('reports goodput when SLOs were set, and the fidelity verdict with its warnings', () => {
    const markdown = renderMarkdownReport(
      summaryOf([ok('a', 'chat', 100), ok('a', 'chat', 700)], {
        slo: { ttft_ms: 500 },
        warnings: ['the client fell | behind'],
      }),
    );
    const [, , row] = tableAfter(markdown, 'Goodput');
    expect(cells(row!)).toEqual(['a · model-1 · chat', 'ttft ≤ 500 ms', '1 of 2', '50 %', '0.6']);
    expect(markdown).toContain(
      '**Fidelity:** client\\_bound null: run too short to judge whether the client was the bottleneck (event-loop delay p99 0.00 ms, max 0.00 ms)',
    );
    expect(markdown).toContain('- warning: the client fell \\| behind');
    expect(renderMarkdownReport(summaryOf([ok('a', 'chat', 100)]))).not.toContain('#### Goodput');
  });

  it('shows each sweep level, bolds the knee and the best level and says why it bent', () => {
    const records = [1, 4, 16].flatMap((c) =>
      Array.from({ length: 4 }, (_, i) =>
        ok('a', `chat@c=${c}`, c === 16 ? 2000 : 100, {
          startedAtMs: T0 + i * 1000,
          outputTokens: c * 10,
        }),
      ),
    );
    const summary = summaryOf(records);
    summary.sweeps = [
      analyzeSweep(
        { provider: 'a', model: 'model-1', scenario: 'chat', parameter: 'concurrency' },
        [1, 4, 16].map((c) => ({
          value: c,
          group: summary.groups.find((g) => g.scenario === `chat@c=${c}`)!,
        })),
      ),
    ];
    const markdown = renderMarkdownReport(summary);
    const rows = tableAfter(markdown, 'Sweep of concurrency: a · model-1 · chat');
    expect(rows).toHaveLength(5);
    expect(cells(rows[3]!).at(-1)).toBe('**best**');
    expect(cells(rows[4]!)[0]).toBe('**16**');
    expect(cells(rows[4]!).at(-1)).toBe('**knee**');
    expect(markdown).toContain('Knee at concurrency = 16: TTFT p95 2000.895 ms \\> 300.093 ms');
    expect(markdown).toContain('Best before the knee: concurrency = 4');
    // A line right after a GFM table would be read as one more row: a blank line ends it.
    expect(markdown).toContain('| **knee** |\n\nKnee at');
  });
});
