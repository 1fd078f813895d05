import type { RunningSimulator } from './simulator.js';
import { startSimulator } from './simulator.js';
import type { SimulatorOptions } from './simulator-options.js';

/** Hooks of {@link serveSimulatorUntilSignal}. */
export interface ServeUntilSignalHooks {
  /** Called once the simulator listens, with its URL (e.g. to print it). */
  onReady?: ((url: string, simulator: RunningSimulator) => void) | undefined;
  /** Process signals that stop the simulator. Default ['SIGINT', 'SIGTERM']. */
  signals?: readonly NodeJS.Signals[] | undefined;
  /** Also stops the simulator when aborted (for embedding and tests). Default: none. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs the simulator until SIGINT/SIGTERM (or `hooks.signal` aborts), then closes it; what
 * `llm-lens serve-mock` calls. Resolves once the simulator has closed.
 */
export async function serveSimulatorUntilSignal(
  options: SimulatorOptions = {},
  hooks: ServeUntilSignalHooks = {},
): Promise<void> {
  const simulator = await startSimulator(options);
  const signals = hooks.signals ?? ['SIGINT', 'SIGTERM'];
  let onStop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    onStop = resolve;
  });
  // Our handlers replace Node's default exit-on-signal while the simulator runs, so the
  // write log is flushed and keep-alive sockets are closed before the process goes.
  for (const name of signals) process.once(name, onStop);
  hooks.signal?.addEventListener('abort', onStop, { once: true });
  if (hooks.signal?.aborted) onStop();
  try {
    hooks.onReady?.(simulator.url, simulator);
    await stopped;
  } finally {
    for (const name of signals) process.off(name, onStop);
    hooks.signal?.removeEventListener('abort', onStop);
    await simulator.close();
  }
}
