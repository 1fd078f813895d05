import { describe, expect, it } from 'vitest';
import { shiftedTtftRuns } from './property-runs.js';

describe('a 10 % TTFT shift at n = 500 (seeds 0–99 of 200)', () => {
  it('is detected, TTFT p50 and the TTFT distribution worse, for at least 95 % of the seeds', () => {
    const { detected, itlFlagged } = shiftedTtftRuns(0, 100);
    expect(detected).toBeGreaterThanOrEqual(95);
    // The shift is in TTFT only: ITL stays unflagged.
    expect(itlFlagged).toBeLessThanOrEqual(2);
  });
});
