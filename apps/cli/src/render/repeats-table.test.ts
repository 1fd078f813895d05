import { analyzeRepeats, type GroupSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { renderRepeats } from './repeats-table.js';

const plain = {
  bold: (s: string) => s,
  dim: (s: string) => s,
  green: (s: string) => s,
  yellow: (s: string) => `!${s}!`,
  red: (s: string) => s,
};

function group(ttftP50: number, rps: number): GroupSummary {
  return {
    provider: 'mock',
    model: 'mock-model',
    scenario: 'chat',
    ttft: { p50: ttftP50 },
    throughput: { requests_per_s: rps, output_tokens_per_s: rps * 20 },
    success_rate: 1,
  } as unknown as GroupSummary;
}

describe('renderRepeats', () => {
  it('prints each statistic with its mean, 95% half-width, CV (flagged when noisy) and range', () => {
    const report = analyzeRepeats([[group(150, 10)], [group(152, 14)], [group(148, 6)]]);
    const text = renderRepeats(report, plain as never);
    expect(text).toContain('Across 3 runs');
    expect(text).toContain('mock · mock-model · chat');
    // TTFT: 150, 152, 148 → mean 150, stdev 2, t(2) = 4.303: ± 4.97; CV 1.3 %.
    expect(text).toMatch(/TTFT p50 \(ms\)\s+│\s+150\.0 │ ± 4\.97 │\s+1\.3% │ 148\.0 – 152\.0/);
    // Requests/s: 10, 14, 6 → stdev 4, CV 40 %: flagged.
    expect(text).toMatch(/Requests\/s\s+│\s+10\.0 │\s+± 9\.9 │ !40\.0%! │\s+6\.0 – 14\.0/);
  });
});
