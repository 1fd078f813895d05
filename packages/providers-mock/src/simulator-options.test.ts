import { describe, expect, it } from 'vitest';
import { resolveSimulatorOptions } from './simulator-options.js';

describe('resolveSimulatorOptions', () => {
  it('fills every default', () => {
    const resolved = resolveSimulatorOptions({ seed: 9 });
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      ttftMs: 150,
      itlMs: 20,
      tickNs: 20_000_000n,
      outputTokens: { min: 64, max: 64 },
      tokensPerEvent: 1,
      reasoningTokens: 0,
      mode: 'independent',
      seed: 9,
      recordWrites: false,
      writeLogFile: undefined,
      models: ['mock-model'],
      spinNs: 500_000n,
      keepAliveTimeoutMs: 120_000,
      faults: {
        rateLimitRate: 0,
        retryAfterS: 1,
        serverErrorRate: 0,
        dropRate: 0,
        stallRate: 0,
        stallNs: 2_000_000_000n,
        midStreamErrorRate: 0,
      },
    });
  });

  it('picks a random 32-bit seed when none is given', () => {
    const { seed } = resolveSimulatorOptions();
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
  });

  it('ticks the lockstep clock at the mean ITL', () => {
    const resolved = resolveSimulatorOptions({
      mode: 'lockstep',
      itlMs: { distribution: 'normal', meanMs: 12.5, stdevMs: 3 },
    });
    expect(resolved.tickNs).toBe(12_500_000n);
  });

  it.each([
    [{ port: 70000 }, /option port: expected 0..65535/],
    [{ port: 1.5 }, /option port: expected an integer/],
    [{ outputTokens: 0 }, /option outputTokens: expected an integer ≥ 1/],
    [{ outputTokens: { min: 5, max: 2 } }, /max \(2\) is below min \(5\)/],
    [{ tokensPerEvent: 0 }, /option tokensPerEvent/],
    [{ mode: 'batch' as never }, /option mode: expected 'independent' or 'lockstep'/],
    [{ mode: 'lockstep', itlMs: 0 } as const, /lockstep mode needs a mean ITL above 0/],
    [{ faults: { dropRate: 1.5 } }, /faults.dropRate: expected a probability/],
    [{ faults: { dropRate: 0.6, stallRate: 0.6 } }, /add up to 1.2/],
    [{ ttftMs: -3 }, /option ttftMs/],
    [{ seed: 1.5 }, /option seed: expected an integer/],
    [{ models: [''] }, /option models/],
  ])('rejects %j with an actionable message', (options, message) => {
    expect(() => resolveSimulatorOptions(options)).toThrow(message);
  });

  it('accepts fault rates that add up to exactly 1 despite float rounding', () => {
    expect(() =>
      resolveSimulatorOptions({
        faults: { dropRate: 0.7, stallRate: 0.2, midStreamErrorRate: 0.1 },
      }),
    ).not.toThrow();
  });
});
