import { xoroshiro128plus } from 'pure-rand';

/** A uniform draw in [0, 1). `Math.random` is one; {@link seededRandom} gives a repeatable one. */
export type RandomSource = () => number;

const TWO_POW_32 = 2 ** 32;

/**
 * A repeatable uniform source in [0, 1): the same seed gives the same draws on every run and
 * thread (xoroshiro128+, 32 bits a draw, which is finer than any delay we compute from it).
 */
export function seededRandom(seed: number): RandomSource {
  const generator = xoroshiro128plus(seed);
  return () => (generator.unsafeNext() >>> 0) / TWO_POW_32;
}
