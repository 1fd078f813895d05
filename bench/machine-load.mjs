// Other processes' CPU while a measurement runs: on a 2-core machine one busy neighbour takes
// the client's or the simulator's core, and every error measured meanwhile includes it.
// Linux /proc only; elsewhere the figures are null and nothing waits.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const HAS_PROC = existsSync('/proc/stat') && existsSync('/proc/self/stat');

/** Busy and total jiffies of the whole machine, and its CPU count. */
function machineTicks() {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const fields = lines[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.reduce((a, b) => a + b, 0);
  const cpus = lines.filter((line) => /^cpu\d+ /.test(line)).length;
  return { busy: total - idle, total, cpus };
}

/** Jiffies of this process (all its threads) and of its reaped children (the simulators). */
function ownTicks() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return f[11] + f[12] + f[13] + f[14];
}

/**
 * Starts counting; `end()` returns other processes' CPU since, as a percentage of one core
 * (everything busy minus this process and the children it reaped meanwhile).
 */
export function backgroundMeter() {
  if (!HAS_PROC) return { end: () => null };
  const machine = machineTicks();
  const own = ownTicks();
  return {
    end() {
      const m = machineTicks();
      const wallPerCpu = (m.total - machine.total) / m.cpus;
      if (wallPerCpu <= 0) return 0;
      const others = m.busy - machine.busy - (ownTicks() - own);
      return Math.max(0, (100 * others) / wallPerCpu);
    },
  };
}

/** Others' CPU during the last measurement, as `noteBackground` was told. */
let lastBackground = null;

/** Records what `backgroundMeter` measured, so the next `waitForQuiet` may skip its sample. */
export function noteBackground(corePct) {
  lastBackground = corePct;
}

/**
 * Waits (0.5 s samples, at most `maxWaitS`) until the machine, this process idle, is busy
 * below `busyCorePct` % of one core. Returns at once when the measurement just before (see
 * `noteBackground`) saw less than that. Resolves to { waitedS, busyCorePct, quiet }.
 */
export async function waitForQuiet({ maxWaitS, busyCorePct }) {
  if (!HAS_PROC || maxWaitS <= 0) return { waitedS: 0, busyCorePct: null, quiet: null };
  if (lastBackground !== null && lastBackground < busyCorePct) {
    return { waitedS: 0, busyCorePct: lastBackground, quiet: true };
  }
  const start = Date.now();
  for (;;) {
    const meter = backgroundMeter();
    await sleep(500);
    const busy = meter.end();
    const waitedS = (Date.now() - start) / 1000;
    if (busy < busyCorePct) return { waitedS, busyCorePct: busy, quiet: true };
    if (waitedS >= maxWaitS) return { waitedS, busyCorePct: busy, quiet: false };
  }
}
