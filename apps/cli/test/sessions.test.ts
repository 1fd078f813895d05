// Multi-turn sessions and fixed output lengths, end to end: a config's `conversations:` and
// `min_tokens` through the CLI to the built-in simulator and back into the records.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-sessions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonRecord {
  provider: string;
  session_id: string | null;
  turn: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  status: string;
}

function readRecords(path: string): JsonRecord[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonRecord);
}

describe('llm-lens benchmark with conversations', () => {
  it('sends each session its turns in order with the growing history, every reply of its fixed length', async () => {
    const config = join(dir, 'sessions.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        // Five tokens unless asked for more: only min_tokens makes a reply 20 long.
        '  - { type: mock, models: [mock-model], mock: { ttft_ms: 5, itl_ms: 1, output_tokens: 5, seed: 3 } }',
        'scenarios:',
        '  - name: chat',
        '    conversations:',
        '      type: synthetic',
        '      turns: 3',
        '      input_tokens: 50',
        '      output_tokens: 20',
        '      fixed_output: true',
        '      think_time: 10ms',
        '    requests: 4',
        '    concurrency: 2',
        '    max_tokens: 20',
      ].join('\n'),
    );
    const records = join(dir, 'sessions.jsonl');
    const result = await runCli(['benchmark', '-c', config, '--records', records]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('conversations of chat: synthetic conversations (3 turns;');
    expect(result.stderr).not.toContain('warning: min_tokens');
    expect(result.stdout).toMatch(/^Sessions: 4 conversations, 12 turns; TTFT p50 by turn: 1: /m);

    const lines = readRecords(records);
    expect(lines).toHaveLength(12);
    expect(lines.every((line) => line.status === 'ok')).toBe(true);
    const bySession = new Map<string | null, JsonRecord[]>();
    for (const line of lines) {
      bySession.set(line.session_id, [...(bySession.get(line.session_id) ?? []), line]);
    }
    expect(bySession.size).toBe(4);
    for (const [sessionId, turns] of bySession) {
      expect(sessionId).not.toBeNull();
      const ordered = turns.toSorted((a, b) => (a.turn ?? 0) - (b.turn ?? 0));
      expect(ordered.map((line) => line.turn)).toEqual([1, 2, 3]);
      // Each turn sends the whole history before it: its input is longer than the last one's.
      const inputs = ordered.map((line) => line.input_tokens ?? 0);
      expect(inputs[1]).toBeGreaterThan(inputs[0]!);
      expect(inputs[2]).toBeGreaterThan(inputs[1]!);
    }
    expect(lines.map((line) => line.output_tokens)).toEqual(new Array(12).fill(20));
  });

  it('refuses recorded history for conversations that have no recorded replies', async () => {
    const config = join(dir, 'recorded.yaml');
    writeFileSync(
      config,
      [
        'providers: [{ type: mock, models: [mock-model] }]',
        'scenarios:',
        '  - conversations: { type: synthetic, turns: 2, input_tokens: 20 }',
        '    conversation_history: recorded',
        '    requests: 1',
      ].join('\n'),
    );
    const result = await runCli(['benchmark', '-c', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "error: scenarios[0].conversation_history: recorded sends the dataset's replies as history, and synthetic#0 has a turn without one",
    );
  });
});

describe('min_tokens', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('reaches vLLM-compatible servers and is warned about, once, for a provider that drops it', async () => {
    const config = join(dir, 'min-tokens.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  - { name: local, type: mock, models: [mock-model], mock: { output_tokens: 4, ttft_ms: 5, itl_ms: 1 } }',
        `  - { name: hosted, type: openai, base_url: "${simulator.baseUrl}", api_key_env: LENS_TEST_KEY, models: [gpt-4o-mini, gpt-4o] }`,
        'scenarios:',
        '  - { prompt: Hello, requests: 2, max_tokens: 12 }',
      ].join('\n'),
    );
    const records = join(dir, 'min-tokens.jsonl');
    const result = await runCli(
      ['benchmark', '-c', config, '--min-tokens', '12', '--records', records],
      { env: { LENS_TEST_KEY: 'sk-test' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toEqual([
      'warning: min_tokens is not sent to hosted (openai): only vLLM-compatible servers take it; its outputs may be shorter',
    ]);
    const outputs = (provider: string) =>
      readRecords(records)
        .filter((line) => line.provider === provider)
        .map((line) => line.output_tokens);
    expect(outputs('local')).toEqual([12, 12]);
    expect(outputs('hosted')).toEqual([4, 4, 4, 4]);
  });

  it('--min-tokens above --max-tokens is refused by flag name', async () => {
    const result = await runCli(['benchmark', '--min-tokens', '100', '--max-tokens', '10']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--min-tokens: must be at most max_tokens (10), got 100; a server cannot generate more than max_tokens',
    );
  });
});
