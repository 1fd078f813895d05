import { formatPath, sectionFromFlags } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import {
  SIMULATOR_SETTINGS,
  simulatorOptionsFromSettings,
  simulatorSettingsSchema,
} from './simulator-settings.js';

describe('simulator settings', () => {
  it('map a config block to simulator options, leaving unset ones to the simulator', () => {
    const parsed = simulatorSettingsSchema.parse({
      ttft_ms: 'normal:200,20',
      itl_ms: 20,
      output_tokens: '32-128',
      mode: 'lockstep',
      faults: { rate_limit_rate: 0.1, retry_after_s: 2, mid_stream_error_rate: '0.05' },
    });
    expect(simulatorOptionsFromSettings(parsed as never)).toEqual({
      ttftMs: { distribution: 'normal', meanMs: 200, stdevMs: 20 },
      itlMs: { distribution: 'fixed', ms: 20 },
      outputTokens: { min: 32, max: 128 },
      mode: 'lockstep',
      faults: { rateLimitRate: 0.1, retryAfterS: 2, midStreamErrorRate: 0.05 },
    });
  });

  it('are the same settings as flags: every flag reaches the option its config key does', () => {
    const flags = Object.fromEntries(
      SIMULATOR_SETTINGS.filter((s) => s.flag !== undefined).map((s) => [
        s.flag!,
        exampleFor(s.path),
      ]),
    );
    const fromFlags = simulatorSettingsSchema.parse(sectionFromFlags(SIMULATOR_SETTINGS, flags));
    const options = simulatorOptionsFromSettings(fromFlags as never);
    expect(Object.keys(options).sort()).toEqual(
      [
        'faults',
        'itlMs',
        'mode',
        'outputTokens',
        'reasoningTokens',
        'seed',
        'tokensPerEvent',
        'ttftMs',
      ].sort(),
    );
    expect(Object.keys(options.faults ?? {}).sort()).toEqual(
      [
        'dropRate',
        'midStreamErrorRate',
        'rateLimitRate',
        'retryAfterS',
        'serverErrorRate',
        'stallMs',
        'stallRate',
      ].sort(),
    );
  });

  it('report bad values at the setting path, with what is valid', () => {
    const result = simulatorSettingsSchema.safeParse({
      output_tokens: '9-3',
      faults: { drop_rate: 2, stal_ms: 1 },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`)).toEqual([
      'output_tokens: must be a range "<min>-<max>" with min <= max, got "9-3"',
      'faults.drop_rate: must be a number between 0 and 1, got 2',
      'faults.stal_ms: unknown key, did you mean "stall_ms"?',
    ]);
  });
});

function exampleFor(path: readonly string[]): string {
  const key = path[path.length - 1]!;
  if (key === 'mode') return 'lockstep';
  if (key.endsWith('_rate')) return '0.1';
  if (key === 'output_tokens') return '8-16';
  return '3';
}
