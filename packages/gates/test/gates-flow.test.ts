// A run as the CLI would gate it: records stream through the live monitor and the
// Aggregator, the summary is judged, and the verdict becomes JUnit XML, a Markdown job
// summary and an exit code.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import {
  appendStepSummary,
  evaluateThresholds,
  parseThreshold,
  type RegressionCheck,
  renderGatesMarkdown,
  renderJUnit,
  THRESHOLD_EXIT_CODE,
  ThresholdMonitor,
  thresholdsPassed,
} from '../src/index.js';

const START_MS = Date.parse('2026-03-01T12:00:00Z');

// Mulberry32, seeded: the same run every time.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 200 requests per model; the 8B model is slower and fails 3 % of the time. */
function runRecords(): RequestRecord[] {
  const random = seededRandom(7);
  const records: RequestRecord[] = [];
  for (let i = 0; i < 400; i++) {
    const isBig = i % 2 === 1;
    const model = isBig ? 'meta-llama/Llama-3.1-8B' : 'Qwen/Qwen2.5-0.5B';
    const ttftMs = (isBig ? 300 : 120) + random() * (isBig ? 700 : 200);
    const failed = isBig && random() < 0.03;
    const e2eMs = ttftMs + 64 * (isBig ? 20 : 8);
    records.push({
      requestId: `r-${i}`,
      provider: 'vllm',
      model,
      scenario: 'chat',
      isWarmup: i < 10,
      startedAtMs: START_MS + i * 50,
      dispatchNs: BigInt(i) * 50_000_000n,
      status: failed ? 'error' : 'ok',
      ...(failed ? { errorClass: 'server_error' as const, errorMessage: 'HTTP 503 <busy>' } : {}),
      queueNs: 0n,
      ...(failed
        ? {}
        : {
            ttftNs: BigInt(Math.round(ttftMs * 1e6)),
            e2eNs: BigInt(Math.round(e2eMs * 1e6)),
            outputTokens: 64,
          }),
      tokenEventOffsetsNs: new Float64Array(0),
      tokenEventTokens: new Uint32Array(0),
    });
  }
  return records;
}

const thresholdTexts = [
  'ttft.p95<800',
  'vllm:Qwen/Qwen2.5-0.5B@chat/ttft.p95<400',
  'success_rate>=99%',
  'throughput.requests_per_s>5',
];

describe('gating a run', () => {
  const records = runRecords();
  const thresholds = thresholdTexts.map((text, i) => parseThreshold(text, `thresholds[${i}]`));

  it('aborts live on the first threshold the plan makes impossible', () => {
    const monitor = new ThresholdMonitor(thresholds);
    monitor.notePlanned('vllm', 'Qwen/Qwen2.5-0.5B', 'chat', 195);
    monitor.notePlanned('vllm', 'meta-llama/Llama-3.1-8B', 'chat', 195);
    let abortedAt = -1;
    let reasons: string[] = [];
    for (const [i, r] of records.entries()) {
      monitor.add(r);
      const breaches = monitor.check();
      if (breaches.length > 0) {
        abortedAt = i;
        reasons = breaches.map((b) => `${b.rule}: ${b.message}`);
        break;
      }
    }
    expect(monitor.endOnly.map((t) => t.expression)).toEqual(['throughput.requests_per_s>5']);
    // success_rate>=99% over 195 planned: the third failure of the 8B model decides it.
    expect(abortedAt).toBeGreaterThan(10);
    expect(abortedAt).toBeLessThan(records.length - 1);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /^impossible: success_rate>=99% cannot pass for vllm \/ meta-llama\/Llama-3.1-8B \/ chat: success_rate is [0-9.]+ and at best 0.985 whatever the \d+ of 195 planned requests still to come measure \(limit >= 99%\)$/,
    );
  });

  it('judges the summary, renders JUnit and Markdown, and sets the exit code', () => {
    const aggregator = new Aggregator();
    for (const r of records) aggregator.add(r);
    const fidelity = buildFidelity([]);
    const summary = buildRunSummary({
      runId: 'run-flow',
      toolVersion: '0.1.0',
      configHash: 'flow',
      startedAt: START_MS,
      endedAt: START_MS + 21_000,
      complete: true,
      fidelity,
      groups: aggregator.summarize({ complete: true, fidelity }),
    });
    const results = evaluateThresholds(summary, thresholds);
    expect(results.map((r) => [r.threshold, r.groups.map((g) => g.passed)])).toEqual([
      ['ttft.p95<800', [true, false]],
      ['vllm:Qwen/Qwen2.5-0.5B@chat/ttft.p95<400', [true]],
      ['success_rate>=99%', [true, false]],
      ['throughput.requests_per_s>5', [true, true]],
    ]);
    const exitCode = thresholdsPassed(results) ? 0 : THRESHOLD_EXIT_CODE;
    expect(exitCode).toBe(4);

    const regressions: RegressionCheck[] = [
      {
        name: 'ttft.p95:+10% [vllm / Qwen/Qwen2.5-0.5B / chat]',
        passed: true,
        value: 2.1,
        limit: 10,
        message: '+2.1 %, within +10 %',
      },
    ];
    const xml = renderJUnit({ run: summary.run, thresholds: results, regressions });
    expect(xml).toContain(
      '<testsuites name="llm-lens gates" tests="8" failures="2" errors="0" time="21">',
    );
    expect(xml).toContain(
      '<testcase name="ttft.p95&lt;800 [vllm / meta-llama/Llama-3.1-8B / chat]" classname="llm-lens.thresholds" time="0">',
    );
    expect(xml).toContain('<property name="run_id" value="run-flow"/>');

    const markdown = renderGatesMarkdown({ thresholds: results, regressions });
    expect(markdown).toContain('**❌ 2 of 4 thresholds passed; no regressions**');
    const path = join(mkdtempSync(join(tmpdir(), 'lens-gates-flow-')), 'summary.md');
    appendStepSummary(markdown, { GITHUB_STEP_SUMMARY: path });
    expect(readFileSync(path, 'utf8')).toBe(`\n${markdown}`);
  });
});
