import { describe, expect, it } from 'vitest';
import { holmAdjust } from './holm-adjustment.js';

describe('holmAdjust', () => {
  it('multiplies the i-th smallest by m − i + 1, keeps the order monotone and caps at 1', () => {
    // Sorted: 0.01·4 = 0.04, 0.02·3 = 0.06, 0.03·2 = 0.06, 0.5·1 = 0.5; back in input order.
    expect(holmAdjust([0.03, 0.5, 0.01, 0.02])).toEqual([0.06, 0.5, 0.04, 0.06]);
    expect(holmAdjust([0.4, 0.6])).toEqual([0.8, 0.8]);
    expect(holmAdjust([0.9, 0.8])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });
});
