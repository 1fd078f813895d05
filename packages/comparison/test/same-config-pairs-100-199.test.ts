import { describe, expect, it } from 'vitest';
import { sameConfigurationPairs } from './property-runs.js';

describe('two runs of the same simulator configuration (pairs 100–199 of 200)', () => {
  it('are judged no significant change on every row in at least 95 % of the pairs', () => {
    const { clean, rowsFlagged, rows } = sameConfigurationPairs(100, 100);
    expect(clean).toBeGreaterThanOrEqual(95);
    // The few false alarms are single metrics, not whole tables: under 1 % of all rows.
    expect(rowsFlagged / rows).toBeLessThan(0.01);
  });
});
