/**
 * A small seeded PRNG (mulberry32) and the helpers the generators draw from. Every case has
 * its own stream, derived from the run's seed and the case's index, so one case can be
 * replayed without generating the ones before it.
 */

/** A 32-bit integer hash of (seed, index): splitmix-style finalizer over both words. */
export function mixSeed(seed, index) {
  let h = (seed ^ Math.imul(index + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seeded random source with the draws the generators need. */
export class Rng {
  #state;

  /** @param {number} seed a 32-bit unsigned integer */
  constructor(seed) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next() {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p) {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One key of `{ key: weight }`, drawn in proportion to the weights. */
  weighted(weights) {
    const entries = Object.entries(weights);
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let draw = this.next() * total;
    for (const [key, weight] of entries) {
      draw -= weight;
      if (draw < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** `length` random bytes. */
  bytes(length) {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** The random source of case `index` of a run seeded with `seed`. */
export function caseRng(seed, index) {
  return new Rng(mixSeed(seed, index));
}
