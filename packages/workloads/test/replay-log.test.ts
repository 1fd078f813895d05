import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadReplayLog, replayConfigSchema, replayPromptSet } from '../src/index.js';
import { workloadError } from './workload-errors.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function scratchLog(lines: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'replay-')), 'log.jsonl');
  writeFileSync(path, lines);
  return path;
}

describe('loadReplayLog', () => {
  it('sorts by time and keeps the original gaps between requests', async () => {
    const log = await loadReplayLog('replay.jsonl', { baseDir: fixtures });
    expect(log.entries.map((entry) => [entry.offsetMs, entry.item.source])).toEqual([
      [0, 'replay.jsonl:1'],
      [250, 'replay.jsonl:4'],
      [1500, 'replay.jsonl:2'],
      [3000, 'replay.jsonl:3'],
    ]);
    expect(log.entries[0]!.item).toEqual({
      prompt: 'first',
      maxTokens: 64,
      model: 'gpt-4o-mini',
      source: 'replay.jsonl:1',
    });
    expect(log.entries[2]!.item).toEqual({
      prompt: [{ role: 'user', content: 'second' }],
      maxTokens: 32,
      source: 'replay.jsonl:2',
    });
    expect(log.durationMs).toBe(3000);
    expect(log.reorderedLines).toBe(1);
    expect(log.description).toBe(
      'replay: 4 requests from replay.jsonl (over 3 s; 1 line out of time order, sorted)',
    );
  });

  it('divides every gap by the time scale', async () => {
    const log = await loadReplayLog('replay.jsonl', { baseDir: fixtures, timeScale: 2 });
    expect(log.entries.map((entry) => entry.offsetMs)).toEqual([0, 125, 750, 1500]);
    expect(log.durationMs).toBe(1500);
    expect(log.description).toContain('over 1.5 s; time scale 2: 3 s as recorded');
    const slow = await loadReplayLog('replay.jsonl', { baseDir: fixtures, timeScale: 0.5 });
    expect(slow.durationMs).toBe(6000);
  });

  it('keeps equal timestamps in file order and can stop after max entries', async () => {
    const path = scratchLog(
      ['a', 'b', 'c']
        .map((prompt) => JSON.stringify({ timestamp: 1_700_000_000, prompt }))
        .join('\n'),
    );
    const log = await loadReplayLog(path);
    expect(log.entries.map((entry) => entry.item.prompt)).toEqual(['a', 'b', 'c']);
    expect(log.durationMs).toBe(0);
    expect((await loadReplayLog(path, { maxEntries: 2 })).entries).toHaveLength(2);
  });

  it('names file and line of a bad record and the valid timestamp forms', async () => {
    const path = scratchLog(
      '{"timestamp": 1700000000, "prompt": "ok"}\n{"timestamp": "noon", "prompt": "x"}\n',
    );
    const error = await workloadError(() => loadReplayLog(path));
    expect(error.code).toBe('LENS_WORKLOAD_PARSE');
    expect(error.line).toBe(2);
    expect(error.message).toBe(
      `${path}:2: timestamp is not a timestamp (got "noon"); use an ISO-8601 time such as "2025-03-01T12:00:00.250Z" or epoch seconds or milliseconds such as 1740830400.25`,
    );
    const missing = scratchLog('{"prompt": "x"}\n');
    expect((await workloadError(() => loadReplayLog(missing))).message).toMatch(
      /:1: timestamp is required; use /,
    );
    const noPrompt = scratchLog('{"timestamp": 1, "max_tokens": 3}\n');
    expect((await workloadError(() => loadReplayLog(noPrompt))).message).toBe(
      `${noPrompt}:1: invalid replay record: needs a prompt (a string) or messages (a list of {role, content})`,
    );
  });

  it('refuses a time scale that is not a positive number', async () => {
    const error = await workloadError(() =>
      loadReplayLog('replay.jsonl', { baseDir: fixtures, timeScale: 0 }),
    );
    expect(error.message).toBe('time_scale: must be a number > 0 (2 replays twice as fast), got 0');
    expect(replayConfigSchema.safeParse({ path: 'x', time_scale: -1 }).success).toBe(false);
    expect(replayConfigSchema.parse({ path: 'x' })).toEqual({ path: 'x', time_scale: 1 });
  });

  it('offers its requests as a prompt set in time order', async () => {
    const set = replayPromptSet(await loadReplayLog('replay.jsonl', { baseDir: fixtures }));
    expect(set.size).toBe(4);
    expect(set.at(1).prompt).toBe('third, in epoch milliseconds and out of order');
    expect(set.at(4).prompt).toBe('first');
  });
});
