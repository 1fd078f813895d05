// Every random choice of a workload comes from one seed. Request `index` gets its own
// generator, derived from (seed, stream, index) alone, so `at(index)` is random access: the
// same seed gives the same item for the same index whatever was asked before, in whichever
// thread, in whichever order.
import { type RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';

/** The seed used when a workload names none, so two runs send the same prompts by default. */
export const DEFAULT_SEED = 1;

/** The largest seed accepted: seeds are whole numbers from 0 to 2^53 − 1. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

// murmur3's 32-bit finalizer: a bijection on 32-bit words that spreads every input bit.
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit id for a named stream ("mix:entry", "synthetic:input"). */
export function streamId(name: string): number {
  // FNV-1a over UTF-16 code units, then mixed.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

const LANE_CONSTANTS = [0x9e3779b9, 0x7f4a7c15, 0x85ebca77, 0xc2b2ae3d] as const;

// One 32-bit word of the generator's state. The index's low word is mixed in last, through a
// bijection, so for a fixed seed and stream no two indexes below 2^32 share a word: no two
// requests of a run can get the same generator.
function laneWord(lane: number, seed: number, stream: number, index: number): number {
  const seedHigh = Math.floor(seed / 0x1_0000_0000);
  const indexHigh = Math.floor(index / 0x1_0000_0000);
  let h = fmix32((seed >>> 0) ^ lane);
  h = fmix32(h ^ seedHigh);
  h = fmix32(h ^ stream ^ Math.imul(indexHigh, 0x27d4eb2f));
  return fmix32(h ^ (index >>> 0));
}

/** A deterministic source of random numbers for one request of one stream. */
export class SeededRandom {
  private readonly generator: RandomGenerator;

  private constructor(generator: RandomGenerator) {
    this.generator = generator;
  }

  /** The generator of request `index` (an integer ≥ 0) in the named `stream` under `seed`. */
  static of(seed: number, stream: string | number, index: number): SeededRandom {
    const id = typeof stream === 'string' ? streamId(stream) : stream >>> 0;
    const state = LANE_CONSTANTS.map((lane) => laneWord(lane, seed, id, index) | 0);
    // An all-zero state would only ever produce zeros.
    if (!state.some((word) => word !== 0)) state[0] = 1;
    return new SeededRandom(xoroshiro128plus.fromState(state));
  }

  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.generator);
  }

  /** A uniform number in [0, 1), with 53 random bits. */
  float(): number {
    // xoroshiro128+'s low bits are its weakest: take the high 26 and 27 bits of two draws.
    const high = this.generator.unsafeNext() >>> 6;
    const low = this.generator.unsafeNext() >>> 5;
    return (high * 0x8000000 + low) / 0x20000000000000;
  }

  /** A draw from the normal distribution N(mean, sd²) (Box–Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.float(); // (0, 1]: log(0) would be -Infinity
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One item of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** An index into `cumulativeWeights` (ascending, last = total), chosen in proportion to each weight. */
  weighted(cumulativeWeights: readonly number[]): number {
    const total = cumulativeWeights[cumulativeWeights.length - 1]!;
    const point = this.float() * total;
    // Few entries: a linear scan is as fast as a binary search and plainly right.
    for (let i = 0; i < cumulativeWeights.length; i++) {
      if (point < cumulativeWeights[i]!) return i;
    }
    return cumulativeWeights.length - 1;
  }
}
