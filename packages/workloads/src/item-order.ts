// The order in which a run goes through a list of prompts.
import { SeededRandom } from './seeded-random.js';

/** `sequential`: the file's order, round and round. `shuffle`: a new seeded permutation every pass. */
export type ItemOrder = 'sequential' | 'shuffle';

/** The item position of request `index` over `size` items (size ≥ 1). */
export function itemOrder(order: ItemOrder, size: number, seed: number): (index: number) => number {
  if (order === 'sequential' || size === 1) return (index) => index % size;
  // Runs go through the passes in order; two cached permutations cover requests of one pass
  // that finish out of order while the next pass has begun.
  const cache = new Map<number, Uint32Array>();
  const permutation = (pass: number): Uint32Array => {
    let cached = cache.get(pass);
    if (cached === undefined) {
      cached = new Uint32Array(size);
      for (let i = 0; i < size; i++) cached[i] = i;
      const random = SeededRandom.of(seed, 'order', pass);
      for (let i = size - 1; i > 0; i--) {
        const j = random.int(0, i);
        const swap = cached[i]!;
        cached[i] = cached[j]!;
        cached[j] = swap;
      }
      if (cache.size >= 2) cache.delete(cache.keys().next().value!);
      cache.set(pass, cached);
    }
    return cached;
  };
  return (index) => permutation(Math.floor(index / size))[index % size]!;
}
