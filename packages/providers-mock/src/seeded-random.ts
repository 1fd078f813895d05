/**
 * A small seedable PRNG (mulberry32). Fast, 32-bit state, good enough for latency jitter
 * and fault draws; not for anything security-related. The same seed always yields the
 * same sequence, which is what makes a simulated run reproducible.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform sample in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform unsigned 32-bit integer; used to seed per-request generators. */
  nextUint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  /** A uniform integer in [min, max], both inclusive. */
  nextIntInclusive(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A standard normal sample (mean 0, stdev 1) by the Box–Muller transform. */
  nextStandardNormal(): number {
    // 1 - u keeps the argument of log in (0, 1], so log never sees 0.
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
