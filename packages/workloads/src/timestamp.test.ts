import { describe, expect, it } from 'vitest';
import { timestampMs } from './timestamp.js';

describe('timestampMs', () => {
  it('reads ISO-8601 times with offsets, fractions beyond milliseconds kept', () => {
    expect(timestampMs('2025-03-01T12:00:00Z')).toBe(Date.UTC(2025, 2, 1, 12));
    expect(timestampMs('2025-03-01T12:00:00.250Z')).toBe(Date.UTC(2025, 2, 1, 12) + 250);
    expect(timestampMs('2025-03-01T12:00:00.0005Z')).toBeCloseTo(Date.UTC(2025, 2, 1, 12) + 0.5, 6);
    expect(timestampMs('2025-03-01T13:30:00+01:30')).toBe(Date.UTC(2025, 2, 1, 12));
    expect(timestampMs('2025-03-01T10:00:00-0200')).toBe(Date.UTC(2025, 2, 1, 12));
    expect(timestampMs('2025-03-01 12:00')).toBe(Date.UTC(2025, 2, 1, 12));
  });

  it('tells epoch seconds from milliseconds by size', () => {
    expect(timestampMs(1_740_830_400)).toBe(1_740_830_400_000);
    expect(timestampMs(1_740_830_400.25)).toBe(1_740_830_400_250);
    expect(timestampMs(1_740_830_400_250)).toBe(1_740_830_400_250);
    expect(timestampMs('1740830400')).toBe(1_740_830_400_000);
  });

  it('refuses anything else', () => {
    for (const value of [
      'yesterday',
      '2025-02-30T00:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-03-01',
      -5,
      Number.NaN,
      null,
      true,
      {},
    ]) {
      expect(timestampMs(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});
