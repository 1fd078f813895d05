/** Signals raised by Ctrl-C / SIGTERM during a run. */
export interface InterruptHandlers {
  /** First Ctrl-C or SIGTERM: stop dispatching, let in-flight requests finish. */
  stop: AbortSignal;
  /** Second Ctrl-C: cancel in-flight requests now. */
  cancel: AbortSignal;
  dispose(): void;
}

/**
 * Installs SIGINT/SIGTERM handlers for one run. The first signal stops dispatching; a
 * second cancels what is in flight. Either way every output is still written, marked
 * `"complete": false`, and the process exits 130.
 */
export function installInterruptHandlers(beforeMessage: () => void): InterruptHandlers {
  const stop = new AbortController();
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    beforeMessage();
    if (!stop.signal.aborted) {
      process.stderr.write(
        `\n${signal}: stopping — no new requests; waiting for in-flight requests (press Ctrl-C again to cancel them now)\n`,
      );
      stop.abort();
    } else if (!cancel.signal.aborted) {
      process.stderr.write(`\n${signal}: cancelling in-flight requests\n`);
      cancel.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    cancel: cancel.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
