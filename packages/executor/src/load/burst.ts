import { durationSeconds, strictObject } from '@llm-lens/config-fields';
import { evenShare, type LoadPattern } from './load-pattern.js';

/**
 * `burst`: waves of `concurrency` requests sent at the same instant, the next wave
 * `pause` after the previous one has finished, until `requests` have been sent (the last
 * wave may be smaller). Every request of a wave is due at the wave's start, so a server
 * that serializes them shows it in `queue` and `ttft_from_schedule`.
 */
export const burst: LoadPattern = {
  type: 'burst',
  description:
    'waves of `concurrency` simultaneous requests, `pause` between the end of one wave and the next',
  configSchema: strictObject(
    { pause: durationSeconds().optional() },
    'an object {type: burst, pause?} (pause: e.g. 2s; default 1s)',
  ),
  shard(load, index, count) {
    // Each thread sends its share of every wave; the waves start together in every thread.
    const concurrency = evenShare(load.concurrency, index, count);
    if (concurrency === 0) return undefined;
    if (!Number.isFinite(load.requests)) return { ...load, concurrency };
    const waves = Math.ceil(load.requests / load.concurrency);
    const lastWave = load.requests - (waves - 1) * load.concurrency;
    const requests =
      (waves - 1) * concurrency + Math.min(concurrency, evenShare(lastWave, index, count));
    return requests === 0 ? undefined : { ...load, requests, concurrency };
  },
  async run(load, driver) {
    const pauseNs = BigInt(Math.round(((load.settings.pause as number | undefined) ?? 1) * 1e9));
    let sent = 0;
    while (sent < load.requests && !driver.isStopped) {
      const size = Math.min(load.concurrency, load.requests - sent);
      const dueNs = driver.now();
      const wave: Promise<void>[] = [];
      for (let i = 0; i < size; i++) wave.push(driver.send(dueNs));
      sent += size;
      await Promise.all(wave);
      if (sent < load.requests) await driver.sleepUntil(driver.now() + pauseNs);
    }
  },
};
