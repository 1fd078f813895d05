// How late this process wakes up when it has nothing to do: the floor under every latency
// error the client can report on this machine (other processes, the hypervisor).

/** Fires a 1 ms interval timer for `durationMs` and returns its lateness p50/p99/p99.9/max, ms. */
export function measureWakeupDelay(durationMs = 2000) {
  return new Promise((resolve) => {
    const late = [];
    let last = process.hrtime.bigint();
    const timer = setInterval(() => {
      const t = process.hrtime.bigint();
      late.push(Math.max(0, Number(t - last) / 1e6 - 1));
      last = t;
    }, 1);
    setTimeout(() => {
      clearInterval(timer);
      late.sort((a, b) => a - b);
      const at = (q) => late[Math.min(late.length - 1, Math.ceil(q * late.length) - 1)];
      resolve({
        samples: late.length,
        p50: at(0.5),
        p99: at(0.99),
        p999: at(0.999),
        max: late[late.length - 1],
      });
    }, durationMs);
  });
}
