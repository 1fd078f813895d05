import {
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  strictObject,
} from '@llm-lens/config-fields';
import prand from 'pure-rand';
import { evenShare, type LoadPattern } from './load-pattern.js';

/** The seed of Poisson arrivals when a scenario gives none: two runs send at the same offsets. */
export const DEFAULT_ARRIVAL_SEED = 1;

const NS_PER_S = 1e9;
const TWO_POW_32 = 2 ** 32;

/**
 * `open`: requests arrive on a schedule of their own, `rate` per second, whether or not
 * earlier ones have finished (an open loop, like users of a service). `arrival: constant`
 * spaces them evenly; `poisson` draws exponential gaps (seeded), as independent users
 * arrive. Each request is due at its arrival time: when the client or the server falls
 * behind, `queue`, `ttft_from_schedule` and `e2e_from_schedule` show it (no coordinated
 * omission). `max_in_flight` caps requests in flight; an arrival beyond it waits for a slot
 * and is still due at its arrival time.
 */
export const openLoop: LoadPattern = {
  type: 'open',
  schedulesArrivals: true,
  description:
    'open loop: `rate` requests per second (constant or Poisson arrivals), optionally at most `max_in_flight` at once',
  configSchema: strictObject(
    {
      rate: positiveNumber('a rate in requests per second > 0'),
      arrival: oneOf(['constant', 'poisson']).default('constant'),
      seed: nonNegativeInt().default(DEFAULT_ARRIVAL_SEED),
      max_in_flight: positiveInt().optional(),
    },
    'an object {type: open, rate, arrival?, seed?, max_in_flight?}',
  ),
  maxInFlight: (load) =>
    (load.settings.max_in_flight as number | undefined) ?? Number.POSITIVE_INFINITY,
  shard(load, index, count) {
    const requests = evenShare(load.requests, index, count);
    if (requests === 0) return undefined;
    const rate = load.settings.rate as number;
    const cap = load.settings.max_in_flight as number | undefined;
    const settings: Record<string, unknown> = {
      ...load.settings,
      rate: rate / count,
      // Constant arrivals: thread i starts i/rate later, so the threads' arrivals interleave
      // into one even schedule. Poisson: independent streams (their sum is Poisson at `rate`).
      start_offset_s: load.settings.arrival === 'poisson' ? 0 : index / rate,
      seed: ((load.settings.seed as number | undefined) ?? DEFAULT_ARRIVAL_SEED) + index * 7919,
    };
    if (cap !== undefined) settings.max_in_flight = Math.max(1, evenShare(cap, index, count));
    return { ...load, requests, settings };
  },
  async run(load, driver) {
    const rate = load.settings.rate as number;
    const isPoisson = load.settings.arrival === 'poisson';
    const cap = load.settings.max_in_flight as number | undefined;
    if (cap !== undefined) driver.limitInFlight(cap);
    const rng = prand.xoroshiro128plus(
      (load.settings.seed as number | undefined) ?? DEFAULT_ARRIVAL_SEED,
    );
    const meanGapNs = NS_PER_S / rate;
    const startNs =
      driver.startNs +
      BigInt(Math.round(((load.settings.start_offset_s as number | undefined) ?? 0) * NS_PER_S));
    // Offsets from the start accumulate as a float, so rounding never drifts the rate.
    let offsetNs = isPoisson ? exponentialGap(rng, meanGapNs) : 0;
    for (let i = 0; i < load.requests; i++) {
      const dueNs = startNs + BigInt(Math.round(offsetNs));
      await driver.sleepUntil(dueNs);
      if (driver.isStopped) break;
      // Not awaited: arrivals do not wait for earlier requests. The phase waits for them all.
      void driver.send(dueNs);
      offsetNs += isPoisson ? exponentialGap(rng, meanGapNs) : meanGapNs;
    }
  },
};

/** One exponentially distributed gap with the given mean, by inversion of a uniform in (0, 1). */
function exponentialGap(rng: prand.RandomGenerator, meanNs: number): number {
  const uniform = ((rng.unsafeNext() >>> 0) + 0.5) / TWO_POW_32;
  return -Math.log(uniform) * meanNs;
}
