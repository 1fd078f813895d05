import { describe, expect, it } from 'vitest';
import { UniqueTimestamps } from './unique-timestamps.js';

describe('UniqueTimestamps', () => {
  it('moves a repeated time in the same series on by a nanosecond until it is free', () => {
    const times = new UniqueTimestamps();
    expect(times.claim('llm_request,model=a', 1000n)).toBe(1000n);
    expect(times.claim('llm_request,model=a', 1000n)).toBe(1001n);
    expect(times.claim('llm_request,model=a', 1000n)).toBe(1002n);
    expect(times.claim('llm_request,model=a', 1001n)).toBe(1003n);
  });

  it('leaves the same time in another series alone', () => {
    const times = new UniqueTimestamps();
    expect(times.claim('llm_request,model=a', 1000n)).toBe(1000n);
    expect(times.claim('llm_request,model=b', 1000n)).toBe(1000n);
  });

  it('forgets the oldest times beyond its capacity', () => {
    const times = new UniqueTimestamps(2);
    times.claim('s', 1n);
    times.claim('s', 2n);
    times.claim('s', 3n);
    // 1 was forgotten, 3 is remembered.
    expect(times.claim('s', 1n)).toBe(1n);
    expect(times.claim('s', 3n)).toBe(4n);
  });
});
