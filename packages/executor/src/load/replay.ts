import { listOf, nonNegativeNumber, strictObject } from '@llm-lens/config-fields';
import type { LoadPattern } from './load-pattern.js';

/**
 * `replay`: request *i* at `offsets_ms[i]` after the phase starts, with prompt *i* of the
 * scenario's prompt set: a recorded log played back with its own gaps (scaled before they
 * get here). Set up from a scenario's `replay:` section, which loads the log; written by
 * hand only by programs that have offsets of their own.
 */
export const replay: LoadPattern = {
  type: 'replay',
  schedulesArrivals: true,
  description:
    "requests at a recorded log's offsets, each with its own prompt (set by a scenario's replay: section)",
  configSchema: strictObject(
    {
      offsets_ms: listOf(
        nonNegativeNumber('a number of ms >= 0'),
        "a list of ms offsets, ascending (a scenario's replay: {path} section computes them from a log)",
        true,
      ),
    },
    "an object {type: replay, offsets_ms} (use a scenario's replay: {path} section to replay a log)",
  ),
  maxInFlight: () => Number.POSITIVE_INFINITY,
  shard(load, index, count) {
    // Thread i of n takes entries i, i + n, ...: the same prompts the entries had.
    const offsets = (load.settings.offsets_ms as readonly number[]).filter(
      (_, entry) => entry % count === index,
    );
    if (offsets.length === 0) return undefined;
    return {
      ...load,
      requests: Math.min(load.requests, offsets.length),
      settings: { ...load.settings, offsets_ms: offsets, first_entry: index, entry_stride: count },
    };
  },
  async run(load, driver) {
    const offsets = load.settings.offsets_ms as readonly number[];
    const first = (load.settings.first_entry as number | undefined) ?? 0;
    const stride = (load.settings.entry_stride as number | undefined) ?? 1;
    const { startNs } = driver;
    const count = Math.min(load.requests, offsets.length);
    for (let i = 0; i < count; i++) {
      const dueNs = startNs + BigInt(Math.round(offsets[i]! * 1e6));
      await driver.sleepUntil(dueNs);
      if (driver.isStopped) break;
      void driver.send(dueNs, first + i * stride);
    }
  },
};
