import { describe, expect, it } from 'vitest';
import { extensions } from '../test/extensions.js';
import { applyOverrides } from './cli-overrides.js';
import { LensConfigError } from './config-error.js';
import { formatIssues } from './config-issue.js';
import { validateConfig } from './validate-config.js';

const config = (root: Record<string, unknown>) => ({
  providers: [{ type: 'mock', models: ['m'] }],
  scenarios: [{ prompt: 'hi' }],
  ...root,
});

function problems(raw: unknown): string[] {
  const result = validateConfig(raw, extensions);
  if (result.ok) throw new Error('expected the config to be invalid');
  return formatIssues(result.issues).split('\n');
}

function thrown(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof LensConfigError)
      return (error.issues ?? []).map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a LensConfigError');
}

describe('repeat and saturation_guard', () => {
  it('take a run count and the guard as true or its settings, durations as text', () => {
    const result = validateConfig(
      config({
        repeat: 3,
        saturation_guard: { window: '2s', max_error_rate: 0.3, rising_windows: 4 },
      }),
      extensions,
    );
    expect(result.ok && result.config.repeat).toBe(3);
    expect(result.ok && result.config.saturation_guard).toEqual({
      window: 2,
      max_error_rate: 0.3,
      rising_windows: 4,
    });
    const on = validateConfig(config({ saturation_guard: true }), extensions);
    expect(on.ok && on.config.saturation_guard).toBe(true);
  });

  it('say what is valid for a bad value', () => {
    const found = problems(
      config({
        repeat: 0,
        saturation_guard: { max_error_rate: 1, rising_windows: 1, cooldown: 3 },
      }),
    );
    expect(found.join('\n')).toMatch(/repeat: must be a whole number of runs >= 1, got 0/);
    expect(found.join('\n')).toMatch(/saturation_guard/);
  });

  it('--repeat and --saturation-guard set them; the flag keeps the settings of the file', () => {
    const checked = validateConfig(config({ saturation_guard: { window: 1 } }), extensions);
    if (!checked.ok) throw new Error('expected a valid config');
    const file = checked.config;
    expect(applyOverrides(file, { repeat: 4 }, { extensions }).repeat).toBe(4);
    expect(
      applyOverrides(file, { saturationGuard: true }, { extensions }).saturation_guard,
    ).toEqual({
      window: 1,
    });
    expect(applyOverrides(file, { saturationGuard: false }, { extensions }).saturation_guard).toBe(
      false,
    );
    expect(
      applyOverrides(undefined, { saturationGuard: true }, { extensions }).saturation_guard,
    ).toBe(true);
    expect(thrown(() => applyOverrides(undefined, { repeat: 1.5 }, { extensions }))).toEqual([
      '--repeat: must be a whole number of runs >= 1, got 1.5',
    ]);
  });
});
