// One request through undici's `Agent.dispatch` with a handler that does nothing but call
// `onData` per body chunk: what undici costs with none of our code on top.

/** Resolves when the response ends, rejects on its error. */
export function dispatchBare(agent, request, onData = () => {}) {
  return new Promise((resolve, reject) => {
    agent.dispatch(request, {
      onRequestStart() {},
      onResponseStart() {},
      onResponseData: onData,
      onResponseEnd() {
        resolve();
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}
