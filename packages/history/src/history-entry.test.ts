import type { RunSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import {
  historyEntryFromSummary,
  normalizeTags,
  toIsoTime,
  validateNewEntry,
} from './history-entry.js';
import { HistoryError } from './history-error.js';
import { machineFacts } from './machine-facts.js';

const summary = {
  run: {
    run_id: 'run-1',
    started_at: '2026-01-01T00:00:00.000Z',
    config_hash: 'abc',
    tool_version: '0.2.0',
  },
  groups: [],
} as unknown as RunSummary;

describe('history entries', () => {
  it('takes id, start, config hash and tool version from the summary', () => {
    const machine = machineFacts();
    const entry = historyEntryFromSummary(summary, {
      tags: ['b', 'a', 'b'],
      gitCommit: 'f00',
      machine,
    });
    expect(entry).toEqual({
      id: 'run-1',
      started_at: '2026-01-01T00:00:00.000Z',
      name: null,
      tags: ['a', 'b'],
      config_hash: 'abc',
      tool_version: '0.2.0',
      git_commit: 'f00',
      machine,
      summary,
    });
    expect(() => validateNewEntry(entry)).not.toThrow();
  });

  it('describes this machine', () => {
    const facts = machineFacts();
    expect(facts.node_version).toBe(process.version);
    expect(facts.platform).toBe(process.platform);
    expect(facts.cpu_count).toBeGreaterThan(0);
    expect(facts.cpu_model).not.toBe('');
  });

  it('rejects empty tags, times that are not times and an id that is not the run id', () => {
    expect(() => normalizeTags(['ok', ' '])).toThrow(HistoryError);
    expect(toIsoTime(0, 'since')).toBe('1970-01-01T00:00:00.000Z');
    expect(() => toIsoTime('yesterday', 'since')).toThrow(/since "yesterday" is not a time/);
    const entry = { ...historyEntryFromSummary(summary, { machine: machineFacts() }), id: 'run-2' };
    expect(() => validateNewEntry(entry)).toThrow(
      /id is not valid; it must equal the summary's run.run_id \("run-1"\)/,
    );
  });
});
