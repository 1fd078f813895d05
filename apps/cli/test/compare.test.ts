import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let fast: RunningSimulator;
let slow: RunningSimulator;
const dir = mkdtempSync(join(tmpdir(), 'lens-compare-'));

beforeAll(async () => {
  fast = await startSimulator({ ttftMs: 20, itlMs: 2, outputTokens: 10, seed: 1 });
  slow = await startSimulator({ ttftMs: 120, itlMs: 2, outputTokens: 10, seed: 2 });
});

afterAll(async () => {
  await fast.close();
  await slow.close();
});

interface Row {
  provider: string;
  warmup: boolean;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
}

describe('llm-lens compare', () => {
  it('runs one workload on every target in interleaved rounds and prints them side by side', async () => {
    const pricing = join(dir, 'prices.yaml');
    writeFileSync(
      pricing,
      'prices:\n  - provider: fast-server\n    model: model-a\n    input: 1\n    output: 4\n',
    );
    const config = join(dir, 'compare.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  - name: fast-server',
        '    type: openai-compatible',
        `    base_url: ${fast.baseUrl}`,
        '    models: [model-a]',
        'scenarios:',
        '  - name: same-work',
        '    prompt: Tell me a story.',
        '    requests: 6',
        '    concurrency: 1',
        '    warmup: 1',
        '',
      ].join('\n'),
    );
    const records = join(dir, 'records.jsonl');
    const result = await runCli([
      'compare',
      '--config',
      config,
      '--targets',
      `fast-server:model-a,openai-compatible:model-b@${slow.baseUrl}`,
      '--rounds',
      '3',
      '--pricing',
      pricing,
      '--records',
      records,
    ]);
    expect(result.stderr).toContain('in 3 interleaved rounds');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const fastRow = lines.find((line) => line.includes('fast-server:model-a'));
    const slowRow = lines.find((line) => line.includes('openai-compatible:model-b'));
    expect(lines.join('\n')).toMatch(
      /TTFT p50.*TTFT p95.*ITL p50.*TPOT p50.*E2E p95.*tok\/s p50.*cost\/request.*success/,
    );
    const cells = (row: string | undefined) =>
      (row ?? '')
        .split('│')
        .map((cell) => cell.trim())
        .filter((cell) => cell !== '');
    const fastCells = cells(fastRow);
    const slowCells = cells(slowRow);
    // TTFT p50 sits just above each server's TTFT.
    expect(Number(fastCells[1])).toBeGreaterThanOrEqual(20);
    expect(Number(fastCells[1])).toBeLessThan(100);
    expect(Number(slowCells[1])).toBeGreaterThanOrEqual(120);
    expect(slowCells[7]).toBe('unknown');
    expect(fastCells[8]).toBe('100%');

    const rows = readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Row);
    // Rounds of 2: fast(w+2) slow(w+2) | slow 2, fast 2 | fast 2, slow 2.
    const order = rows.map(
      (r) => (r.provider === 'fast-server' ? 'F' : 'S') + (r.warmup ? 'w' : ''),
    );
    expect(order.join(' ')).toBe('Fw F F Sw S S S S F F F F S S');
    // Cost from the user's price: input × $1 + output × $4 per million tokens.
    const priced = rows.find((r) => r.provider === 'fast-server' && !r.warmup)!;
    expect(priced.cost_usd).toBeCloseTo(
      (priced.input_tokens! * 1 + priced.output_tokens! * 4) / 1e6,
      12,
    );
    expect(rows.filter((r) => r.provider !== 'fast-server').every((r) => r.cost_usd === null)).toBe(
      true,
    );
  });

  it('explains a target it cannot resolve and a malformed one', async () => {
    const unknown = await runCli(['compare', '--targets', 'nosuch:model-a']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"nosuch" is neither a provider type \(.*openai.*\)/);
    const malformed = await runCli(['compare', '--targets', 'openai']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/"openai" is not TARGET:MODEL\[@BASE_URL\]/);
  });
});
