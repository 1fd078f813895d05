import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatesError } from './gates-error.js';
import { appendStepSummary } from './step-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-gates-'));

describe('appendStepSummary', () => {
  it('does nothing outside GitHub Actions', () => {
    expect(appendStepSummary('# hi', {})).toBeNull();
    expect(appendStepSummary('# hi', { GITHUB_STEP_SUMMARY: '' })).toBeNull();
  });

  it('creates the file when missing and appends without truncating', () => {
    const path = join(dir, 'created.md');
    expect(appendStepSummary('# first', { GITHUB_STEP_SUMMARY: path })).toBe(path);
    expect(appendStepSummary('# second\n', { GITHUB_STEP_SUMMARY: path })).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe('\n# first\n\n# second\n');
  });

  it('keeps what earlier steps wrote', () => {
    const path = join(dir, 'existing.md');
    writeFileSync(path, 'earlier step\n');
    appendStepSummary('**✅ 2 of 2 thresholds passed**', { GITHUB_STEP_SUMMARY: path });
    expect(readFileSync(path, 'utf8')).toBe('earlier step\n\n**✅ 2 of 2 thresholds passed**\n');
  });

  it('throws a GatesError naming the file when it cannot write', () => {
    const path = join(dir, 'missing-dir', 'summary.md');
    let error: unknown;
    try {
      appendStepSummary('x', { GITHUB_STEP_SUMMARY: path });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatesError);
    expect((error as GatesError).code).toBe('LENS_GATES_STEP_SUMMARY_FAILED');
    expect((error as GatesError).message).toContain(`GITHUB_STEP_SUMMARY=${path}`);
  });
});
