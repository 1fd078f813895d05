import { strictObject } from '@llm-lens/config-fields';
import { evenShare, type LoadPattern, proportionalShare } from './load-pattern.js';

/**
 * `closed`: `concurrency` slots, each sending its next request the moment its previous one
 * finishes, until `requests` have been sent. A request is due when its slot frees up, so
 * its `queue` time is only the client's own delay in sending it.
 */
export const closedLoop: LoadPattern = {
  type: 'closed',
  description: 'closed loop: `concurrency` requests in flight, a new one as soon as one finishes',
  configSchema: strictObject({}, 'an object {type: closed} (the closed loop has no settings)'),
  shard(load, index, count) {
    // Requests follow the slots, so a thread never gets requests without a slot to send them.
    const slots = Array.from({ length: count }, (_, i) => evenShare(load.concurrency, i, count));
    const concurrency = slots[index] ?? 0;
    const requests = proportionalShare(load.requests, slots, index);
    if (requests === 0 || concurrency === 0) return undefined;
    return { ...load, requests, concurrency };
  },
  async run(load, driver) {
    let sent = 0;
    const slot = async (): Promise<void> => {
      while (sent < load.requests && !driver.isStopped) {
        sent++;
        await driver.send(driver.now());
      }
    };
    const slots: Promise<void>[] = [];
    for (let i = 0; i < Math.min(load.concurrency, load.requests); i++) slots.push(slot());
    await Promise.all(slots);
  },
};
